from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import CommitteeMember, PartyOrganisation, PartyOrgUnit, SecretaryAssessment


async def get(session: AsyncSession, org_id: int) -> PartyOrganisation | None:
    return await session.get(PartyOrganisation, org_id)


async def units(session: AsyncSession, org_ids: list[int], *, current_only: bool = False) -> list[PartyOrgUnit]:
    if not org_ids:
        return []
    stmt = select(PartyOrgUnit).where(PartyOrgUnit.org_id.in_(org_ids)).order_by(PartyOrgUnit.unit_id)
    if current_only:
        stmt = stmt.where(PartyOrgUnit.left_on.is_(None))
    return list((await session.scalars(stmt)).all())


async def committee(session: AsyncSession, org_id: int, *, current_only: bool = True) -> list[CommitteeMember]:
    stmt = select(CommitteeMember).where(CommitteeMember.org_id == org_id).order_by(CommitteeMember.committee_member_id)
    if current_only:
        stmt = stmt.where(CommitteeMember.ended_on.is_(None))
    return list((await session.scalars(stmt)).all())


async def assessments(session: AsyncSession, org_id: int) -> list[SecretaryAssessment]:
    stmt = select(SecretaryAssessment).where(SecretaryAssessment.org_id == org_id).order_by(SecretaryAssessment.year)
    return list((await session.scalars(stmt)).all())


async def assessment(session: AsyncSession, org_id: int, year: int) -> SecretaryAssessment | None:
    stmt = select(SecretaryAssessment).where(SecretaryAssessment.org_id == org_id, SecretaryAssessment.year == year)
    return await session.scalar(stmt)


async def assessments_for_year(session: AsyncSession, year: int) -> dict[int, SecretaryAssessment]:
    rows = await session.scalars(select(SecretaryAssessment).where(SecretaryAssessment.year == year))
    return {a.org_id: a for a in rows}


async def current_unit_of(session: AsyncSession, usccs: list[str]) -> dict[str, PartyOrgUnit]:
    """The current (not left) unit row of each organisation, if it is in a Party organisation now."""
    if not usccs:
        return {}
    stmt = select(PartyOrgUnit).where(PartyOrgUnit.uscc.in_(usccs), PartyOrgUnit.left_on.is_(None))
    return {u.uscc: u for u in await session.scalars(stmt)}


async def covering_on(session: AsyncSession, day: date, usccs: list[str] | None = None,
                      ) -> list[tuple[PartyOrgUnit, PartyOrganisation]]:
    """Units covered on `day` by a Party organisation established by then and not yet dissolved."""
    stmt = (select(PartyOrgUnit, PartyOrganisation).join(PartyOrganisation,
                                                         PartyOrganisation.org_id == PartyOrgUnit.org_id)
            .where(PartyOrgUnit.joined_on <= day, or_(PartyOrgUnit.left_on.is_(None), PartyOrgUnit.left_on > day),
                   PartyOrganisation.established_on <= day,
                   or_(PartyOrganisation.dissolved_on.is_(None), PartyOrganisation.dissolved_on > day)))
    if usccs is not None:
        stmt = stmt.where(PartyOrgUnit.uscc.in_(usccs))
    return [(u, o) for u, o in (await session.execute(stmt)).all()]


async def listing(session: AsyncSession, *, prefix: str, due_before: date | None,
                  include_dissolved: bool) -> list[PartyOrganisation]:
    stmt = select(PartyOrganisation).order_by(PartyOrganisation.org_id)
    if prefix:
        stmt = stmt.where(PartyOrganisation.division_code.startswith(prefix))
    if due_before is not None:
        stmt = stmt.where(PartyOrganisation.reelection_due < due_before)
    if not include_dissolved:
        stmt = stmt.where(PartyOrganisation.dissolved_on.is_(None))
    return list((await session.scalars(stmt)).all())


async def alive_in_year(session: AsyncSession, *, prefix: str, year_start: date,
                        year_end: date) -> list[PartyOrganisation]:
    """Party organisations existing at some time in the year."""
    stmt = select(PartyOrganisation).where(
        PartyOrganisation.established_on <= year_end,
        or_(PartyOrganisation.dissolved_on.is_(None), PartyOrganisation.dissolved_on >= year_start))
    if prefix:
        stmt = stmt.where(PartyOrganisation.division_code.startswith(prefix))
    return list((await session.scalars(stmt.order_by(PartyOrganisation.org_id))).all())


async def open_joint_branches(session: AsyncSession, prefix: str) -> list[PartyOrganisation]:
    stmt = select(PartyOrganisation).where(PartyOrganisation.formation == "joint",
                                           PartyOrganisation.dissolved_on.is_(None))
    if prefix:
        stmt = stmt.where(PartyOrganisation.division_code.startswith(prefix))
    return list((await session.scalars(stmt.order_by(PartyOrganisation.org_id))).all())
