from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import ERRORS, SettingsDep
from . import service, terms
from .schemas import (
    AssessmentIn,
    CommitteeMemberIn,
    DissolutionIn,
    ElectionIn,
    PartyOrgCreate,
    PartyOrgRead,
    PartyOrgUpdate,
    UnitJoin,
    UnitLeave,
)

router = APIRouter(prefix="/party-organisations", tags=["party_org"])


@router.post("", status_code=201, response_model=PartyOrgRead, responses=ERRORS)
async def establish_party_org(data: PartyOrgCreate, session: SessionDep, principal: PrincipalDep,
                              settings: SettingsDep) -> PartyOrgRead:
    """Establish a Party organisation: own (PARTY-1) or a joint branch of at most 5 units (PARTY-2)."""
    return await service.establish(session, data, principal, settings)


@router.get("", response_model=list[PartyOrgRead], responses=ERRORS)
async def list_party_orgs(session: SessionDep, principal: PrincipalDep, division: str | None = None,
                          reelection_due_before: date | None = None,
                          include_dissolved: bool = False) -> list[PartyOrgRead]:
    """Party organisations of a division; `reelection_due_before` lists those whose 换届 falls due."""
    return await service.list_orgs(session, principal, division=division, reelection_due_before=reelection_due_before,
                                   include_dissolved=include_dissolved)


@router.get("/{org_id}", response_model=PartyOrgRead, responses=ERRORS)
async def get_party_org(org_id: int, session: SessionDep, principal: PrincipalDep) -> PartyOrgRead:
    """One Party organisation: units, committee, cross-appointment (PARTY-11), assessments (PARTY-9)."""
    return await service.get(session, org_id, principal)


@router.patch("/{org_id}", response_model=PartyOrgRead, responses=ERRORS)
async def update_party_org(org_id: int, data: PartyOrgUpdate, session: SessionDep,
                           principal: PrincipalDep) -> PartyOrgRead:
    """Rename, change the secretary, or designate as demonstration organisation (PARTY-8)."""
    return await service.update(session, org_id, data, principal)


@router.post("/{org_id}/units", response_model=PartyOrgRead, responses=ERRORS)
async def add_party_org_unit(org_id: int, data: UnitJoin, session: SessionDep, principal: PrincipalDep,
                             settings: SettingsDep) -> PartyOrgRead:
    """Add a unit to a joint branch (PARTY-2: at most 5 units, one division area)."""
    return await service.add_unit(session, org_id, data, principal, settings)


@router.post("/{org_id}/units/{uscc}/leave", response_model=PartyOrgRead, responses=ERRORS)
async def leave_party_org_unit(org_id: int, uscc: str, data: UnitLeave, session: SessionDep, principal: PrincipalDep,
                               settings: SettingsDep) -> PartyOrgRead:
    """A unit leaves a joint branch."""
    return await service.leave_unit(session, org_id, uscc, data, principal, settings)


@router.post("/{org_id}/elections", response_model=PartyOrgRead, responses=ERRORS)
async def hold_election(org_id: int, data: ElectionIn, session: SessionDep, principal: PrincipalDep,
                        settings: SettingsDep) -> PartyOrgRead:
    """Record a re-election (换届): new term and re-election due date."""
    return await terms.elect(session, org_id, data, principal, settings)


@router.put("/{org_id}/committee", response_model=PartyOrgRead, responses=ERRORS)
async def replace_committee(org_id: int, data: list[CommitteeMemberIn], session: SessionDep,
                            principal: PrincipalDep) -> PartyOrgRead:
    """Replace the committee, with each member's post in the organisation (cross-appointment, PARTY-11)."""
    return await terms.replace_committee(session, org_id, data, principal)


@router.post("/{org_id}/assessments", response_model=PartyOrgRead, responses=ERRORS)
async def assess_secretary(org_id: int, data: AssessmentIn, session: SessionDep, principal: PrincipalDep,
                           settings: SettingsDep) -> PartyOrgRead:
    """The secretary's "双强红领" level for a year (PARTY-9)."""
    return await terms.assess(session, org_id, data, principal, settings)


@router.post("/{org_id}/dissolution", response_model=PartyOrgRead, responses=ERRORS)
async def dissolve_party_org(org_id: int, data: DissolutionIn, session: SessionDep, principal: PrincipalDep,
                             settings: SettingsDep) -> PartyOrgRead:
    """Dissolve (撤销) a Party organisation; its units are no longer covered from that day."""
    return await service.dissolve(session, org_id, data, principal, settings)
