"""Issue 18 "done means", against the four real services over real NATS, through the gateway: a change of legal
representative waits for its outgoing audit and completes when the report is filed; the report's adverse finding
reaches the credit record (registry event → credit consumer); an organisation that signed a purchase contract must
disclose its finances, and the public 一社一码 profile shows the disclosure (and nothing personal)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.procurement import ContractAwarded
from yishe_kit.testing import eventually, publish_envelope

pytestmark = pytest.mark.nats
API = "/api/registry/v1/organisations"


async def _credit_records(stack, uscc: str) -> list[dict] | None:
    resp = await stack.gateway.get(f"/api/credit/v1/profiles/{uscc}/records", headers=stack.staff)
    return resp.json() if resp.status_code == 200 else None


async def test_outgoing_audit_gates_the_change_and_its_adverse_finding_reaches_credit(stack, register) -> None:
    """TPA-2 and TPA-5 (CR-4.3): 202 while the 离任审计 is missing; filed → the change is registered and the
    serious finding is in the credit record with its evidence."""
    uscc = await register(stack, "330302")
    async def profile_opened() -> bool:
        return await _credit_records(stack, uscc) is not None

    await eventually(profile_opened, timeout=10.0, interval=0.05)
    change = {"legal_representative": {"name": "林新", "phone": "13900001111"}, "reason": "法定代表人换届"}
    waiting = await stack.gateway.post(f"{API}/{uscc}/changes", json=change, headers=stack.staff)
    assert waiting.status_code == 202, waiting.text
    made = await stack.gateway.post(f"{API}/{uscc}/audits", headers=stack.staff, json={
        "occasion": "legal_rep_change", "audit_firm": "温州信达会计师事务所", "fee": "9000.00"})
    assert made.status_code == 201, made.text
    evidence = ["离任审计报告第7页", "记账凭证2026-08-031"]
    filed = await stack.gateway.post(f"{API}/{uscc}/audits/{made.json()['engagement_id']}/report", headers=stack.staff,
                                     json={"report_ref": "attachment:lirenshenji.pdf", "findings": [
                                         {"severity": "serious", "summary": "专项资金12万元未按协议用途使用",
                                          "evidence": evidence}]})
    assert filed.status_code == 200, filed.text
    org = (await stack.gateway.get(f"{API}/{uscc}", headers=stack.staff)).json()
    assert org["legal_representative"]["name"] == "林新"

    async def finding() -> dict | None:
        return next((r for r in await _credit_records(stack, uscc) or [] if r["kind"] == "audit_finding"), None)

    record = await eventually(finding, timeout=10.0, interval=0.05)
    assert record["category"] == "inspection" and "专项资金12万元" in record["title"]
    assert record["details"]["evidence"] == evidence and record["details"]["occasion"] == "legal_rep_change"


async def test_a_purchase_contract_obliges_disclosure_and_the_public_profile_shows_it(stack, register, auth) -> None:
    """DISC-2: `procurement.contract.awarded.v1` (as procurement's relay publishes it) makes the year due; DISC-1:
    the organisation publishes and the public profile shows income and spending by source, nothing personal."""
    uscc = await register(stack, "330302")
    awarded = ContractAwarded(uscc=uscc, ocid=f"ocds-yishe-{uuid.uuid4().hex[:8]}", contract_id="C-2026-0042",
                              title="社区居家养老服务", amount="300000.00", purchaser="温州市鹿城区民政局",
                              awarded_on=date(2026, 3, 1))
    await publish_envelope(stack_nats(stack), Envelope.wrap(awarded, source="procurement"))

    async def duties() -> list | None:
        resp = await stack.gateway.get(f"{API}/{uscc}/disclosure-duties", headers=stack.staff)
        return resp.json() if resp.status_code == 200 and resp.json() else None

    [duty] = await eventually(duties, timeout=10.0, interval=0.05)
    assert (duty["year"], duty["reasons"], duty["deadline"], duty["disclosed_on"]) == (
        2026, ["purchase"], "2027-06-30", None)
    own = auth.bearer(await auth.token(stack.app, "org", org_uscc=uscc))
    body = {"income": {"service_purchases": "300000.00", "donations": "12000.00"},
            "spending": {"service_purchases": "286000.50"}, "audit_report_ref": "attachment:audit-2026.pdf"}
    published = await stack.gateway.put(f"{API}/{uscc}/disclosures/2026", json=body, headers=own)
    assert published.status_code == 200, published.text

    async def public_disclosures() -> list | None:
        profile = (await stack.gateway.get(f"/v1/code/{uscc}")).json()
        return profile if profile["organisation"].get("disclosures") else None

    profile = await eventually(public_disclosures, timeout=10.0, interval=0.05)
    [shown] = profile["organisation"]["disclosures"]
    assert profile["view"] == "public" and shown["year"] == 2026 and shown["total_income"] == "312000.00"
    assert shown["income"]["service_purchases"] == "300000.00" and shown["audit_report_ref"].endswith(".pdf")
    assert profile["organisation"]["legal_representative"]["id_number"] is None
    assert "11010519491231002X" not in str(profile) and "13800138000" not in str(profile)


def stack_nats(stack) -> str:
    return stack.app.state.settings.nats.url
