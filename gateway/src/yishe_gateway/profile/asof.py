"""CODE-5: the profile as effective on a day D (China time), folded from the organisation's events in the gateway's
change feed. "As effective on D, as known now": every event counts on the business date it takes effect (the
envelope's `effectivedate`: an imported registration on its registration date, a listing on its decision date, a
grade on its first valid day), however late it was recorded, so imported and back-dated records show on the days
they took effect. `known_on=K` answers "as known at the end of day K" instead: only events recorded by then count.
It covers what the events carry (registration facts and status, colour and lists, grade, annual reports, the
Party-building route, bids accepted or refused, awards, contracts, evaluations); the services' live answers are for
today."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.clock import BUSINESS_TZ, business_date
from yishe_kit.errors import NotFound

from ..exchange.models import FeedEntry

ORG_FIELDS = ("uscc", "name", "org_type", "division_code", "address", "business_scope", "supervisory_unit",
              "status", "registration_date", "registered_at", "party_full_members", "party_probationary_members",
              "category", "sector", "community_class")
REGISTERED = "registry.organisation.registered.v1"


def end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=BUSINESS_TZ)


def effective_day(entry: FeedEntry) -> date:
    """The day an entry takes effect; entries stored before effective dates existed count on their China date."""
    return entry.effective_date or business_date(entry.occurred_at)


async def profile_as_of(session: AsyncSession, uscc: str, day: date, known_on: date | None = None,
                        colour_mode: str = "five") -> dict[str, Any]:
    """The profile as effective at the end of `day`, from what was recorded by the end of `known_on` (default: now);
    `colour_mode`: CODE-3 as credit runs it (three colours fold orange into yellow)."""
    rows = list(await session.scalars(select(FeedEntry).where(FeedEntry.uscc == uscc).order_by(FeedEntry.seq)))
    if known_on is not None:
        known_by = end_of_day(known_on)
        rows = [r for r in rows if r.occurred_at < known_by]
    # Effective order; on the same day the registration first (the gateway takes each owner's stream on its own
    # consumer, so credit's profile opened on the registration day can reach the feed before the registration it
    # answers), then the order in which they were recorded.
    history = sorted(((effective_day(r), r.subject != REGISTERED, r.occurred_at, r.seq, r) for r in rows
                      if effective_day(r) <= day), key=lambda item: item[:4])
    if not any(r.subject == REGISTERED for *_, r in history):
        raise NotFound("no_history_for_date", f"{uscc} has no registration on record effective on or before "
                       f"{day.isoformat()}" + (f" as known on {known_on.isoformat()}" if known_on else ""))
    profile: dict[str, Any] = {"uscc": uscc, "organisation": None, "credit": None, "party": None,
                               "procurement": None}
    for on, _, _, _, row in history:
        _apply(profile, row.subject.rsplit(".", 1)[0], row.data, on)
    _listed_colour(profile["credit"], colour_mode)
    last = max((r.occurred_at for *_, r in history), default=None)
    pending = [s for s in ("credit", "party", "procurement") if profile[s] is None]
    return profile | {"missing_sources": [], "pending_sources": pending, "as_of": end_of_day(day).isoformat(),
                      "as_of_date": day.isoformat(), "known_on": known_on.isoformat() if known_on else None,
                      "last_effective_date": history[-1][0].isoformat(),
                      "last_event_at": last.isoformat() if last else None, "history_source": "events",
                      "history_basis": "effective_date"}


def _apply(p: dict[str, Any], kind: str, d: dict[str, Any], on: date) -> None:
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
                                             "serious_listed")} | {"list_entries": [], "colour_since": on.isoformat()}
    elif kind == "credit.colour.changed" and credit is not None:
        # A colour takes effect on the day credit dates it: the day of the listing (or removal) that caused it, else
        # the day it was decided; `colour_since` says from which day. The lists in effect then still come first
        # (`_listed_colour`).
        credit.update(colour=d.get("to_colour"), colour_rule=d.get("rule"), colour_reason=d.get("reason"),
                      colour_since=on.isoformat())
    elif kind == "credit.listing.changed":
        if credit is None:  # a listing effective before the profile opened (e.g. imported history)
            credit = p["credit"] = {"colour": None, "colour_rule": None, "colour_reason": None, "list_entries": []}
        credit.update(abnormal_listed=d.get("abnormal_listed"), serious_listed=d.get("serious_listed"))
        entry = {k: d.get(k) for k in ("list_type", "action", "trigger", "reason", "listed_on", "removable_from",
                                       "removed_on", "decided_by")}
        credit["list_entries"] = [e for e in credit["list_entries"] if e["list_type"] != d.get("list_type")]
        if d.get("action") != "removed" and not d.get("removed_on"):  # escalated (CR-11) ends the entry too
            credit["list_entries"].append(entry)
    elif kind == "party.record.opened":
        p["party"] = {k: d.get(k) for k in ("route", "route_rule", "full_members", "probationary_members",
                                            "capture_task_due")}
    elif kind == "party.route.changed" and party is not None:
        party.update(route=d.get("to_route"), route_rule=d.get("route_rule"), full_members=d.get("full_members"),
                     probationary_members=d.get("probationary_members"))
    elif kind == "party.coverage.changed" and party is not None:
        party.update(coverage_required=d.get("required"), covered=d.get("covered"), coverage_reason=d.get("reason"))
    elif kind == "procurement.bid.submitted":
        _procurement(p).setdefault("bids", []).append(
            {k: d.get(k) for k in ("bid_id", "project_id", "ocid", "title", "amount", "preferred", "bid_date")}
            | {"status": "submitted"})
    elif kind == "procurement.bid.refused":  # PROC-4/6/8: refused, with the reasons frozen on the bid date
        _procurement(p).setdefault("refused_bids", []).append(
            {k: d.get(k) for k in ("refusal_id", "project_id", "ocid", "title", "amount", "code", "reasons",
                                   "bid_date")})
    elif kind == "procurement.project.awarded":
        proc = _procurement(p)
        proc.setdefault("awards", []).append(
            {k: d.get(k) for k in ("award_id", "bid_id", "project_id", "ocid", "title", "amount", "decided_by",
                                   "award_date")})
        for bid in proc.get("bids", []):
            if bid["bid_id"] == d.get("bid_id"):
                bid["status"] = "awarded"
    elif kind == "procurement.contract.awarded":
        proc = _procurement(p)
        proc["contracts"] = proc.get("contracts", 0) + 1
        proc.setdefault("contracts_awarded", []).append(
            {k: d.get(k) for k in ("contract_id", "ocid", "title", "amount", "purchaser", "awarded_on")})
    elif kind == "procurement.performance.evaluated":
        proc = _procurement(p)
        proc.setdefault("evaluations", []).append(
            {k: d.get(k) for k in ("contract_id", "score", "result", "evaluator", "evaluated_on")})


LIST_COLOURS = (("serious", "red", "CODE-3/CR-12", "列入严重违法失信名单"),
                ("abnormal", "orange", "CODE-3/CR-6", "列入活动异常名录"))
RANK = {"red": 0, "orange": 1, "yellow": 2, "blue": 3, "green": 4}


def _listed_colour(credit: dict[str, Any] | None, mode: str) -> None:
    """CODE-3's first rows from the lists as effective that day: on the serious list → red (CR-12), else on the
    abnormal list → orange (CR-6; yellow in three-colour mode), unless a colour as strong already holds. A listing
    dated before credit last re-coloured (a back-dated listing, or one listed and escalated in one daily run) so
    colours the days it was in effect, as credit would have coloured them then (CODE-5)."""
    if credit is None:
        return
    for list_type, colour, rule, prefix in LIST_COLOURS:
        entries = [e for e in credit.get("list_entries") or [] if e.get("list_type") == list_type]
        if not entries:
            continue
        if mode == "three" and colour == "orange":
            colour = "yellow"
        current = credit.get("colour")
        if current is not None and RANK.get(current, 9) <= RANK[colour] and current != "yellow":
            return
        if current == colour == "yellow" and str(credit.get("colour_rule") or "").startswith(rule):
            return
        since = min(str(e.get("listed_on")) for e in entries)
        reasons = "；".join(dict.fromkeys(str(e["reason"]) for e in entries if e.get("reason")))
        credit.update(colour=colour, colour_rule=rule, colour_reason=prefix + (f"：{reasons}" if reasons else ""),
                      colour_since=max(since, str(credit.get("colour_since") or since)))
        return


def _procurement(p: dict[str, Any]) -> dict[str, Any]:
    """The procurement section, opened by the organisation's first procurement event."""
    proc: dict[str, Any] = p["procurement"] or {"contracts": 0}
    p["procurement"] = proc
    return proc
