"""PARTY-13: community organisations report (报到) to the community (village) Party organisation — registered ones by
USCC, filed ones by filing number; a registered one that reported counts as covered by Party work."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.registry import FilingChanged
from yishe_kit.access import listing_prefix, require_jurisdiction, require_org_or_roles, require_role
from yishe_kit.clock import Clock
from yishe_kit.errors import Conflict, InvalidInput, Problem
from yishe_kit.principal import Principal

from ..record import service as record_service
from .models import CommunityReport, PartyFiling
from .schemas import CommunityCoverage, CommunityReportCreate, CommunityReportRead

READERS = ("party", "staff", "internal")


async def keep_filing(session: AsyncSession, event: FilingChanged) -> None:
    """The filed community organisations as party needs them (additive to the registered-filing rule)."""
    f = await session.get(PartyFiling, event.filing_no)
    if f is None:
        f = PartyFiling(filing_no=event.filing_no)
        session.add(f)
    f.name, f.division_code, f.township_code = event.name, event.division_code, event.township_code
    f.status, f.uscc = event.status.value, event.uscc
    await session.flush()


def _read(r: CommunityReport) -> CommunityReportRead:
    return CommunityReportRead(report_id=r.report_id, uscc=r.uscc, filing_no=r.filing_no, org_name=r.org_name,
                               division_code=r.division_code, township_code=r.township_code,
                               party_org_name=r.party_org_name, reported_on=r.reported_on, ended_on=r.ended_on)


async def report(session: AsyncSession, principal: Principal, body: CommunityReportCreate, *,
                 clock: Clock) -> CommunityReportRead:
    if bool(body.uscc) == bool(body.filing_no):
        raise InvalidInput("invalid_report", "give uscc or filing_no", [Problem(
            "uscc", "PARTY-13", "须填写统一社会信用代码（已登记）或备案编号（已备案）之一",
            "give either the USCC (registered) or the filing number (filed)")])
    today = clock.today()
    on = body.reported_on or today
    if on > today:
        raise InvalidInput("invalid_report", "reported_on is in the future", [Problem(
            "reported_on", "PARTY-13", f"报到日期{on}晚于今天{today}", f"reported_on {on} is after today {today}")])
    if body.uscc:
        require_org_or_roles(principal, body.uscc, "party", "staff", action_zh="登记社区社会组织报到",
                             action_en="record a community organisation's report")
        record = await record_service.find(session, body.uscc)
        if record is None or not record.community:
            raise InvalidInput("not_community", f"{body.uscc} is not a community organisation", [Problem(
                "uscc", "PARTY-13", f"{body.uscc}不是已登记的社区社会组织",
                f"{body.uscc} is not a community organisation")])
        name, division, township = record.org_name, record.division_code, None
    else:
        require_role(principal, "party", "staff", action_zh="登记社区社会组织报到",
                     action_en="record a community organisation's report")
        filing = await session.get(PartyFiling, body.filing_no)
        if filing is None or filing.status not in ("filed", "changed"):
            raise InvalidInput("unknown_filing", f"no filing {body.filing_no} in force", [Problem(
                "filing_no", "PARTY-13", f"备案编号{body.filing_no}不存在或已失效",
                f"filing {body.filing_no} is not in force")])
        name, division, township = filing.name, filing.division_code, filing.township_code
    if principal.role != "org":
        require_jurisdiction(principal, township or division)
    current = await session.scalar(select(CommunityReport).where(
        CommunityReport.ended_on.is_(None),
        CommunityReport.uscc == body.uscc if body.uscc else CommunityReport.filing_no == body.filing_no))
    if current is not None:
        raise Conflict("already_reported", f"{name} reported on {current.reported_on}", [Problem(
            "uscc" if body.uscc else "filing_no", "PARTY-13",
            f"{name}已于{current.reported_on}向{current.party_org_name}报到", f"{name} already reported")])
    r = CommunityReport(uscc=body.uscc, filing_no=body.filing_no, org_name=name, division_code=division,
                        township_code=township, party_org_name=body.party_org_name, reported_on=on,
                        recorded_by=principal.actor, recorded_at=clock.now())
    session.add(r)
    await session.flush()
    return _read(r)


async def list_reports(session: AsyncSession, principal: Principal, division: str | None) -> list[CommunityReportRead]:
    require_role(principal, *READERS, action_zh="查看社区社会组织报到", action_en="list community reports")
    prefix = listing_prefix(principal, division)
    stmt = select(CommunityReport).order_by(CommunityReport.reported_on, CommunityReport.report_id)
    if prefix:
        stmt = stmt.where(CommunityReport.division_code.startswith(prefix[:6]))
        if len(prefix) > 6:
            stmt = stmt.where(CommunityReport.township_code.startswith(prefix))
    return [_read(r) for r in await session.scalars(stmt)]


async def reported_on(session: AsyncSession, day: date, usccs: list[str] | None = None) -> set[str]:
    """Registered organisations with a report in force on `day` (PARTY-13: counted as Party work coverage)."""
    stmt = select(CommunityReport.uscc).where(CommunityReport.uscc.is_not(None), CommunityReport.reported_on <= day,
                                              or_(CommunityReport.ended_on.is_(None), CommunityReport.ended_on > day))
    if usccs is not None:
        stmt = stmt.where(CommunityReport.uscc.in_(usccs))
    return {u for u in await session.scalars(stmt) if u}


async def community_coverage(session: AsyncSession, prefix: str, day: date, registered_community: list[str],
                             ) -> CommunityCoverage:
    """Registered community organisations in the area plus filings in force; how many reported by `day`."""
    filings = [f for f in await session.scalars(select(PartyFiling).where(PartyFiling.status.in_(("filed", "changed"))))
               if f.township_code.startswith(prefix) or f.division_code.startswith(prefix)]
    reports = [r for r in await session.scalars(select(CommunityReport).where(
        CommunityReport.reported_on <= day, or_(CommunityReport.ended_on.is_(None), CommunityReport.ended_on > day)))]
    by_uscc = {r.uscc for r in reports if r.uscc}
    by_filing = {r.filing_no for r in reports if r.filing_no}
    total = len(registered_community) + len(filings)
    done = sum(1 for u in registered_community if u in by_uscc) + sum(1 for f in filings if f.filing_no in by_filing)
    rate = (Decimal(done * 100) / total).quantize(Decimal("0.01")) if total else Decimal("0.00")
    return CommunityCoverage(organisations=total, reported=done, rate=rate)
