from __future__ import annotations

from datetime import date

import pytest
from registry_factories import STAFF, registered
from sqlalchemy import func, select

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.procurement import ContractAwarded
from yishe_kit.testing import eventually, publish_envelope
from yishe_registry.disclosure.models import FundingReceipt

pytestmark = pytest.mark.nats


def awarded(uscc: str, contract_id: str = "C-1", on: date = date(2026, 3, 1)) -> ContractAwarded:
    return ContractAwarded(uscc=uscc, ocid="ocds-yishe-1", contract_id=contract_id, title="社区居家养老服务",
                           amount="300000.00", purchaser="温州市鹿城区民政局", awarded_on=on)


async def _duties(client, uscc: str) -> list[dict]:
    return (await client.get(f"/v1/organisations/{uscc}/disclosure-duties", headers=STAFF)).json()


async def _receipts(app, uscc: str) -> int:
    async with app.state.sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(FundingReceipt).where(FundingReceipt.uscc == uscc))


async def test_a_purchase_contract_makes_the_year_disclosure_due_once(client, app, nats_server, clock) -> None:
    """DISC-2: `procurement.contract.awarded.v1` obliges disclosure of the award year; a repeated delivery or a
    second event for the same contract records nothing more (inbox, then the source reference)."""
    org = await registered(client, clock(date(2026, 1, 10)))
    uscc = org["uscc"]
    envelope = Envelope.wrap(awarded(uscc), source="procurement")
    await publish_envelope(nats_server.url, envelope)
    await publish_envelope(nats_server.url, envelope, msg_id=envelope.id + "-again")
    await publish_envelope(nats_server.url, Envelope.wrap(awarded(uscc), source="procurement"))
    await publish_envelope(nats_server.url, Envelope.wrap(awarded(uscc, "C-2"), source="procurement"))
    await eventually(lambda: _receipts_at_least(app, uscc, 2))
    [duty] = await _duties(client, uscc)
    assert (duty["year"], duty["reasons"], duty["deadline"]) == (2026, ["purchase"], "2027-06-30")
    funding = (await client.get(f"/v1/organisations/{uscc}/funding", headers=STAFF)).json()
    assert sorted(f["source_ref"] for f in funding) == ["contract:C-1", "contract:C-2"]


async def _receipts_at_least(app, uscc: str, n: int) -> bool:
    return await _receipts(app, uscc) >= n
