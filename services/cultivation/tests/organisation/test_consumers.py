from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from cultivation_factories import CITY_STAFF, filed, graded, registered
from sqlalchemy import select

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.credit import ColourChanged, CreditProfileOpened
from yishe_contracts.events.party import CoverageChanged, FormationRoute
from yishe_contracts.events.procurement import ContractAwarded
from yishe_contracts.events.registry import FilingStatus, GradeChange, WorkforceReported
from yishe_cultivation.organisation.models import Organisation
from yishe_cultivation.reward.models import Reward
from yishe_kit.testing import eventually, publish_envelope

pytestmark = pytest.mark.nats


async def _publish(nats_url: str, event, source: str = "registry", *, msg_id: str | None = None) -> Envelope:
    envelope = Envelope.wrap(event, source=source)
    await publish_envelope(nats_url, envelope, msg_id=msg_id)
    return envelope


async def _org(app, uscc: str) -> Organisation | None:
    async with app.state.sessionmaker() as s:
        return await s.get(Organisation, uscc)


async def _rewards(app, uscc: str) -> list[Reward]:
    async with app.state.sessionmaker() as s:
        return list((await s.scalars(select(Reward).where(Reward.uscc == uscc).order_by(Reward.grade))).all())


async def test_first_4a_creates_one_reward_even_when_delivered_twice_or_regained(app, client, nats_server) -> None:
    """EVAL-10: an organisation's first 4A grade creates one ¥20,000 payable reward; the same event delivered twice
    (a second JetStream message with the same envelope) and a downgrade then a re-award create nothing more."""
    reg = registered()
    await _publish(nats_server.url, reg)
    await eventually(lambda: _org(app, reg.uscc))
    award = await _publish(nats_server.url, graded(reg.uscc, "4A", on=date(2026, 3, 1)))
    await publish_envelope(nats_server.url, award, msg_id=f"{award.id}-redelivered")  # past JetStream's dedupe
    rewards = await eventually(lambda: _rewards(app, reg.uscc))
    assert [(r.grade, r.amount, r.status, r.awarded_on) for r in rewards] == [
        ("4A", Decimal("20000.00"), "payable", date(2026, 3, 1))]
    await _publish(nats_server.url, graded(reg.uscc, "3A", GradeChange.DOWNGRADED, date(2026, 6, 1), "4A"))
    await _publish(nats_server.url, graded(reg.uscc, "4A", GradeChange.AWARDED, date(2026, 9, 1), "3A"))
    await _publish(nats_server.url, graded(reg.uscc, "5A", GradeChange.AWARDED, date(2026, 10, 1), "4A"))

    async def five_a():
        rows = await _rewards(app, reg.uscc)
        return rows if len(rows) == 2 else None

    rows = await eventually(five_a)
    assert [(r.grade, r.amount) for r in rows] == [("4A", Decimal("20000.00")), ("5A", Decimal("30000.00"))]
    assert (await _org(app, reg.uscc)).grade == "5A"
    claim = await client.post("/v1/rewards", headers=CITY_STAFF, json={"uscc": reg.uscc, "grade": "4A"})
    assert claim.status_code == 409 and claim.json()["errors"][0]["rule"] == "EVAL-10"
    lower = await client.post("/v1/rewards", headers=CITY_STAFF, json={"uscc": reg.uscc, "grade": "3A"})
    assert lower.status_code == 409


async def test_read_models_follow_filing_colour_coverage_and_contracts(app, client, nats_server) -> None:
    """Local read models from events (STYLE §6): a filing that goes on to register gives the organisation its
    township; colours, Party coverage flags, charity status and awarded contracts are kept."""
    reg = registered(community_class="公益慈善类")
    filing = filed("330302004")
    await _publish(nats_server.url, filing)
    await _publish(nats_server.url, filing.model_copy(update={"status": FilingStatus.REGISTERED, "uscc": reg.uscc}))
    await _publish(nats_server.url, reg)
    await eventually(lambda: _org(app, reg.uscc))

    async def placed():
        async with app.state.sessionmaker() as s:
            from yishe_cultivation.organisation import service as organisation_service
            found = [o for o in await organisation_service.community_organisations(s, "330302004")
                     if o.uscc == reg.uscc]
            return found or None

    [org] = await eventually(placed, timeout=30)  # the township comes from the filing, whichever event came first
    assert org.township_code == "330302004" and org.kind == "registered"
    now = datetime.now(UTC)
    await _publish(nats_server.url, CreditProfileOpened(uscc=reg.uscc, name=reg.name, colour="green",
                                                        colour_rule="CODE-3", colour_reason="无", opened_at=now),
                   "credit")
    await _publish(nats_server.url, ColourChanged(uscc=reg.uscc, from_colour="green", to_colour="orange",
                                                  rule="CR-6.1", reason="未报年报", changed_at=now), "credit")
    await _publish(nats_server.url, CoverageChanged(uscc=reg.uscc, required=True, covered=False,
                                                    route=FormationRoute.OWN_ORGANISATION, rule="CR-6.2",
                                                    reason="未建", as_of=date(2026, 5, 1)), "party")
    await _publish(nats_server.url, WorkforceReported(uscc=reg.uscc, division_code="330302", year=2026,
                                                      full_time_staff=4, certified_social_workers=1, volunteers=30))
    await _publish(nats_server.url, ContractAwarded(uscc=reg.uscc, ocid="ocds-1", contract_id="C-1", title="助老服务",
                                                    amount=Decimal("50000"), purchaser="五马街道办事处",
                                                    awarded_on=date(2026, 4, 1)), "procurement")

    async def settled():
        o = await _org(app, reg.uscc)
        return o if o.colour == "orange" and o.party_uncovered and o.full_time_staff == 4 else None

    await eventually(settled, timeout=30)  # five events through real NATS on a loaded CI machine
    from yishe_cultivation.organisation.models import Contract

    async def contract():
        async with app.state.sessionmaker() as s:
            return await s.get(Contract, "C-1")

    assert (await eventually(contract)).amount == Decimal("50000.00")
