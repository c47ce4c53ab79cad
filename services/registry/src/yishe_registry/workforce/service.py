"""Workforce rules: figures per organisation and year from annual reports and change filings, each emitted as
`registry.workforce.reported.v1` for the cultivation targets (WORK-1); the ≥ 1 full-time staff indicator (WORK-2,
seed 003) and the city total against 60,000 (WORK-3, seed 000)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.registry import WorkforceReported
from yishe_kit.access import listing_prefix, require_org_or_roles, require_role
from yishe_kit.errors import Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import RulesSettings
from ..errors import Refused
from ..organisation import service as organisation_service
from ..organisation.models import Organisation
from . import repository
from .models import WorkforceFigure
from .schemas import DivisionIndicator, WorkforceFiling, WorkforceIn, WorkforceIndicators

FIELDS = ("full_time_staff", "certified_social_workers", "volunteers")


def problems(data: WorkforceIn, prefix: str = "") -> list[Problem]:
    """WORK-1: head counts are whole numbers ≥ 0."""
    return [Problem(prefix + f, "WORK-1", "人数不能为负数", "a head count cannot be negative")
            for f in FIELDS if getattr(data, f) < 0]


async def record(session: AsyncSession, org: Organisation, year: int, data: WorkforceIn, source: str,
                 principal: Principal, outbox: Outbox, today: date) -> WorkforceFigure:
    """WORK-1: the year's figures (the latest filing wins) and the event the targets dashboard reads."""
    row = await repository.figure(session, org.uscc, year)
    if row is None:
        row = WorkforceFigure(uscc=org.uscc, year=year)
        session.add(row)
    row.division_code = org.division_code
    for f in FIELDS:
        setattr(row, f, getattr(data, f))
    row.source, row.reported_on, row.reported_by = source, today, principal.actor
    await session.flush()
    await outbox.emit(session, WorkforceReported(
        uscc=org.uscc, division_code=org.division_code, year=year, full_time_staff=row.full_time_staff,
        certified_social_workers=row.certified_social_workers, volunteers=row.volunteers, source=source,
        reported_on=today))
    return row


async def file_change(session: AsyncSession, uscc: str, data: WorkforceFiling, principal: Principal,
                      outbox: Outbox, today: date) -> WorkforceFigure:
    """A change filing keeps the current figures up to date between annual reports (WORK-1)."""
    require_org_or_roles(principal, uscc, "staff", action_zh="报送从业人员情况", action_en="file workforce figures")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    organisation_service.require_status(org, "active", "suspended", action_zh="报送从业人员", action_en="file for")
    year = data.year or today.year
    found = problems(data)
    if year > today.year:
        found.append(Problem("year", "WORK-1", "不能报送未来年度的人数", "a future year cannot be filed"))
    if found:
        raise Refused(found)
    row = await record(session, org, year, data, "change", principal, outbox, today)
    await organisation_service.record_history(session, uscc, "workforce_filed", principal,
                                              after={"year": year, **{f: getattr(data, f) for f in FIELDS}},
                                              reason="从业人员情况变更备案")
    return row


async def listing(session: AsyncSession, uscc: str) -> list[WorkforceFigure]:
    await organisation_service.get(session, uscc)
    return await repository.figures(session, uscc)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


async def indicators(session: AsyncSession, principal: Principal, year: int, division: str | None,
                     rules: RulesSettings) -> WorkforceIndicators:
    """WORK-2 and WORK-3 per division and year, within the caller's jurisdiction."""
    require_role(principal, "staff", "internal", "supervisor", "party", action_zh="查看人才指标",
                 action_en="see workforce indicators")
    prefix = listing_prefix(principal, division)
    orgs = await repository.organisations_per_division(session, year, prefix)
    rows = {r[0]: r for r in await repository.figures_per_division(session, year, prefix)}
    divisions = []
    for code in sorted(set(orgs) | set(rows)):
        _, reporting, with_staff, staff, certified, volunteers = rows.get(code, (code, 0, 0, 0, 0, 0))
        count = orgs.get(code, 0)
        divisions.append(DivisionIndicator(
            division_code=code, organisations=count, reporting=reporting, with_full_time_staff=int(with_staff or 0),
            without_full_time_staff=max(count - int(with_staff or 0), 0), full_time_staff=int(staff or 0),
            certified_social_workers=int(certified or 0), volunteers=int(volunteers or 0)))
    total = {f: sum(getattr(d, f) for d in divisions) for f in (
        "organisations", "reporting", "with_full_time_staff", "full_time_staff", "certified_social_workers",
        "volunteers")}
    return WorkforceIndicators(
        year=year, division=prefix, **total,
        share_with_full_time_staff=_share(total["with_full_time_staff"], total["organisations"]),
        certified_share_of_full_time=_share(total["certified_social_workers"], total["full_time_staff"]),
        city_target_full_time_staff=rules.workforce_city_target, divisions=divisions)
