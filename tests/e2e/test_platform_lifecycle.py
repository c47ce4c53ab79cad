"""Life cycles driven to their end on the platform date (dev), through the gateway (real processes, real NATS):

1. an organisation registered two years back → its 2025 annual report → a grade → a purchase project → a bid →
   the award → the contract → three follow-ups → the performance evaluation → the credit record it creates; its
   profile `?as_of=` each step's date shows that step (every event counts from the day it takes effect: CODE-5);
2. an organisation whose certificate is revoked (吊销) is put on the serious list (CR-12.7) and leaves it when its
   注销 completes (CR-13).

The platform date is one key every process follows (`PUT /v1/platform/date`); each step waits until every service
decides by the new date (`/health/ready` reports it), and the real date is restored at the end, whatever happens.
Dates are fixed: the rules they meet (EVAL-2's two years, EVAL-8's validity from the next 1 January, AR-1's
31 May) do not depend on the day the test runs."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
from registration_bodies import direct_registration

from yishe_kit.testing import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DIVISION = "330302"
SERVICES = ("registry", "credit", "procurement", "party")
WAIT = {"timeout": 20, "interval": 0.2}
REGISTERED, REPORTED, GRADED, VALID_FROM = date(2024, 12, 2), date(2026, 3, 16), date(2026, 12, 3), date(2027, 1, 1)
PUBLISHED, BID, AWARDED, SIGNED = date(2026, 12, 4), date(2026, 12, 8), date(2026, 12, 15), date(2026, 12, 18)
FOLLOW_UPS, EVALUATED = (date(2027, 3, 31), date(2027, 8, 31), date(2027, 12, 20)), date(2028, 1, 5)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _account(stack, role: str, *, division: str = "", org_uscc: str | None = None) -> dict[str, str]:
    """An account made as an operator makes one, signed in through the gateway (its bearer header)."""
    username, password = f"e2e-{role}-{uuid.uuid4().hex[:8]}", "e2e-password-1"
    cmd = [sys.executable, "-m", "yishe_gateway.admin", "create-user", username, role, "--division", division]
    if org_uscc:
        cmd += ["--org-uscc", org_uscc]
    done = subprocess.run(cmd, env={**stack.env(), "GATEWAY_ADMIN_PASSWORD": password}, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    resp = httpx.post(f"{stack.gateway_url}/v1/auth/token", json={"username": username, "password": password})
    assert resp.status_code == 200, resp.text
    return _bearer(resp.json()["access_token"])


@pytest.fixture
async def platform(stack) -> AsyncIterator:
    """`await platform(day)`: the whole platform on that business date; the real date again afterwards."""
    staff = _bearer(stack.dev["staff"]["token"])
    client = httpx.AsyncClient(base_url=stack.gateway_url, timeout=15)

    async def following(day: date) -> bool:
        for svc in SERVICES:
            resp = await client.get(f"{stack.url(svc)}/health/ready")
            if resp.json().get("business_date") != day.isoformat():
                return False
        return True

    async def move(day: date) -> None:
        resp = await client.put("/v1/platform/date", json={"date": day.isoformat()}, headers=staff)
        assert resp.status_code == 200 and resp.json()["platform_date"] == day.isoformat(), resp.text
        await eventually(lambda: following(day), **WAIT)

    try:
        yield move
    finally:
        await client.delete("/v1/platform/date", headers=staff)
        await client.aclose()


async def _register(client: httpx.AsyncClient, staff: dict, name: str, org_type: str = "社会团体") -> dict:
    body = direct_registration(name, DIVISION, org_type=org_type, address="温州市鹿城区五马街道公园路8号",
                               business_scope="社区居家养老服务、志愿服务")
    resp = await client.post("/api/registry/v1/organisations", json=body, headers=staff)
    assert resp.status_code == 201, resp.text
    return resp.json()


async def _as_of(client: httpx.AsyncClient, uscc: str, day: date, staff: dict) -> dict:
    resp = await client.get(f"/v1/code/{uscc}", params={"as_of": day.isoformat()}, headers=staff)
    assert resp.status_code == 200, (day, resp.text)
    return resp.json()


def _in_feed(client: httpx.AsyncClient, staff: dict, uscc: str, subject: str, count: int = 1):
    async def arrived() -> bool:
        resp = await client.get("/v1/feed", params={"uscc": uscc, "subject": subject, "limit": 1000}, headers=staff)
        return resp.status_code == 200 and sum(i["type"] == subject for i in resp.json()["items"]) >= count

    return arrived


def _credit_record(client: httpx.AsyncClient, uscc: str, staff: dict, kind: str):
    async def found() -> dict | None:
        resp = await client.get(f"/api/credit/v1/profiles/{uscc}/records", headers=staff)
        return next((r for r in resp.json() if r["kind"] == kind), None) if resp.status_code == 200 else None

    return found


async def _credit(client: httpx.AsyncClient, uscc: str) -> dict | None:
    resp = await client.get(f"/api/credit/v1/profiles/{uscc}")
    return resp.json() if resp.status_code == 200 else None


async def test_registration_to_grade_purchase_evaluation_and_credit_record_on_the_platform_date(
        stack, platform, unique_name) -> None:
    """EVAL-2, EVAL-8, PROC-4, PROC-7, PLAT-1, PROC-8, CR-4.5 and CODE-5, each on its own business date; the bid
    and the award show in the profile as effective from their own days (issue 13)."""
    staff = _bearer(stack.dev["staff"]["token"])
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15) as client:
        await platform(REGISTERED)
        org = await _register(client, staff, unique_name)
        uscc = org["uscc"]
        assert org["registration_date"] == REGISTERED.isoformat()
        await eventually(lambda: _credit(client, uscc), **WAIT)

        await platform(REPORTED)  # AR-1: the 2025 report, before its 31 May deadline (PROC-4 asks for it later)
        report = {"year": 2025, "activities": "全年开展助老服务48场",
                  "finance": {"total_income": "120000.00", "total_expenditure": "98000.50", "net_assets": "65000.00"},
                  "party_building": {"has_party_organisation": False, "full_members": 0, "activities_held": 0}}
        resp = await client.post(f"/api/registry/v1/organisations/{uscc}/annual-reports", json=report, headers=staff)
        assert resp.status_code == 201 and resp.json()["late"] is False, resp.text

        await platform(GRADED)  # EVAL-2: two full years registered; EVAL-8: valid from the next 1 January
        resp = await client.post(f"/api/registry/v1/organisations/{uscc}/grades", headers=staff,
                                 json={"grade": "4A", "announced_on": GRADED.isoformat(), "score": 860})
        assert resp.status_code == 201, resp.text
        assert resp.json()["valid_from"] == VALID_FROM.isoformat()

        await platform(PUBLISHED)
        purchaser = _account(stack, "purchaser", division=DIVISION)
        own = _account(stack, "org", org_uscc=uscc)
        catalogue = {"level": "county", "division_code": DIVISION, "year": 2027,
                     "title": "2027年度政府购买服务指导性目录", "issued_by": "鹿城区财政局",
                     "items": [{"code": "A0201", "name": "社区居家养老服务"}]}
        resp = await client.post("/api/procurement/v1/catalogues", json=catalogue, headers=staff)
        assert resp.status_code == 201, resp.text
        resp = await client.post(f"/api/procurement/v1/catalogues/{resp.json()['catalogue_id']}/publish",
                                 headers=staff)
        assert resp.status_code == 200, resp.text
        project = {"title": "鹿城区社区居家养老服务项目",
                   "description": "为辖区高龄独居老人提供上门助餐、助洁和探访服务",
                   "purchaser_department": "温州市鹿城区民政局", "division_code": DIVISION,
                   "catalogue_item_code": "A0201", "budget_amount": "400000.00", "budget_source": "区级财政预算",
                   "budget_year": 2027, "method": "公开招标", "term_start": "2027-01-01", "term_end": "2027-12-31",
                   "tender_end": "2026-12-14"}
        resp = await client.post("/api/procurement/v1/projects", json=project, headers=purchaser)
        assert resp.status_code == 201, resp.text
        pid = resp.json()["project_id"]
        resp = await client.post(f"/api/procurement/v1/projects/{pid}/publish", headers=purchaser)
        assert resp.status_code == 200 and resp.json()["status"] == "tender", resp.text

        await platform(BID)  # PROC-4 on the bid date: registered, on no list, its 2025 report filed
        resp = await client.post(f"/api/procurement/v1/projects/{pid}/bids", headers=own,
                                 json={"uscc": uscc, "amount": "380000.00",
                                       "proposal": "组建专业社工团队，按季度提供上门服务"})
        assert resp.status_code == 201, resp.text
        bid_id = resp.json()["bid_id"]

        await platform(AWARDED)  # the tender closed on 14 December
        panel = [{"name": "王评审", "role": "expert"}, {"name": "李评审", "role": "expert"},
                 {"name": "赵代表", "role": "purchaser_representative"}]
        resp = await client.put(f"/api/procurement/v1/projects/{pid}/panel", json={"members": panel}, headers=purchaser)
        assert resp.status_code == 200, resp.text
        for member, score in zip(panel, ("88", "90", "86"), strict=True):
            resp = await client.post(f"/api/procurement/v1/projects/{pid}/scores", headers=purchaser,
                                     json={"member_name": member["name"],
                                           "scores": [{"bid_id": bid_id, "score": score}]})
            assert resp.status_code == 200, resp.text
        resp = await client.post(f"/api/procurement/v1/projects/{pid}/award", json={}, headers=purchaser)
        assert resp.status_code == 201 and resp.json()["uscc"] == uscc, resp.text

        await platform(SIGNED)  # PROC-7: signed after the award, not later than today
        contract = {"content": "为辖区200名高龄独居老人提供上门助餐、助洁和每周探访", "quantity": "每月不少于800人次",
                    "quality": "服务对象满意度不低于90%", "settlement": "按季度考核后分三期支付",
                    "rights_obligations": "购买主体监督考核，承接主体按合同提供服务并建立项目台账",
                    "liability": "未达标的按比例扣减服务费", "date_signed": SIGNED.isoformat(),
                    "milestones": [{"title": "首期", "due_date": "2027-01-15", "amount": "114000.00"},
                                   {"title": "中期", "due_date": "2027-07-15", "amount": "152000.00"},
                                   {"title": "尾款", "due_date": "2028-01-15", "amount": "114000.00"}]}
        resp = await client.post(f"/api/procurement/v1/projects/{pid}/contract", json=contract, headers=purchaser)
        assert resp.status_code == 201, resp.text
        cid = resp.json()["contract_id"]
        assert resp.json()["follow_ups"]["required"] == 3

        for day in FOLLOW_UPS:  # PLAT-1: three follow-ups over the term, each on its day
            await platform(day)
            resp = await client.post(f"/api/procurement/v1/contracts/{cid}/follow-ups", headers=staff,
                                     json={"followed_on": day.isoformat(), "followed_by": "五马街道社会组织服务中心",
                                           "findings": "按计划开展"})
            assert resp.status_code == 201, resp.text
        assert resp.json()["meets_minimum"] is True

        await platform(EVALUATED)  # PROC-8: the final evaluation needs the three follow-ups
        resp = await client.post(f"/api/procurement/v1/contracts/{cid}/evaluations", headers=purchaser, json={
            "kind": "final", "evaluator_type": "third_party", "evaluator_name": "温州市某第三方评估机构",
            "evaluated_on": EVALUATED.isoformat(),
            "indicators": [{"name": "服务数量", "weight": "40", "score": "95"},
                           {"name": "服务质量", "weight": "40", "score": "90"},
                           {"name": "满意度", "weight": "20", "score": "88"}]})
        assert resp.status_code == 201 and resp.json()["result"] == "优秀", resp.text

        # CR-4.5: credit records the contract and the evaluation as 其他信息, dated by their own days.
        record = await eventually(_credit_record(client, uscc, staff, "performance_evaluated"), **WAIT)
        assert record["formed_on"] == EVALUATED.isoformat()
        awarded = await eventually(_credit_record(client, uscc, staff, "contract_awarded"), **WAIT)
        assert awarded["formed_on"] == AWARDED.isoformat()  # the event, sent at signing, carries the award date
        await eventually(_in_feed(client, staff, uscc, "procurement.performance.evaluated.v1"), **WAIT)

        # CODE-5: the profile as effective on each step's day shows that step, and not the next.
        before = await client.get(f"/v1/code/{uscc}", params={"as_of": "2024-12-01"}, headers=staff)
        assert before.status_code == 404
        first = await _as_of(client, uscc, REGISTERED, staff)
        assert first["organisation"]["registration_date"] == REGISTERED.isoformat()
        assert first["organisation"]["status"] == "active" and first["organisation"].get("annual_report") is None
        assert first["credit"]["colour"] is not None  # opened while handling the registration: effective with it
        reported = (await _as_of(client, uscc, REPORTED, staff))["organisation"]["annual_report"]
        assert reported["year"] == 2025 and reported["event"] == "submitted"
        assert (await _as_of(client, uscc, date(2026, 12, 31), staff))["organisation"].get("grade") is None
        graded = (await _as_of(client, uscc, VALID_FROM, staff))["organisation"]
        assert graded["grade"] == "4A" and graded["grade_valid_from"] == VALID_FROM.isoformat()
        # The bid shows from its bid date, the award from its award date, and not the day before (issue 13).
        assert (await _as_of(client, uscc, date(2026, 12, 7), staff))["procurement"] is None
        bid = (await _as_of(client, uscc, BID, staff))["procurement"]
        assert [(b["bid_id"], b["status"], b["bid_date"]) for b in bid["bids"]] == [
            (bid_id, "submitted", BID.isoformat())]
        assert "awards" not in bid and bid["contracts"] == 0
        # The contract, recorded at signing, takes effect on its award date: as known now, it shows from then.
        closed = (await _as_of(client, uscc, date(2026, 12, 14), staff))["procurement"]
        assert "awards" not in closed and closed["contracts"] == 0 and closed["bids"][0]["status"] == "submitted"
        signed = (await _as_of(client, uscc, AWARDED, staff))["procurement"]
        assert [(a["bid_id"], a["award_date"]) for a in signed["awards"]] == [(bid_id, AWARDED.isoformat())]
        assert signed["bids"][0]["status"] == "awarded"
        assert signed["contracts"] == 1 and signed["contracts_awarded"][0]["awarded_on"] == AWARDED.isoformat()
        assert "evaluations" not in (await _as_of(client, uscc, date(2028, 1, 4), staff))["procurement"]
        evaluated = (await _as_of(client, uscc, EVALUATED, staff))["procurement"]
        assert [(e["result"], e["evaluated_on"]) for e in evaluated["evaluations"]] == [
            ("优秀", EVALUATED.isoformat())]


async def test_revoked_organisation_leaves_the_serious_list_when_its_deregistration_completes(
        stack, platform, unique_name) -> None:
    """CR-12.7: 吊销 puts it on the serious list; CR-13: removed by the authority once 注销 is completed."""
    staff = _bearer(stack.dev["staff"]["token"])
    revoked_on, deregistered_on = date(2028, 2, 10), date(2028, 3, 1)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15) as client:
        await platform(date(2028, 2, 1))
        uscc = (await _register(client, staff, unique_name))["uscc"]
        await eventually(lambda: _credit(client, uscc), **WAIT)

        await platform(revoked_on)
        resp = await client.post(f"/api/registry/v1/organisations/{uscc}/status", headers=staff,
                                 json={"action": "revoke_certificate", "rule": "CR-12.7",
                                       "reason": "严重违反章程，吊销登记证书"})
        assert resp.status_code == 200 and resp.json()["status"] == "certificate_revoked", resp.text

        async def listed() -> dict | None:
            body = await _credit(client, uscc)
            return body if body and body["serious_listed"] else None

        assert (await eventually(listed, **WAIT))["colour"] == "red"

        await platform(deregistered_on)
        exempted = await client.post(f"/api/registry/v1/organisations/{uscc}/audits/exemptions", headers=staff,
                                     json={"occasion": "deregistration", "reason": "上级批复免于审计",
                                           "authorised_by": "chief-1"})
        assert exempted.status_code == 201, exempted.text  # TPA-3: no liquidation audit needed, documented
        resp = await client.post(f"/api/registry/v1/organisations/{uscc}/deregistration", headers=staff,
                                 json={"liquidation_completed_on": "2028-02-25", "reason": "吊销后清算完毕，办理注销"})
        assert resp.status_code == 200 and resp.json()["status"] == "deregistered", resp.text

        async def removed() -> dict | None:
            body = await _credit(client, uscc)
            return body if body and not body["serious_listed"] else None

        await eventually(removed, **WAIT)
        await eventually(_in_feed(client, staff, uscc, "credit.listing.changed.v1", 2), **WAIT)
        on_the_list = await _as_of(client, uscc, date(2028, 2, 20), staff)
        assert on_the_list["credit"]["serious_listed"] is True
        assert [(e["list_type"], e["listed_on"]) for e in on_the_list["credit"]["list_entries"]] == [
            ("serious", revoked_on.isoformat())]
        off = await _as_of(client, uscc, deregistered_on, staff)
        assert off["credit"]["serious_listed"] is False and off["credit"]["list_entries"] == []
        assert off["organisation"]["status"] == "deregistered"


async def test_imported_organisation_answers_for_the_days_its_records_took_effect(stack, platform) -> None:
    """The issue's example, CODE-5: imported with its 2023 registration, listed abnormal on 2024-06-01 (CR-6.6),
    moved to the serious list on 2026-06-01 by the daily job (CR-11, dated by the rule) — all recorded on one day;
    `?as_of=` answers for every past day (it answered 404 for each before effective dates)."""
    import random

    from yishe_contracts.identifiers import encode_sequence, make_uscc

    staff = _bearer(stack.dev["staff"]["token"])
    uscc = make_uscc(category="1", division_code=DIVISION, body8="E" + encode_sequence(random.randrange(31**7), 7))
    legacy = {"uscc": uscc, "name": f"温州市鹿城区{uscc[-5:]}历史导入协会", "org_type": "社会团体",
              "division_code": DIVISION, "address": "温州市鹿城区五马街1号", "legal_representative": "张三",
              "business_scope": "公益服务", "status": "active", "registration_date": "2023-03-15"}
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15) as client:
        await platform(date(2026, 12, 2))
        imported = await client.post("/api/registry/v1/exchange/imports", params={"format": "jsonl", "source": "e2e"},
                                     content=json.dumps(legacy, ensure_ascii=False).encode(),
                                     headers={**staff, "content-type": "application/x-ndjson"})
        assert imported.status_code == 200 and imported.json()["created"] == 1, imported.text
        await eventually(lambda: _credit(client, uscc), **WAIT)
        listing = await client.post("/api/credit/v1/listings", headers=staff, json={
            "uscc": uscc, "list_type": "abnormal", "trigger": "CR-6.6", "listed_on": "2024-06-01",
            "evidence": ["2024年4月、5月两次邮寄专用信函均无人签收"], "decided_by": "温州市鹿城区民政局"})
        assert listing.status_code == 201, listing.text

        async def escalated() -> dict | None:
            """Credit's daily job for today (a job: 202; 409 while a run is active), started again until the
            escalation shows (JOB-1: a second run of the same day changes nothing)."""
            body = await _credit(client, uscc)
            if body and body["serious_listed"]:
                return body
            job = await client.post("/api/credit/v1/jobs/daily", headers=staff)
            assert job.status_code in (200, 202, 409, 504), job.text
            return None

        await eventually(escalated, timeout=90, interval=1)
        await eventually(_in_feed(client, staff, uscc, "credit.listing.changed.v1", 3), **WAIT)

        before = await client.get(f"/v1/code/{uscc}", params={"as_of": "2023-03-14"})
        assert before.status_code == 404
        registered = await _as_of(client, uscc, date(2023, 6, 1), staff)
        assert registered["organisation"]["registration_date"] == "2023-03-15"
        assert registered["credit"]["list_entries"] == [] and registered["credit"]["abnormal_listed"] is False
        assert registered["credit"]["colour"] == "green"
        abnormal = await _as_of(client, uscc, date(2025, 1, 1), staff)
        assert abnormal["credit"]["abnormal_listed"] is True and abnormal["credit"]["serious_listed"] is False
        # CODE-3 + CODE-5: the colour from the back-dated listing's own day (credit recorded it on 2026-12-02)
        assert (abnormal["credit"]["colour"], abnormal["credit"]["colour_since"]) == ("orange", "2024-06-01")
        assert (await _as_of(client, uscc, date(2024, 5, 31), staff))["credit"]["colour"] == "green"
        assert [(e["list_type"], e["listed_on"]) for e in abnormal["credit"]["list_entries"]] == [
            ("abnormal", "2024-06-01")]
        moved = await _as_of(client, uscc, date(2026, 7, 1), staff)
        assert moved["credit"]["serious_listed"] is True and moved["credit"]["abnormal_listed"] is False
        assert [(e["list_type"], e["listed_on"]) for e in moved["credit"]["list_entries"]] == [
            ("serious", "2026-06-01")]
        assert (moved["credit"]["colour"], moved["credit"]["colour_since"]) == ("red", "2026-06-01")
        public = await client.get(f"/v1/code/{uscc}", params={"as_of": "2025-01-01"})
        assert public.status_code == 200 and public.json()["view"] == "public"
