"""Every listing has its true date (issue 13, CR-6/CR-9/CR-10/CR-11): an entry is dated by the day its rule fixes,
not by the day the daily job noticed it; a job that runs late, after missed days, catches up day by day."""

from __future__ import annotations

from datetime import date

from credit_factories import apply_fact, daily, events, list_manually, open_org, profile

from yishe_contracts.events.registry import AnnualReportOverdue
from yishe_credit.record import facts as record_facts


async def _overdue(app, uscc: str, year: int = 2025) -> None:
    """The year's report is overdue: a CR-6.1 trigger due on 1 June of the next year."""
    await apply_fact(app, record_facts.report_overdue, AnnualReportOverdue(
        uscc=uscc, year=year, deadline=date(year + 1, 5, 31), as_of=date(year + 1, 6, 1)))


def _entries(body: dict, list_type: str) -> list[dict]:
    return [e for e in body["list_entries"] if e["list_type"] == list_type]


async def test_abnormal_listing_dated_by_due_day_when_job_runs_late(client, app) -> None:
    """CR-6.1: due 2026-06-01, the first job runs on 2026-06-20: listed on 2026-06-01 (and escalates 2028-06-01)."""
    uscc = await open_org(app)
    await _overdue(app, uscc)
    await daily(client, date(2026, 6, 20))
    [entry] = _entries(await profile(client, uscc), "abnormal")
    assert (entry["listed_on"], entry["escalates_on"]) == ("2026-06-01", "2028-06-01")
    [event] = await events(app, "credit.listing.changed.v1", uscc)
    assert (event["action"], event["listed_on"]) == ("listed", "2026-06-01")


async def test_escalation_dated_two_full_years_after_listing_when_job_runs_late(client, app) -> None:
    """CR-11 / CR-12.1: two full years end 2028-06-01; a job first run on 2028-07-15 still escalates on 2028-06-01
    (the serious list's 2 years, CR-13, count from there)."""
    uscc = await open_org(app)
    await _overdue(app, uscc)
    await daily(client, date(2026, 6, 1))
    await daily(client, date(2028, 7, 15))
    body = await profile(client, uscc)
    [serious] = _entries(body, "serious")
    [abnormal] = _entries(body, "abnormal")
    assert (serious["trigger"], serious["listed_on"]) == ("CR-12.1", "2028-06-01")
    assert abnormal["removed_on"] == "2028-06-01"
    listing = await events(app, "credit.listing.changed.v1", uscc)
    assert [(e["action"], e["listed_on"], e["removed_on"]) for e in listing[1:]] == [
        ("listed", "2028-06-01", None), ("escalated", "2026-06-01", "2028-06-01")]
    assert listing[1]["removable_from"] == "2030-06-01"


async def test_catch_up_removes_after_six_months_before_a_later_listing_when_days_were_missed(client, app) -> None:
    """CR-10 then CR-6.1 over missed days: a warning listed 2025-11-01 (nothing to rectify) ends 2026-05-01; the
    overdue report lists anew on 2026-06-01. One job run on 2026-06-10 gives both, in that order — not a CR-9
    re-listing that would have kept the warning on the list until December."""
    uscc = await open_org(app)
    warned = await list_manually(client, uscc, trigger="CR-6.5", on=date(2025, 11, 1), requires_obligation=False)
    assert warned.status_code == 201, warned.text
    await _overdue(app, uscc)
    result = await daily(client, date(2026, 6, 10))
    mine = [(c["what"], c["rule"]) for c in result["changes"] if c["uscc"] == uscc]
    assert mine[:2] == [("abnormal_removed", "CR-10"), ("abnormal_listed", "CR-6.1")]
    entries = {e["trigger"]: e for e in _entries(await profile(client, uscc), "abnormal")}
    assert entries["CR-6.5"]["removed_on"] == "2026-05-01"
    assert entries["CR-6.1"]["listed_on"] == "2026-06-01"
    listing = await events(app, "credit.listing.changed.v1", uscc)
    assert [(e["action"], e["rule"]) for e in listing] == [("listed", "CR-6.5"), ("removed", "CR-10"),
                                                          ("listed", "CR-6.1")]
