"""Coverage rates and the coverage flag (PARTY-5; CR-6.2 when an own Party organisation is required and missing)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.party import CoverageChanged, FormationRoute
from yishe_kit import clock
from yishe_kit.access import listing_prefix, require_role
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import Settings
from ..party_org import service as party_org_service
from ..record import service as record_service
from ..roles import OVERSIGHT_READERS
from ..talent import service as talent_service
from .schemas import CoverageChangeRead, CoverageReport, CoverageRow, UncoveredRead

if TYPE_CHECKING:
    from ..record.models import PartyRecord

UNCOVERED_REASONS = {
    FormationRoute.OWN_ORGANISATION: "正式党员3名以上但未按规定单独建立党组织",
    FormationRoute.JOINT_BRANCH: "正式党员不足3名，尚未纳入联合党支部",
    FormationRoute.INSTRUCTOR: "无正式党员，尚未选派党建工作指导员或指定“1+N”带动组织",
}
COVERED_REASONS = {
    FormationRoute.OWN_ORGANISATION: "已单独建立党组织",
    FormationRoute.JOINT_BRANCH: "已纳入党组织（联合党支部）",
    FormationRoute.INSTRUCTOR: "已实现党的工作覆盖（党建工作指导员或“1+N”）",
}


@dataclass(frozen=True)
class Snapshot:
    """Who is covered on a day: by a Party organisation (uscc → own/joint) and by work coverage."""

    day: date
    organisations: dict[str, str]
    work: set[str]

    def requirement_met(self, record: PartyRecord) -> bool:
        """PARTY-1: own organisation; PARTY-2: any Party organisation; PARTY-3: that or an instructor / "1+N"."""
        route = FormationRoute(record.route)
        if route is FormationRoute.OWN_ORGANISATION:
            return self.organisations.get(record.uscc) == "own"
        if route is FormationRoute.JOINT_BRANCH:
            return record.uscc in self.organisations
        return record.uscc in self.organisations or record.uscc in self.work


async def snapshot(session: AsyncSession, day: date, usccs: list[str] | None = None) -> Snapshot:
    """PARTY-13: a community organisation that reported to the community Party organisation is work-covered."""
    from ..community import service as community_service

    work = await talent_service.covered_on(session, day, usccs)
    work |= await community_service.reported_on(session, day, usccs)
    return Snapshot(day, await party_org_service.covering_on(session, day, usccs), work)


def _registered_by(record: PartyRecord, day: date) -> bool:
    return (record.registration_date or clock.business_date(record.opened_at)) <= day


def deadline(record: PartyRecord, settings: Settings) -> date:
    """The capture/formation deadline plus the grace days (PARTY-5) [P]."""
    return (record.formation_due or record.capture_task_due) + timedelta(days=settings.coverage_grace_days)


def _change(record: PartyRecord, *, covered: bool, required: bool, rule: str, reason: str, as_of: date,
            flag: str) -> CoverageChanged:
    record.coverage_flag, record.coverage_required, record.coverage_as_of = flag, required, as_of
    return CoverageChanged(uscc=record.uscc, required=required, covered=covered, route=FormationRoute(record.route),
                           rule=rule, reason=reason, due_date=record.formation_due or record.capture_task_due,
                           as_of=as_of)


def evaluate(record: PartyRecord, snap: Snapshot, settings: Settings) -> CoverageChanged | None:
    """PARTY-5 / CR-6.2: the coverage fact to publish for one organisation on `snap.day`, only when it changed.

    Not covered after the deadline → covered=False (required when the route is one credit lists under CR-6.2);
    covered again after a flag → covered=True; deregistered after a flag → required=False. Never backwards in time.
    """
    as_of = snap.day
    if record.coverage_as_of is not None and as_of < record.coverage_as_of:
        return None
    route = FormationRoute(record.route)
    required = route in settings.credit_required_routes
    if not record_service.is_active(record, as_of):
        if record.coverage_flag == "uncovered":
            return _change(record, covered=False, required=False, rule="PARTY-5", as_of=as_of, flag="left",
                           reason=f"社会组织已{record.status}，不再纳入党建覆盖")
        return None
    if snap.requirement_met(record):
        if record.coverage_flag == "uncovered":
            return _change(record, covered=True, required=required, rule=record.route_rule, as_of=as_of,
                           flag="covered", reason=COVERED_REASONS[route])
        return None
    if as_of <= deadline(record, settings):
        return None
    if record.coverage_flag == "uncovered" and record.coverage_required == required:
        return None
    return _change(record, covered=False, required=required, rule="CR-6.2" if required else "PARTY-5", as_of=as_of,
                   flag="uncovered", reason=UNCOVERED_REASONS[route])


async def flag_uncovered(session: AsyncSession, *, as_of: date, outbox: Outbox,
                         settings: Settings) -> list[CoverageChangeRead]:
    """Daily job (PARTY-5, CR-6.2): publish CoverageChanged for each organisation whose coverage fact changed."""
    records = [r for r in await record_service.in_division(session, "") if _registered_by(r, as_of)]
    snap = await snapshot(session, as_of)
    changes = []
    for record in records:
        event = evaluate(record, snap, settings)
        if event is not None:
            await outbox.emit(session, event)
            changes.append(CoverageChangeRead(uscc=event.uscc, covered=event.covered, required=event.required,
                                              route=event.route.value, rule=event.rule, reason=event.reason))
    await session.flush()
    return changes


def _rate(part: int, whole: int) -> Decimal:
    return (Decimal(part * 100) / whole).quantize(Decimal("0.01")) if whole else Decimal("0.00")


def _row(division: str, org_type: str, records: list[PartyRecord], snap: Snapshot) -> CoverageRow:
    org = sum(1 for r in records if r.uscc in snap.organisations)
    work = sum(1 for r in records if r.uscc in snap.organisations or r.uscc in snap.work)
    own_required = [r for r in records if r.route == FormationRoute.OWN_ORGANISATION.value]
    return CoverageRow(
        division_code=division, org_type=org_type, organisations=len(records), organisation_covered=org,
        work_covered=work, organisation_coverage_rate=_rate(org, len(records)),
        work_coverage_rate=_rate(work, len(records)), own_required=len(own_required),
        own_established=sum(1 for r in own_required if snap.organisations.get(r.uscc) == "own"),
        flagged_uncovered=sum(1 for r in records if r.coverage_flag == "uncovered"))


async def report(session: AsyncSession, principal: Principal, *, division: str | None,
                 as_of: date | None) -> CoverageReport:
    """党的组织覆盖率 and 党的工作覆盖率 by division and kind, of organisations registered and active on `as_of`."""
    require_role(principal, *OVERSIGHT_READERS, action_zh="查看党建覆盖情况")
    prefix = listing_prefix(principal, division) or ""
    day = as_of or clock.today()
    records = [r for r in await record_service.in_division(session, prefix)
               if _registered_by(r, day) and record_service.is_active(r, day)]
    snap = await snapshot(session, day)
    groups: dict[tuple[str, str], list[PartyRecord]] = defaultdict(list)
    for r in records:
        groups[(r.division_code, r.org_type)].append(r)
    rows = [_row(d, t, rs, snap) for (d, t), rs in sorted(groups.items())]
    from ..community import service as community_service

    community = await community_service.community_coverage(session, prefix, day,
                                                           [r.uscc for r in records if r.community])
    return CoverageReport(as_of=day, division=prefix, rows=rows, total=_row(prefix or "*", "*", records, snap),
                          community=community)


async def uncovered(session: AsyncSession, principal: Principal, *, division: str | None) -> list[UncoveredRead]:
    """Organisations currently flagged as not covered: the registry reminds them at their next filing (PARTY-5)."""
    require_role(principal, *OVERSIGHT_READERS, action_zh="查看未覆盖组织")
    records = await record_service.in_division(session, listing_prefix(principal, division) or "")
    return [UncoveredRead(uscc=r.uscc, org_name=r.org_name, division_code=r.division_code, route=r.route,
                          required=bool(r.coverage_required), flagged_as_of=r.coverage_as_of,
                          due_date=r.formation_due or r.capture_task_due)
            for r in records if r.coverage_flag == "uncovered"]
