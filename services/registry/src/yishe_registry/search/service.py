"""Search rules: input checks with rule ids, name-key normalisation of the query, keyset pagination."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.identifiers import validate_division_code
from yishe_kit.errors import Problem, identifier_problems, require_social_org_uscc

from ..errors import Refused
from ..name import rules as name_rules
from ..organisation.models import Organisation
from . import repository
from .repository import Filters
from .schemas import OrganisationSummary, SearchPage

MAX_LIMIT = 100


def summary(org: Organisation) -> OrganisationSummary:
    return OrganisationSummary(uscc=org.uscc, name=org.name, org_type=org.org_type, division_code=org.division_code,
                               status=org.status, grade=org.grade, community_class=org.community_class,
                               registration_date=org.registration_date)


async def search(session: AsyncSession, *, uscc: str | None, q: str | None, org_type: str | None,
                 division: str | None, status: str | None, grade: str | None, community_class: str | None,
                 cursor: str | None, limit: int) -> SearchPage:
    """SEARCH-1 [P]: filters combine with AND; results in USCC order, `next_cursor` continues after the last one."""
    problems: list[Problem] = []
    if division and (not division.isdigit() or len(division) > 6):
        problems.append(Problem("division", "DIV-1", "行政区划前缀应为1-6位数字",
                                "division must be a prefix of 1-6 digits"))
    if division and len(division) == 6:
        problems += identifier_problems(validate_division_code(division, field="division"))
    if not 1 <= limit <= MAX_LIMIT:
        problems.append(Problem("limit", "SEARCH-1", f"每页条数应为1-{MAX_LIMIT}", f"limit must be 1-{MAX_LIMIT}"))
    if problems:
        raise Refused(problems)
    if uscc:
        org = await session.get(Organisation, require_social_org_uscc(uscc))
        return SearchPage(items=[summary(org)] if org and (not cursor or org.uscc > cursor) else [], next_cursor=None)
    key = name_rules.key(q) if q else None
    f = Filters(q=key or None, org_type=org_type, division=division, status=status, grade=grade,
                community_class=community_class)
    usccs = await repository.find_usccs(session, f, cursor, limit + 1)
    orgs = await repository.load(session, usccs[:limit])
    return SearchPage(items=[summary(o) for o in orgs], next_cursor=usccs[limit - 1] if len(usccs) > limit else None)


async def index_name(session: AsyncSession, uscc: str, name_key: str) -> None:
    """Keep the SQLite name index in step with a new or renamed organisation."""
    await index_names(session, [(uscc, name_key)])


async def index_names(session: AsyncSession, rows: list[tuple[str, str]]) -> None:
    if repository.uses_fts(session):
        await repository.add_names(session, rows)


async def unindex_name(session: AsyncSession, uscc: str, name_key: str) -> None:
    if repository.uses_fts(session):
        await repository.remove_name(session, uscc, name_key)


async def names_with_part(session: AsyncSession, part: str, division_code: str, limit: int = 100,
                          ) -> list[tuple[str, str, str]]:
    """Active organisations of one division whose name key contains `part` (similar-name candidates, REG-2/REG-6):
    (USCC, name, name key) only, what the check compares; whole organisations were most of a registration's CPU."""
    f = Filters(q=part, division=division_code, status="active")
    return await repository.names_of(session, await repository.find_usccs(session, f, None, limit))


async def industry_associations(session: AsyncSession, division_code: str, sector_key: str) -> list[Organisation]:
    """REG-8 一业一会: active industry associations of this division and sector."""
    f = Filters(division=division_code, status="active", industry_association=True, sector_key=sector_key)
    return await repository.load(session, await repository.find_usccs(session, f, None, 10))
