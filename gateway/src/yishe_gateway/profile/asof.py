"""CODE-5: the profile as it stood at the end of a past day (China time), folded from the organisation's events in
the gateway's change feed. It covers what the events carry (registration facts and status, colour and lists,
grade, annual reports, Party-building route, contracts); the services' live answers are for today."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.errors import NotFound

from ..exchange.models import FeedEntry

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
ORG_FIELDS = ("uscc", "name", "org_type", "division_code", "address", "business_scope", "supervisory_unit",
              "status", "registration_date", "registered_at", "party_full_members", "party_probationary_members",
              "category", "sector", "community_class")


def end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=CHINA)


async def profile_as_of(session: AsyncSession, uscc: str, day: date) -> dict[str, Any]:
    rows = list(await session.scalars(
        select(FeedEntry).where(FeedEntry.uscc == uscc, FeedEntry.occurred_at < end_of_day(day))
        .order_by(FeedEntry.occurred_at, FeedEntry.seq)))
    if not any(r.subject == "registry.organisation.registered.v1" for r in rows):
        raise NotFound("no_history_for_date", f"{uscc} has no registration on record on or before {day.isoformat()}")
    profile: dict[str, Any] = {"uscc": uscc, "organisation": None, "credit": None, "party": None,
                               "procurement": None}
    for row in rows:
        _apply(profile, row.subject.rsplit(".", 1)[0], row.data, row.occurred_at)
    last = rows[-1].occurred_at if rows else None
    pending = [s for s in ("credit", "party", "procurement") if profile[s] is None]
    return profile | {"missing_sources": [], "pending_sources": pending, "as_of": end_of_day(day).isoformat(),
                      "as_of_date": day.isoformat(), "last_event_at": last.isoformat() if last else None,
                      "history_source": "events"}


def _apply(p: dict[str, Any], kind: str, d: dict[str, Any], at: datetime) -> None:
    org, credit, party = p["organisation"], p["credit"], p["party"]
    if kind == "registry.organisation.registered":
        p["organisation"] = {k: d.get(k) for k in ORG_FIELDS} | {
            "legal_representative": {"name": d.get("legal_representative"), "id_number": None, "phone": None}}
    elif org is None:
        pass  # nothing about the organisation can be shown before its registration
    elif kind == "registry.organisation.changed":
        for field, change in (d.get("changes") or {}).items():
            if field == "legal_representative":
                org["legal_representative"]["name"] = change.get("after")
            else:
                org[field] = change.get("after")
    elif kind == "registry.organisation.status_changed":
        org["status"], org["status_reason"] = d.get("to_status"), d.get("reason")
    elif kind == "registry.grade.changed":
        org["grade"], org["grade_valid_from"], org["grade_valid_until"] = (
            d.get("grade"), d.get("valid_from"), d.get("valid_until"))
    elif kind.startswith("registry.annual_report."):
        report = {"year": d.get("year"), "event": kind.rsplit(".", 1)[1], "late": d.get("late"),
                  "result": d.get("result"), "deadline": d.get("deadline")}
        report = {k: v for k, v in report.items() if v is not None}
        current = org.get("annual_report")
        # Later steps of the same year's report (first instance, review, disclosure) add to what was known.
        same_year = current is not None and current.get("year") == report.get("year")
        org["annual_report"] = {**current, **report} if same_year else report
    elif kind == "registry.qualification.changed":
        org.setdefault("qualifications", {})[d.get("qualification")] = {
            "status": d.get("change"), "valid_from": d.get("valid_from"), "valid_until": d.get("valid_until")}
    elif kind == "credit.profile.opened":
        p["credit"] = {k: d.get(k) for k in ("colour", "colour_rule", "colour_reason", "abnormal_listed",
                                             "serious_listed")} | {"list_entries": []}
    elif kind == "credit.colour.changed" and credit is not None:
        credit.update(colour=d.get("to_colour"), colour_rule=d.get("rule"), colour_reason=d.get("reason"))
    elif kind == "credit.listing.changed" and credit is not None:
        credit.update(abnormal_listed=d.get("abnormal_listed"), serious_listed=d.get("serious_listed"))
        entry = {k: d.get(k) for k in ("list_type", "action", "trigger", "reason", "listed_on", "removable_from",
                                       "removed_on", "decided_by")}
        credit["list_entries"] = [e for e in credit["list_entries"] if e["list_type"] != d.get("list_type")]
        if d.get("action") != "removed":
            credit["list_entries"].append(entry)
    elif kind == "party.record.opened":
        p["party"] = {k: d.get(k) for k in ("route", "route_rule", "full_members", "probationary_members",
                                            "capture_task_due")}
    elif kind == "party.route.changed" and party is not None:
        party.update(route=d.get("to_route"), route_rule=d.get("route_rule"), full_members=d.get("full_members"),
                     probationary_members=d.get("probationary_members"))
    elif kind == "party.coverage.changed" and party is not None:
        party.update(coverage_required=d.get("required"), covered=d.get("covered"), coverage_reason=d.get("reason"))
    elif kind == "procurement.contract.awarded":
        p["procurement"] = p["procurement"] or {"contracts": 0}
        p["procurement"]["contracts"] = p["procurement"].get("contracts", 0) + 1
