"""Terms of a Party organisation: re-election (换届), committee changes (PARTY-11), "双强红领" assessments (PARTY-9)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit import clock
from yishe_kit.errors import Problem
from yishe_kit.principal import Principal

from ..config import Settings
from . import officers, repository
from . import service as org_service
from .exceptions import FormationRefused
from .models import Election, SecretaryAssessment
from .schemas import AssessmentIn, CommitteeMemberIn, ElectionIn, PartyOrgRead


async def elect(session: AsyncSession, org_id: int, data: ElectionIn, principal: Principal,
                settings: Settings) -> PartyOrgRead:
    """换届: a new term from the election day; the re-election due date moves by the term (config per level)."""
    org = await org_service.org_for_work(session, org_id, principal, "换届选举")
    problems = officers.committee_problems(data.committee or [])
    if data.held_on < org.term_started_on:
        problems.append(Problem("held_on", "PARTY-11", "换届日期不能早于本届开始日期",
                                "the election cannot precede the current term's start"))
    if problems:
        raise FormationRefused(problems)
    term = data.term_years or settings.term_years.get(org.level, org.term_years)
    org.term_started_on, org.term_years = data.held_on, term
    org.reelection_due = org_service.add_years(data.held_on, term)
    if data.committee is not None or data.secretary is not None:
        await officers.end_committee(session, org, on=data.held_on)
        officers.appoint(session, org, secretary=data.secretary, committee=data.committee or [], on=data.held_on)
    session.add(Election(org_id=org_id, held_on=data.held_on, term_years=term, next_due=org.reelection_due,
                         secretary_name=org.secretary_name, recorded_at=clock.now()))
    await session.flush()
    return await org_service.to_read(session, org)


async def replace_committee(session: AsyncSession, org_id: int, committee: list[CommitteeMemberIn],
                            principal: Principal) -> PartyOrgRead:
    """Replace the committee (with its cross-appointments, PARTY-11) from today."""
    org = await org_service.org_for_work(session, org_id, principal, "调整党组织委员会")
    problems = officers.committee_problems(committee)
    if problems:
        raise FormationRefused(problems)
    on = clock.today()
    await officers.end_committee(session, org, on=on)
    officers.appoint(session, org, secretary=None, committee=committee, on=on)
    await session.flush()
    return await org_service.to_read(session, org)


async def assess(session: AsyncSession, org_id: int, data: AssessmentIn, principal: Principal,
                 settings: Settings) -> PartyOrgRead:
    """PARTY-9: the secretary's "双强红领" level for a year (a re-assessment replaces it)."""
    org = await org_service.org_for_work(session, org_id, principal, "评定“双强红领”等级")
    if data.level not in settings.funding.secretary_level_minimums:
        raise FormationRefused([Problem("level", "PARTY-9", "“双强红领”等级未配置", "unknown 双强红领 level")])
    found = await repository.assessment(session, org_id, data.year)
    if found is None:
        found = SecretaryAssessment(org_id=org_id, year=data.year, level=data.level)
        session.add(found)
    found.level, found.secretary_name = data.level, org.secretary_name
    found.assessed_on = data.assessed_on or clock.today()
    await session.flush()
    return await org_service.to_read(session, org)
