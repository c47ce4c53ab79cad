"""Registry, credit, party and procurement facts → cultivation's local read models, and the lookups other
domains use (who is a community organisation, where, graded how, old enough to operate a platform)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.credit import ColourChanged, CreditProfileOpened
from yishe_contracts.events.party import CoverageChanged
from yishe_contracts.events.procurement import ContractAwarded
from yishe_contracts.events.registry import (
    FilingChanged,
    GradeChange,
    GradeChanged,
    OrganisationChanged,
    OrganisationRegistered,
    OrganisationStatusChanged,
    QualificationChange,
    QualificationChanged,
    QualificationKind,
    WorkforceReported,
)
from yishe_kit.access import listing_prefix, require_jurisdiction, require_role
from yishe_kit.principal import Principal

from ..deps import READERS, WRITERS
from . import repository
from .exceptions import FilingNotFound, OrganisationNotFound
from .models import Contract, Filing, GradeEvent, Organisation
from .schemas import CommunityOrgRead, TownshipAssign

ACTIVE = ("active", "suspended")


def grade_level(grade: str | None) -> int:
    return int(grade[0]) if grade and grade[0] in "0123456789" else 0


async def require(session: AsyncSession, uscc: str) -> Organisation:
    org = await repository.get(session, uscc)
    if org is None:
        raise OrganisationNotFound(uscc)
    return org


async def require_filing(session: AsyncSession, filing_no: str) -> Filing:
    filing = await repository.get_filing(session, filing_no)
    if filing is None:
        raise FilingNotFound(filing_no)
    return filing


# --- consumers ------------------------------------------------------------------------------------------------

async def on_registered(session: AsyncSession, event: OrganisationRegistered) -> None:
    if await repository.get(session, event.uscc) is not None:
        return
    org = Organisation(uscc=event.uscc, name=event.name, org_type=event.org_type.value,
                       division_code=event.division_code, community=event.community_class is not None,
                       community_class=event.community_class, category=event.category, sector=event.sector,
                       status=event.status, registration_date=event.registration_date)
    filing = await repository.filing_of(session, event.uscc)
    if filing is not None:  # filed first, registered later (REG-12): the township is the filing's
        org.community, org.township_code = True, filing.township_code
    session.add(org)
    await session.flush()


async def on_registered_many(session: AsyncSession, events: list[OrganisationRegistered]) -> None:
    """`on_registered` for a batch, set-based: one read of which organisations are known and one of the new ones'
    filings, the new rows in one Core statement (no ORM objects: their unit of work was a third of this consumer's
    CPU in a bulk import); the first event about an organisation wins, as one by one (INSERT OR IGNORE: a row
    written in between keeps the first)."""
    firsts: dict[str, OrganisationRegistered] = {}
    for event in events:
        firsts.setdefault(event.uscc, event)
    known = await repository.known(session, sorted(firsts))
    new = [event for uscc, event in firsts.items() if uscc not in known]
    if not new:
        return
    filings = await repository.filings_of(session, [event.uscc for event in new])
    rows = []
    for event in new:
        filing = filings.get(event.uscc)  # filed first, registered later (REG-12): the township is the filing's
        rows.append({"uscc": event.uscc, "name": event.name, "org_type": event.org_type.value,
                     "division_code": event.division_code,
                     "community": filing is not None or event.community_class is not None,
                     "township_code": filing.township_code if filing is not None else None,
                     "community_class": event.community_class, "category": event.category, "sector": event.sector,
                     "status": event.status, "registration_date": event.registration_date})
    await repository.insert_many(session, rows)


async def on_changed(session: AsyncSession, event: OrganisationChanged) -> None:
    org = await require(session, event.uscc)
    for field, attr in (("name", "name"), ("division_code", "division_code"), ("sector", "sector")):
        change = event.changes.get(field)
        if change and change.get("after"):
            setattr(org, attr, str(change["after"]))
    await session.flush()


async def on_status_changed(session: AsyncSession, event: OrganisationStatusChanged) -> None:
    org = await require(session, event.uscc)
    org.status = event.to_status.value
    await session.flush()


async def on_filing_changed(session: AsyncSession, event: FilingChanged) -> None:
    """Keeps the filing; a filing that went on to register gives its organisation the township (now, or when the
    registration arrives; community_organisations also reads the link from the filing, so two consumers committing
    at once cannot lose it)."""
    org = await repository.get(session, event.uscc) if event.uscc else None
    filing = await repository.get_filing(session, event.filing_no)
    if filing is None:
        filing = Filing(filing_no=event.filing_no)
        session.add(filing)
    filing.name, filing.community_class = event.name, event.community_class
    filing.division_code, filing.township_code = event.division_code, event.township_code
    filing.status, filing.uscc, filing.changed_on = event.status.value, event.uscc, event.changed_on
    if org is not None:
        org.community, org.township_code = True, event.township_code
        org.community_class = org.community_class or event.community_class
    await session.flush()


async def on_grade_changed(session: AsyncSession, event: GradeChanged, envelope: Envelope) -> GradeEvent | None:
    """Keeps the grade in force and every change (once per event id); None when the event was seen already."""
    org = await require(session, event.uscc)
    if await repository.has_grade_event(session, envelope.id):
        return None
    org.grade = event.grade if event.change in (GradeChange.AWARDED, GradeChange.DOWNGRADED) else None
    org.grade_valid_until = event.valid_until if org.grade else None
    row = GradeEvent(event_id=envelope.id, uscc=event.uscc, change=event.change.value, grade=event.grade,
                     previous_grade=event.previous_grade, changed_on=event.changed_on)
    session.add(row)
    await session.flush()
    return row


async def on_colour(session: AsyncSession, event: CreditProfileOpened | ColourChanged) -> None:
    org = await require(session, event.uscc)
    org.colour = (event.colour if isinstance(event, CreditProfileOpened) else event.to_colour).value
    await session.flush()


async def on_colours(session: AsyncSession, events: list[CreditProfileOpened | ColourChanged]) -> None:
    """`on_colour` for a batch: one read of which organisations are known, the colours in one Core statement; an
    organisation not known yet fails the batch (the bus then takes the events one by one, and only that one waits for
    its registration)."""
    known = await repository.known(session, sorted({event.uscc for event in events}))
    colours: dict[str, str] = {}
    for event in events:  # in stream order: the last colour of an organisation stays
        if event.uscc not in known:
            raise OrganisationNotFound(event.uscc)
        colours[event.uscc] = (event.colour if isinstance(event, CreditProfileOpened) else event.to_colour).value
    await repository.set_colours(session, colours)


async def on_coverage_changed(session: AsyncSession, event: CoverageChanged) -> None:
    org = await require(session, event.uscc)
    org.party_uncovered = not event.covered
    await session.flush()


async def on_qualification_changed(session: AsyncSession, event: QualificationChanged) -> None:
    if event.qualification is not QualificationKind.CHARITY:
        return
    org = await require(session, event.uscc)
    org.charity = event.change is QualificationChange.GRANTED
    await session.flush()


async def on_workforce_reported(session: AsyncSession, event: WorkforceReported) -> None:
    """WORK-1 figures: the latest year's full-time staff (an older year's report changes nothing)."""
    org = await require(session, event.uscc)
    if org.full_time_staff_year is None or event.year >= org.full_time_staff_year:
        org.full_time_staff, org.full_time_staff_year = event.full_time_staff, event.year
        await session.flush()


async def on_contract_awarded(session: AsyncSession, event: ContractAwarded) -> None:
    if await session.get(Contract, event.contract_id) is not None:
        return
    session.add(Contract(contract_id=event.contract_id, uscc=event.uscc, title=event.title, amount=event.amount,
                         purchaser=event.purchaser, awarded_on=event.awarded_on))
    await session.flush()


# --- lookups --------------------------------------------------------------------------------------------------

def registered_years(org: Organisation, on: date) -> int:
    """Whole years since registration on `on`."""
    years = on.year - org.registration_date.year
    if (on.month, on.day) < (org.registration_date.month, org.registration_date.day):
        years -= 1
    return years


def community_read(*, uscc: str | None, filing_no: str | None, name: str, division_code: str,
                   township_code: str | None, kind: str, status: str, community_class: str | None) -> CommunityOrgRead:
    return CommunityOrgRead(uscc=uscc, filing_no=filing_no, name=name, division_code=division_code,
                            township_code=township_code, kind=kind, status=status, community_class=community_class)


async def community_organisations(session: AsyncSession, prefix: str | None) -> list[CommunityOrgRead]:
    """PLAT-5 denominator: registered community organisations (active) and filed ones (filed/changed) in the area;
    a filing that went on to register counts once, as the registered organisation."""
    filings = await repository.filings(session, prefix[:6] if prefix else None)
    registered_filing = {f.uscc: f.township_code for f in filings if f.uscc and f.status == "registered"}
    out = []
    for o in await repository.organisations(session, prefix[:6] if prefix else None):
        township = o.township_code or registered_filing.get(o.uscc)
        if (o.community or township) and o.status in ACTIVE and (not prefix or len(prefix) <= 6
                                                                 or (township or "").startswith(prefix)):
            out.append(community_read(uscc=o.uscc, filing_no=None, name=o.name, division_code=o.division_code,
                                      township_code=township, kind="registered", status=o.status,
                                      community_class=o.community_class))
    out += [community_read(uscc=None, filing_no=f.filing_no, name=f.name, division_code=f.division_code,
                           township_code=f.township_code, kind="filed", status=f.status,
                           community_class=f.community_class)
            for f in filings if f.status in ("filed", "changed") and (not prefix or f.township_code.startswith(prefix))]
    return out


async def list_community(session: AsyncSession, principal: Principal, division: str | None) -> list[CommunityOrgRead]:
    """Community organisations in the caller's jurisdiction (AUTH-2); an organisation's own account sees itself."""
    require_role(principal, *READERS, "org", action_zh="查看社区社会组织", action_en="list community organisations")
    found = await community_organisations(session, listing_prefix(principal, division))
    return [c for c in found if c.uscc == principal.actor] if principal.role == "org" else found


async def assign_township(session: AsyncSession, principal: Principal, uscc: str,
                          body: TownshipAssign) -> CommunityOrgRead:
    """A registered community organisation's township/street (registry keeps only the county's code)."""
    require_role(principal, *WRITERS, action_zh="设置社区社会组织所属乡镇（街道）",
                 action_en="set a community organisation's township")
    org = await require(session, uscc)
    require_jurisdiction(principal, body.township_code, "township_code")
    if not body.township_code.startswith(org.division_code):
        from yishe_kit.errors import InvalidInput, Problem
        raise InvalidInput("township_outside_division", "the township is not in the organisation's county", [Problem(
            "township_code", "PLAT-5", f"乡镇（街道）{body.township_code}不属于该组织的登记区划{org.division_code}",
            f"township {body.township_code} is not in division {org.division_code}")])
    org.township_code, org.community = body.township_code, True
    await session.flush()
    return community_read(uscc=org.uscc, filing_no=None, name=org.name, division_code=org.division_code,
                          township_code=org.township_code, kind="registered", status=org.status,
                          community_class=org.community_class)
