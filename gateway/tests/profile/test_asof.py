"""CODE-5: the profile as it stood at the end of a past day (China time), folded from the organisation's events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from yishe_contracts.events.credit import ColourChanged, CreditList, CreditProfileOpened, ListingAction, ListingChanged
from yishe_kit.testing import eventually

pytestmark = pytest.mark.nats
CHINA = timezone(timedelta(hours=8))


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=CHINA).astimezone(UTC)


async def test_as_of_shows_colour_and_lists_of_that_day(events_gateway, auth, publish, registered,
                                                        make_uscc) -> None:
    app, client = events_gateway
    uscc = make_uscc()
    await publish(registered(uscc), at=at(2))
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


async def test_as_of_keeps_what_earlier_steps_of_the_same_report_said(events_gateway, auth, publish, registered,
                                                                       make_uscc) -> None:
    from datetime import date

    from yishe_contracts.events.registry import (
        AnnualReportFirstInstanceReviewed,
        AnnualReportSubmitted,
        FirstInstanceDecision,
    )

    app, client = events_gateway
    uscc = make_uscc()
    await publish(registered(uscc), at=at(2))
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
