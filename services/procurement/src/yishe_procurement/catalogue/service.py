"""Guidance catalogues (PROC-6): versioned per level (province / city / county); PROC-5 items are refused."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.identifiers import validate_division_code
from yishe_kit.access import require_jurisdiction, require_role
from yishe_kit.clock import now
from yishe_kit.db import flush_or_conflict
from yishe_kit.errors import Conflict, InvalidInput, NotFound, Problem, identifier_problems
from yishe_kit.principal import Principal

from ..config import Settings
from . import repository
from .exclusions import screen_wording
from .models import Catalogue, CatalogueItem
from .schemas import CatalogueCreate, CatalogueRead, CatalogueSummary, ItemRead, Level

LEVEL_DIGITS = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6}


def level_prefix(level: str, division_code: str) -> str:
    return division_code[:LEVEL_DIGITS[Level(level)]]


def _division_problems(level: Level, code: str) -> list[Problem]:
    problems = identifier_problems(validate_division_code(code))
    if problems:
        return problems
    shape_ok = {Level.PROVINCE: code.endswith("0000"), Level.CITY: code.endswith("00") and not code.endswith("0000"),
                Level.COUNTY: not code.endswith("00")}[level]
    if not shape_ok:
        return [Problem("division_code", "PROC-6", f"行政区划代码 {code} 与目录层级 {level.value} 不符",
                        f"division code {code} does not fit a {level.value}-level catalogue")]
    return []


async def create(session: AsyncSession, body: CatalogueCreate, principal: Principal,
                 settings: Settings) -> CatalogueRead:
    """PROC-6: a new draft version of a level's catalogue; items naming excluded matters are refused (PROC-5)."""
    require_role(principal, "staff", "internal")
    require_jurisdiction(principal, body.division_code)
    problems = _division_problems(body.level, body.division_code)
    codes = [i.code for i in body.items]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        problems.append(Problem("items", "PROC-6", f"目录项编码重复：{'、'.join(dupes)}",
                                f"duplicate item codes: {', '.join(dupes)}"))
    for n, item in enumerate(body.items):
        problems += screen_wording({f"items.{n}.name": item.name, f"items.{n}.description": item.description},
                                   settings.excluded_keywords)
    if problems:
        raise InvalidInput("catalogue_refused", "the catalogue has items that may not be bought or is malformed",
                           problems)
    version = await repository.last_version(session, body.level.value, body.division_code, body.year) + 1
    catalogue = Catalogue(catalogue_id=str(uuid.uuid4()), level=body.level.value, division_code=body.division_code,
                          year=body.year, version=version, title=body.title, issued_by=body.issued_by,
                          status="draft", created_at=now())
    session.add(catalogue)
    await flush_or_conflict(session, "catalogue_version_taken", "目录版本号冲突，请重试; the version was taken "
                                                                "concurrently, retry")
    for i in body.items:
        session.add(CatalogueItem(catalogue_id=catalogue.catalogue_id, code=i.code, name=i.name,
                                  parent_code=i.parent_code, description=i.description,
                                  platform_support=i.platform_support))
    await session.flush()
    return await read(session, catalogue.catalogue_id)


async def publish(session: AsyncSession, catalogue_id: str, principal: Principal) -> CatalogueRead:
    """Publishing a version supersedes the level's previously published one for that year."""
    require_role(principal, "staff", "internal")
    catalogue = await _get(session, catalogue_id)
    require_jurisdiction(principal, catalogue.division_code)
    if catalogue.status != "draft":
        raise Conflict("catalogue_not_draft", f"目录状态为 {catalogue.status}，只能发布草稿; only a draft can be "
                                              f"published, this one is {catalogue.status}")
    for old in await repository.published(session, catalogue.level, catalogue.division_code, catalogue.year):
        old.status = "superseded"
    catalogue.status, catalogue.published_at = "published", now()
    await session.flush()
    return await read(session, catalogue_id)


async def _get(session: AsyncSession, catalogue_id: str) -> Catalogue:
    catalogue = await session.get(Catalogue, catalogue_id)
    if catalogue is None:
        raise NotFound("catalogue_not_found", f"no catalogue {catalogue_id}")
    return catalogue


async def read(session: AsyncSession, catalogue_id: str) -> CatalogueRead:
    catalogue = await _get(session, catalogue_id)
    items = [ItemRead(code=i.code, name=i.name, parent_code=i.parent_code, description=i.description,
                      platform_support=i.platform_support) for i in await repository.items(session, catalogue_id)]
    return CatalogueRead(catalogue_id=catalogue.catalogue_id, level=catalogue.level,
                         division_code=catalogue.division_code, year=catalogue.year, version=catalogue.version,
                         title=catalogue.title, issued_by=catalogue.issued_by, status=catalogue.status,
                         created_at=catalogue.created_at, published_at=catalogue.published_at, items=items)


async def search(session: AsyncSession, *, level: Level | None, division_code: str | None, year: int | None,
                 status: str | None) -> list[CatalogueSummary]:
    rows = await repository.search(session, level=level.value if level else None, division_code=division_code,
                                   year=year, status=status)
    return [CatalogueSummary(catalogue_id=c.catalogue_id, level=c.level, division_code=c.division_code, year=c.year,
                             version=c.version, title=c.title, status=c.status, item_count=n) for c, n in rows]


async def find_item(session: AsyncSession, *, code: str, division_code: str, year: int,
                    catalogue_id: str | None = None) -> tuple[Catalogue, CatalogueItem] | None:
    """PROC-6: the item in a published catalogue covering the division for the year, most local level first."""
    if catalogue_id:
        catalogue = await session.get(Catalogue, catalogue_id)
        candidates = [catalogue] if catalogue and catalogue.status == "published" and catalogue.year == year \
            and division_code.startswith(level_prefix(catalogue.level, catalogue.division_code)) else []
    else:
        candidates = []
        for level in (Level.COUNTY, Level.CITY, Level.PROVINCE):
            digits = LEVEL_DIGITS[level]
            code6 = division_code[:digits].ljust(6, "0")
            candidates += await repository.published(session, level.value, code6, year)
    for catalogue in candidates:
        item = await repository.item(session, catalogue.catalogue_id, code)
        if item is not None:
            return catalogue, item
    return None
