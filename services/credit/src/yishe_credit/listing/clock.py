"""When an entry may leave its list: CR-9 (re-listing restarts the clock), CR-10, CR-11, CR-13."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..config import Settings
from ..dates import add_months, add_years
from .models import ListingEntry
from .rules import TRIGGERS


@dataclass(frozen=True)
class Refusal:
    rule: str
    possible_from: date | None
    message_zh: str
    message_en: str


def _counted(entries: list[ListingEntry]) -> list[ListingEntry]:
    """Entries corrected away after an objection (CR-15) were errors and never count."""
    return [e for e in entries if e.end_rule != "CR-15"]


def abnormal_clock_start(entries: list[ListingEntry]) -> date | None:
    """CR-9: the abnormal-list period runs from the most recent listing while on the list."""
    active = [e.listed_on for e in entries if e.list_type == "abnormal" and e.status == "active"]
    return max(active) if active else None


def serious_clock_start(entries: list[ListingEntry]) -> date | None:
    """CR-13 + CR-9: two clean years counted from the latest listing (either list) since the serious listing."""
    active = [e.listed_on for e in entries if e.list_type == "serious" and e.status == "active"]
    if not active:
        return None
    first = min(active)
    return max(e.listed_on for e in _counted(entries) if e.listed_on >= first)


def auto_removal_date(entries: list[ListingEntry], settings: Settings) -> date | None:
    start = abnormal_clock_start(entries)
    return add_months(start, settings.listing.auto_removal_months) if start else None


def escalation_date(entry: ListingEntry, settings: Settings) -> date:
    """CR-11: an abnormal entry still unresolved after 2 full years escalates (counted from its own listing)."""
    return add_years(entry.listed_on, settings.listing.escalation_years)


def removable_from(entry: ListingEntry, entries: list[ListingEntry], settings: Settings) -> date | None:
    """The earliest date the rules allow removal, where it is a date (None: after an obligation or 注销)."""
    if entry.list_type == "abnormal":
        return None if entry.requires_obligation else auto_removal_date(entries, settings)
    if TRIGGERS[entry.trigger].removed_at_deregistration:
        return None
    start = serious_clock_start(entries)
    return add_years(start, settings.listing.serious_removal_years) if start else None


def removal_refusal(entry: ListingEntry, entries: list[ListingEntry], settings: Settings, on: date
                    ) -> Refusal | None:
    """Why this entry may not be removed on `on` (with the date it becomes possible), or None."""
    if entry.list_type == "abnormal":
        if entry.requires_obligation:
            if entry.obligation_met_on is None:
                return Refusal("CR-10", None, f"尚未履行义务（{entry.obligation}），履行后方可申请移出",
                               f"the obligation ({entry.obligation}) has not been performed yet")
            return None
        possible = auto_removal_date(entries, settings)
        if possible and on < possible:
            return Refusal("CR-10", possible, f"列入满{settings.listing.auto_removal_months}个月（{possible}）后移出"
                           "（CR-9：期间再次列入的，重新计算）",
                           f"removable once {settings.listing.auto_removal_months} full months have passed "
                           f"({possible})")
        return None
    if TRIGGERS[entry.trigger].removed_at_deregistration:
        return Refusal("CR-13", None, "因被吊销登记证书或撤销登记列入的，办理注销登记后由登记管理机关移出",
                       "listed for revocation/cancellation: removed by the authority once deregistration (注销) "
                       "completes")
    start = serious_clock_start(entries)
    possible = add_years(start, settings.listing.serious_removal_years) if start else None
    if possible and on < possible:
        years = settings.listing.serious_removal_years
        return Refusal("CR-13", possible, f"列入满{years}年且期间未再被列入（{possible}）后方可申请移出",
                       f"removable from {possible}: {years} full years on the list with no new listing")
    if entry.requires_obligation and entry.obligation_met_on is None:
        return Refusal("CR-13", None, f"尚未履行义务、完成整改（{entry.obligation}）",
                       f"the obligation ({entry.obligation}) has not been performed yet")
    return None
