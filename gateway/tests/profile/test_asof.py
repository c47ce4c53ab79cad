"""CODE-5: the profile as it stood at the end of a past day (China time), folded from the organisation's events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from yishe_contracts.events.credit import ColourChanged, CreditList, CreditProfileOpened, ListingAction, ListingChanged
from yishe_kit.testing import eventually

pytestmark = pytest.mark.nats
CHINA = timezone(timedelta(hours=8))


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=CHINA).astimezone(UTC)


def registered_on(registered, uscc: str, day: int):
    """The registration event of an organisation registered on that day of March 2026."""
    return registered(uscc).model_copy(update={"registration_date": date(2026, 3, day), "registered_at": at(day)})


async def test_as_of_shows_colour_and_lists_of_that_day(events_gateway, auth, publish, registered,
                                                        make_uscc) -> None:
    app, client = events_gateway
    uscc = make_uscc()
    await publish(registered_on(registered, uscc, 2), at=at(2))
    await publish(CreditProfileOpened(uscc=uscc, name="温州市鹿城区海韵公益服务中心", colour="green",
                                      colour_rule="CODE-3", colour_reason="无异常信用记录", opened_at=at(2)), at=at(2))
    await publish(ListingChanged(uscc=uscc, list_type=CreditList.ABNORMAL, action=ListingAction.LISTED,
                                 trigger="CR-6.1", reason="未按规定报送年度工作报告", listed_on=at(5).date(),
                                 decided_by="温州市民政局", abnormal_listed=True, serious_listed=False), at=at(5))
    # 23:30 China time on the 5th is still the 5th, although it is the 5th 15:30 UTC.
    await publish(ColourChanged(uscc=uscc, from_colour="green", to_colour="orange", rule="CODE-3",
                                reason="列入活动异常名录", changed_at=at(5, 23)), at=at(5, 23))
    staff = auth.bearer(await auth.token(app, "staff"))

    async def as_of(day: str, headers: dict | None = None):
        return await client.get(f"/v1/code/{uscc}", params={"as_of": day}, headers=headers)

    async def all_four() -> bool:
        resp = await client.get("/v1/feed", params={"uscc": uscc}, headers=staff)
        return len(resp.json()["items"]) == 4

    await eventually(all_four)
    before = (await as_of("2026-03-04")).json()
    assert before["credit"]["colour"] == "green" and before["credit"]["list_entries"] == []
    assert before["as_of_date"] == "2026-03-04" and before["view"] == "public"
    after = (await as_of("2026-03-05")).json()
    assert after["credit"]["colour"] == "orange" and after["credit"]["abnormal_listed"] is True
    assert after["credit"]["list_entries"][0]["reason"] == "未按规定报送年度工作报告"
    assert after["organisation"]["name"] == "温州市鹿城区海韵公益服务中心" and after["party"] is None
    department = (await as_of("2026-03-05", staff)).json()
    assert department["organisation"]["party_full_members"] == 3 and department["view"] == "department"
    missing = await as_of("2026-03-01")
    assert missing.status_code == 404 and missing.json()["code"] == "no_history_for_date"


async def test_as_of_folds_the_registration_first_when_credit_reached_the_feed_before_it(
        events_gateway, auth, publish, registered, make_uscc) -> None:
    """CODE-5: the gateway takes registry's and credit's streams on separate consumers, so credit's profile opened on
    the registration day can be fed before the registration it answers; it still counts (it was dropped as "before
    the organisation existed", and the as-of profile showed no credit at all: a flaky CI failure)."""
    app, client = events_gateway
    uscc = make_uscc()
    await publish(CreditProfileOpened(uscc=uscc, name="温州市鹿城区海韵公益服务中心", colour="green",
                                      colour_rule="CODE-3", colour_reason="无异常信用记录", opened_at=at(2)), at=at(2))
    staff = auth.bearer(await auth.token(app, "staff"))

    async def fed(n: int):
        async def check() -> bool:
            return len((await client.get("/v1/feed", params={"uscc": uscc}, headers=staff)).json()["items"]) == n
        return check

    await eventually(await fed(1))
    await publish(registered_on(registered, uscc, 2), at=at(2))
    await eventually(await fed(2))
    view = (await client.get(f"/v1/code/{uscc}", params={"as_of": "2026-03-02"})).json()
    assert view["credit"] is not None and view["credit"]["colour"] == "green", view
    assert view["pending_sources"] == ["party", "procurement"]


async def test_as_of_keeps_what_earlier_steps_of_the_same_report_said(events_gateway, auth, publish, registered,
                                                                       make_uscc) -> None:
    from yishe_contracts.events.registry import (
        AnnualReportFirstInstanceReviewed,
        AnnualReportSubmitted,
        FirstInstanceDecision,
    )

    app, client = events_gateway
    uscc = make_uscc()
    await publish(registered_on(registered, uscc, 2), at=at(2))
    await publish(AnnualReportSubmitted(uscc=uscc, year=2025, submitted_at=at(3), deadline=date(2026, 3, 1),
                                        late=True, party_building_section=True), at=at(3))
    await publish(AnnualReportFirstInstanceReviewed(uscc=uscc, year=2025, decision=FirstInstanceDecision.PASSED,
                                                    decided_on=date(2026, 3, 4), deadline=date(2026, 5, 31)),
                  at=at(4))
    staff = auth.bearer(await auth.token(app, "staff"))

    async def all_three() -> bool:
        return len((await client.get("/v1/feed", params={"uscc": uscc}, headers=staff)).json()["items"]) == 3

    await eventually(all_three)
    report = (await client.get(f"/v1/code/{uscc}", params={"as_of": "2026-03-04"}, headers=staff)).json()
    report = report["organisation"]["annual_report"]
    assert report["year"] == 2025 and report["event"] == "first_instance_reviewed"
    assert report["late"] is True  # from the submission: the first instance does not say, and does not undo it


async def _imported_with_lists(events_gateway, auth, nats_server, registered, make_uscc):
    """The issue's organisation: imported on 2026-11-01 with its 2023 registration; on 2026-11-10 staff recorded its
    abnormal listing of 2024-06-01 and its move to the serious list on 2026-06-01 (CR-11); colours decided then."""
    from yishe_contracts.envelope import Envelope
    from yishe_kit.testing import publish_envelope

    app, client = events_gateway
    uscc = make_uscc()
    imported, recorded = datetime(2026, 11, 1, 2, tzinfo=UTC), datetime(2026, 11, 10, 2, tzinfo=UTC)

    async def send(event, at: datetime, effective: date | None = None) -> None:
        envelope = Envelope.wrap(event, source=event.subject_name.split(".")[0], effective_date=effective, time=at)
        await publish_envelope(nats_server.url, envelope)

    org = registered(uscc).model_copy(update={"registration_date": date(2023, 3, 15), "registered_at": imported})
    await send(org, imported)
    # credit opens the profile while handling the registration: the kit outbox dates it by its cause
    await send(CreditProfileOpened(uscc=uscc, name=org.name, colour="green", colour_rule="CODE-3",
                                   colour_reason="无异常信用记录", opened_at=imported), imported, date(2023, 3, 15))
    listing = {"uscc": uscc, "decided_by": "温州市民政局"}
    await send(ListingChanged(**listing, list_type=CreditList.ABNORMAL, action=ListingAction.LISTED, trigger="CR-6.6",
                              reason="通过登记的住所无法取得联系", listed_on=date(2024, 6, 1), abnormal_listed=True,
                              serious_listed=False), recorded)
    # as credit's daily job escalates (CR-11): the serious entry listed, then the abnormal entry ended as escalated
    await send(ListingChanged(**listing, list_type=CreditList.SERIOUS, action=ListingAction.LISTED,
                              trigger="CR-12.1", reason="列入活动异常名录满2年", listed_on=date(2026, 6, 1),
                              rule="CR-12.1", abnormal_listed=False, serious_listed=True), recorded)
    await send(ListingChanged(**listing, list_type=CreditList.ABNORMAL, action=ListingAction.ESCALATED,
                              trigger="CR-6.6", reason="通过登记的住所无法取得联系", listed_on=date(2024, 6, 1),
                              rule="CR-11", removed_on=date(2026, 6, 1), abnormal_listed=False,
                              serious_listed=True), recorded)
    await send(ColourChanged(uscc=uscc, from_colour="green", to_colour="red", rule="CODE-3",
                             reason="列入严重违法失信名单", changed_at=recorded, as_of=date(2026, 11, 10)), recorded)
    staff = auth.bearer(await auth.token(app, "staff"))

    async def all_six() -> bool:
        return len((await client.get("/v1/feed", params={"uscc": uscc}, headers=staff)).json()["items"]) == 6

    await eventually(all_six)
    return client, uscc


async def test_as_of_shows_imported_and_back_dated_records_on_the_days_they_took_effect(
        events_gateway, auth, nats_server, registered, make_uscc) -> None:
    """CODE-5 with CR-6, CR-11: as effective on each day, as known now, although everything was recorded in
    November 2026 (before effective dates the gateway answered 404 for every past day)."""
    client, uscc = await _imported_with_lists(events_gateway, auth, nats_server, registered, make_uscc)

    async def as_of(day: str) -> dict:
        resp = await client.get(f"/v1/code/{uscc}", params={"as_of": day})
        assert resp.status_code == 200, resp.text
        return resp.json()

    before = await client.get(f"/v1/code/{uscc}", params={"as_of": "2023-03-14"})
    assert before.status_code == 404 and before.json()["code"] == "no_history_for_date"
    registered_only = await as_of("2023-03-15")
    assert registered_only["organisation"]["registration_date"] == "2023-03-15"
    assert registered_only["credit"]["list_entries"] == [] and registered_only["credit"]["colour"] == "green"
    abnormal = await as_of("2025-01-01")
    assert abnormal["credit"]["abnormal_listed"] is True and abnormal["credit"]["serious_listed"] is False
    assert [(e["list_type"], e["listed_on"]) for e in abnormal["credit"]["list_entries"]] == [
        ("abnormal", "2024-06-01")]
    serious = await as_of("2026-07-01")
    assert serious["credit"]["abnormal_listed"] is False and serious["credit"]["serious_listed"] is True
    assert [(e["list_type"], e["listed_on"]) for e in serious["credit"]["list_entries"]] == [
        ("serious", "2026-06-01")]
    assert serious["history_basis"] == "effective_date" and serious["last_effective_date"] == "2026-06-01"
    today = await as_of("2026-11-10")
    assert today["credit"]["colour"] == "red"
    # CODE-3 + CODE-5: the colour follows the lists as effective that day, although credit re-coloured (green →
    # red) only on 2026-11-10, when it recorded both listings: orange from the abnormal listing's day, red from the
    # escalation's; staff see since when.
    staff = auth.bearer(await auth.token(events_gateway[0], "staff"))

    async def colour_on(day: str) -> tuple:
        credit = (await client.get(f"/v1/code/{uscc}", params={"as_of": day}, headers=staff)).json()["credit"]
        return credit["colour"], credit["colour_rule"], credit["colour_since"]

    assert await colour_on("2024-05-31") == ("green", "CODE-3", "2023-03-15")
    assert await colour_on("2024-06-01") == ("orange", "CODE-3/CR-6", "2024-06-01")
    assert await colour_on("2026-05-31") == ("orange", "CODE-3/CR-6", "2024-06-01")
    assert await colour_on("2026-06-01") == ("red", "CODE-3/CR-12", "2026-06-01")
    assert await colour_on("2026-11-10") == ("red", "CODE-3", "2026-11-10")


async def test_known_on_answers_as_known_at_the_end_of_that_day(events_gateway, auth, nats_server, registered,
                                                                make_uscc) -> None:
    """CODE-5: `known_on` leaves out what was recorded later (the listings recorded on 2026-11-10)."""
    client, uscc = await _imported_with_lists(events_gateway, auth, nats_server, registered, make_uscc)

    async def view(**params) -> dict:
        resp = await client.get(f"/v1/code/{uscc}", params=params)
        assert resp.status_code == 200, resp.text
        return resp.json()

    earlier = await view(as_of="2025-01-01", known_on="2026-11-05")
    assert earlier["known_on"] == "2026-11-05" and earlier["credit"]["list_entries"] == []
    later = await view(as_of="2025-01-01", known_on="2026-11-10")
    assert later["credit"]["abnormal_listed"] is True
    assert (await view(known_on="2026-11-05"))["as_of_date"] == "2026-11-05"  # alone: as known and effective then
    unknown = await client.get(f"/v1/code/{uscc}", params={"as_of": "2025-01-01", "known_on": "2026-10-31"})
    assert unknown.status_code == 404
    bad = await client.get(f"/v1/code/{uscc}", params={"as_of": "2025-01-01", "known_on": "2026-13-01"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_known_on"


async def test_as_of_outside_1949_2200_is_400_naming_the_field(echo_gateway, make_uscc) -> None:
    """Issue 12: `?as_of=9999-12-31` on the 一社一码 lookup was a 500 (its end of day does not exist)."""
    _, client = echo_gateway
    for day in ("9999-12-31", "0001-01-01", "1948-12-31"):
        resp = await client.get(f"/v1/code/{make_uscc()}", params={"as_of": day})
        assert resp.status_code == 400, resp.text
        assert resp.json()["errors"][0]["field"] == "as_of"


async def test_as_of_shows_bids_refusals_and_awards_from_their_own_days(events_gateway, auth, publish, registered,
                                                                        make_uscc) -> None:
    """CODE-5 with PROC-4: a bid counts from its bid date, a refused bid (with its frozen reasons) from its bid date,
    the award from its award date — all recorded on the 20th."""
    from decimal import Decimal

    from yishe_contracts.events.procurement import BidRefused, BidSubmitted, ProjectAwarded, RefusalReason

    app, client = events_gateway
    uscc = make_uscc()
    await publish(registered_on(registered, uscc, 2), at=at(2))
    project = {"uscc": uscc, "project_id": "p-1", "ocid": "ocds-yishe-330302-2026-0001", "title": "养老服务项目",
               "amount": Decimal("380000.00")}
    await publish(BidRefused(**project | {"project_id": "p-0"}, refusal_id="r-1", code="bidder_ineligible",
                             reasons=[RefusalReason(field="uscc", rule="PROC-4", code="annual_report",
                                                    message_zh="未报送上一年度工作报告", message="no annual report")],
                             bid_date=date(2026, 3, 6)), at=at(20))
    await publish(BidSubmitted(**project, bid_id="b-1", preferred=False, bid_date=date(2026, 3, 8)), at=at(20))
    await publish(ProjectAwarded(**project, award_id="a-1", bid_id="b-1", decided_by="only_bid",
                                 award_date=date(2026, 3, 15)), at=at(20))
    staff = auth.bearer(await auth.token(app, "staff"))

    async def all_four() -> bool:
        return len((await client.get("/v1/feed", params={"uscc": uscc}, headers=staff)).json()["items"]) == 4

    await eventually(all_four)

    async def procurement(day: str) -> dict | None:
        resp = await client.get(f"/v1/code/{uscc}", params={"as_of": day}, headers=staff)
        assert resp.status_code == 200, resp.text
        return resp.json()["procurement"]

    assert await procurement("2026-03-05") is None
    refused = await procurement("2026-03-06")
    assert [(r["refusal_id"], r["reasons"][0]["rule"]) for r in refused["refused_bids"]] == [("r-1", "PROC-4")]
    assert "bids" not in refused
    assert "bids" not in await procurement("2026-03-07")
    bid = await procurement("2026-03-08")
    assert [(b["bid_id"], b["status"], b["bid_date"]) for b in bid["bids"]] == [("b-1", "submitted", "2026-03-08")]
    assert "awards" not in await procurement("2026-03-14")
    awarded = await procurement("2026-03-15")
    assert [(a["award_id"], a["award_date"]) for a in awarded["awards"]] == [("a-1", "2026-03-15")]
    assert awarded["bids"][0]["status"] == "awarded"
    public = (await client.get(f"/v1/code/{uscc}", params={"as_of": "2026-03-15"})).json()["procurement"]
    assert "bids" not in public and "refused_bids" not in public  # CODE-4: not in the public view


def test_listed_colour_follows_code3_order_and_the_three_colour_mode() -> None:
    """CODE-3: serious → red, else abnormal → orange (yellow in three-colour mode); a stronger colour decided for
    another reason stays (e.g. red for a revocation while abnormal-listed)."""
    from yishe_gateway.profile.asof import _listed_colour

    def credit(colour: str, rule: str, *entries: tuple[str, str]) -> dict:
        return {"colour": colour, "colour_rule": rule, "colour_since": "2023-01-01", "list_entries": [
            {"list_type": t, "listed_on": on, "reason": "未按规定报送年度工作报告"} for t, on in entries]}

    orange = credit("green", "CODE-3", ("abnormal", "2024-06-01"))
    _listed_colour(orange, "five")
    assert (orange["colour"], orange["colour_rule"], orange["colour_since"]) == ("orange", "CODE-3/CR-6", "2024-06-01")
    assert orange["colour_reason"] == "列入活动异常名录：未按规定报送年度工作报告"
    folded = credit("yellow", "CODE-3/AR-1", ("abnormal", "2024-06-01"))
    _listed_colour(folded, "three")
    assert (folded["colour"], folded["colour_rule"]) == ("yellow", "CODE-3/CR-6")
    red = credit("orange", "CODE-3/CR-6", ("abnormal", "2024-06-01"), ("serious", "2026-06-01"))
    _listed_colour(red, "five")
    assert (red["colour"], red["colour_rule"], red["colour_since"]) == ("red", "CODE-3/CR-12", "2026-06-01")
    revoked = credit("red", "CODE-3/CR-12.7", ("abnormal", "2024-06-01"))
    _listed_colour(revoked, "five")
    assert (revoked["colour"], revoked["colour_rule"]) == ("red", "CODE-3/CR-12.7")
    _listed_colour(None, "five")  # no credit section yet: nothing to colour
