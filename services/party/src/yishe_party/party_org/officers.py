"""Officers of a Party organisation: secretary and committee, cross-appointment (PARTY-11)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.errors import Problem

from . import repository
from .models import CommitteeMember, PartyOrganisation
from .schemas import AssessmentRead, CommitteeMemberIn, CommitteeMemberRead, CrossAppointmentRead, SecretaryIn

SUPERVISOR_POSITIONS = ("监事",)


def committee_problems(committee: list[CommitteeMemberIn], *, field: str = "committee") -> list[Problem]:
    secretaries = [c for c in committee if c.committee_role == "secretary"]
    if len(secretaries) > 1:
        return [Problem(field, "PARTY-11", "党组织委员会只能有一名书记", "a committee has one secretary")]
    return []


def appoint(session: AsyncSession, org: PartyOrganisation, *, secretary: SecretaryIn | None,
            committee: list[CommitteeMemberIn], on: date) -> None:
    """Seat the secretary and the committee from `on`; the secretary is also a committee member."""
    listed = next((c for c in committee if c.committee_role == "secretary"), None)
    if secretary is None and listed is not None:
        secretary = SecretaryIn(name=listed.name, member_id=listed.member_id, org_position=listed.org_position)
    if secretary is not None:
        org.secretary_name, org.secretary_member_id = secretary.name, secretary.member_id
        org.secretary_seconded_cadre = secretary.seconded_cadre
    for c in committee:
        if c.committee_role != "secretary":
            session.add(CommitteeMember(org_id=org.org_id, name=c.name, committee_role=c.committee_role,
                                        org_position=c.org_position, member_id=c.member_id, started_on=on))
    if secretary is not None:
        session.add(CommitteeMember(org_id=org.org_id, name=secretary.name, committee_role="secretary",
                                    org_position=secretary.org_position, member_id=secretary.member_id,
                                    started_on=on))


async def end_committee(session: AsyncSession, org: PartyOrganisation, *, on: date,
                        roles: tuple[str, ...] | None = None) -> None:
    for member in await repository.committee(session, org.org_id):
        if roles is None or member.committee_role in roles:
            member.ended_on = on


async def change_secretary(session: AsyncSession, org: PartyOrganisation, secretary: SecretaryIn, *,
                           on: date) -> None:
    """A new secretary between elections (补选)."""
    await end_committee(session, org, on=on, roles=("secretary",))
    appoint(session, org, secretary=secretary, committee=[], on=on)


def committee_read(committee: list[CommitteeMember]) -> tuple[list[CommitteeMemberRead], CrossAppointmentRead]:
    """PARTY-11: committee members who also hold a post in the organisation's leadership (双向进入、交叉任职); Sichuan:
    the discipline member as 监事."""
    positions = [f"{c.name}：{c.committee_role}/{c.org_position}" for c in committee if c.org_position]
    secretary_in = any(c.committee_role == "secretary" and c.org_position for c in committee)
    discipline = any(c.committee_role == "discipline_member" and c.org_position
                     and any(p in c.org_position for p in SUPERVISOR_POSITIONS) for c in committee)
    return ([CommitteeMemberRead.model_validate(c) for c in committee],
            CrossAppointmentRead(cross_appointed=bool(positions), secretary_in_leadership=secretary_in,
                                 positions=positions, discipline_member_is_supervisor=discipline))


async def assessments_read(session: AsyncSession, org_id: int) -> list[AssessmentRead]:
    return [AssessmentRead.model_validate(a) for a in await repository.assessments(session, org_id)]
