"""PLAT-6 workflow: needs list (需求清单) → project list (项目清单) → resource list (资源清单), matched by
the platform."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.identifiers import validate_division_code, validate_social_org_uscc, validate_uscc
from yishe_kit.access import require_jurisdiction, require_role
from yishe_kit.clock import now
from yishe_kit.errors import InvalidInput, NotFound, Problem, identifier_problems
from yishe_kit.principal import Principal

from . import repository
from .models import DesignNeed, DesignProject, NeedItem, NeedList, ProjectDesign, ResourceEntry
from .schemas import (
    DesignCreate,
    DesignRead,
    Matching,
    NeedItemRead,
    NeedListCreate,
    NeedListRead,
    ResourceCreate,
    ResourceRead,
)


def _need_read(need: NeedList, items: list[NeedItem]) -> NeedListRead:
    return NeedListRead(
        need_list_id=need.need_list_id, division_code=need.division_code, township=need.township,
        community=need.community, year=need.year, source=need.source, created_at=need.created_at,
        items=[NeedItemRead(need_item_id=i.need_item_id, title=i.title, description=i.description,
                            category=i.category, beneficiaries=i.beneficiaries) for i in items])


async def add_needs(session: AsyncSession, body: NeedListCreate, principal: Principal) -> NeedListRead:
    """PLAT-6: a community's needs list, entered by township / civil-affairs staff."""
    require_role(principal, "staff", "internal")
    problems = identifier_problems(validate_division_code(body.division_code))
    if problems:
        raise InvalidInput("invalid_division", "the division code is malformed", problems)
    require_jurisdiction(principal, body.division_code)
    need = NeedList(need_list_id=str(uuid.uuid4()), division_code=body.division_code, township=body.township,
                    community=body.community, year=body.year, source=body.source, created_at=now())
    session.add(need)
    await session.flush()
    items = [NeedItem(need_list_id=need.need_list_id, **i.model_dump()) for i in body.items]
    session.add_all(items)
    await session.flush()
    return _need_read(need, items)


async def add_design(session: AsyncSession, body: DesignCreate, principal: Principal) -> DesignRead:
    """PLAT-6: a social-work agency designs a project around need items of one division and year."""
    problems = identifier_problems(validate_social_org_uscc(body.designer_uscc, field="designer_uscc"))
    if problems:
        raise InvalidInput("invalid_uscc", "the designer's USCC is malformed", problems)
    if not (principal.is_any("staff", "internal") or (principal.role == "org" and
                                                      principal.actor == body.designer_uscc)):
        require_role(principal, "staff", "internal")
    found = await repository.need_items(session, sorted(set(body.need_item_ids)))
    missing = sorted(set(body.need_item_ids) - {i.need_item_id for i, _ in found})
    scopes = {(n.division_code, n.township, n.year) for _, n in found}
    if missing:
        raise InvalidInput("need_items_unknown", "some need items do not exist", [Problem(
            "need_item_ids", "PLAT-6", f"需求项不存在：{missing}", f"unknown need items: {missing}")])
    if len(scopes) != 1:
        raise InvalidInput("need_items_mixed", "need items come from several townships or years", [Problem(
            "need_item_ids", "PLAT-6", "一个项目只能回应同一乡镇（街道）同一年度的需求",
            "one design answers the needs of one township and year")])
    division_code, township, year = scopes.pop()
    if principal.role != "org":
        require_jurisdiction(principal, division_code)
    design = ProjectDesign(design_id=str(uuid.uuid4()), division_code=division_code, township=township, year=year,
                           title=body.title, summary=body.summary, designer_uscc=body.designer_uscc,
                           estimated_amount=body.estimated_amount, created_at=now())
    session.add(design)
    await session.flush()
    session.add_all([DesignNeed(design_id=design.design_id, need_item_id=i) for i in sorted(set(body.need_item_ids))])
    await session.flush()
    return (await _design_reads(session, [design]))[0]


async def add_resource(session: AsyncSession, body: ResourceCreate, principal: Principal) -> ResourceRead:
    """PLAT-6: the township's resource list pairs a resource supplier with a service undertaker for a design."""
    require_role(principal, "staff", "internal")
    design = await get_design(session, body.design_id)
    require_jurisdiction(principal, design.division_code)
    problems = identifier_problems(validate_social_org_uscc(body.undertaker_uscc, field="undertaker_uscc"))
    if body.supplier_uscc:
        problems += identifier_problems(validate_uscc(body.supplier_uscc, field="supplier_uscc"))
    if problems:
        raise InvalidInput("invalid_uscc", "a USCC is malformed", problems)
    entry = ResourceEntry(resource_id=str(uuid.uuid4()), created_at=now(),
                          **body.model_dump(mode="python") | {"supplier_kind": body.supplier_kind.value})
    session.add(entry)
    await session.flush()
    return ResourceRead.model_validate(entry, from_attributes=True)


async def get_design(session: AsyncSession, design_id: str) -> ProjectDesign:
    design = await session.get(ProjectDesign, design_id)
    if design is None:
        raise NotFound("design_not_found", f"no project design {design_id}")
    return design


async def link_project(session: AsyncSession, design_id: str, project_id: str) -> None:
    """A purchase project carries the design: the supply-and-demand match is recorded on the design."""
    if await session.get(DesignProject, (design_id, project_id)) is None:
        session.add(DesignProject(design_id=design_id, project_id=project_id))
        await session.flush()


async def _design_reads(session: AsyncSession, designs: list[ProjectDesign]) -> list[DesignRead]:
    ids = [d.design_id for d in designs]
    needs, projects, resources = defaultdict(list), defaultdict(list), defaultdict(list)
    for link in await repository.design_needs(session, ids):
        needs[link.design_id].append(link.need_item_id)
    for link in await repository.design_projects(session, ids):
        projects[link.design_id].append(link.project_id)
    for r in await repository.resources(session, ids):
        resources[r.design_id].append(ResourceRead.model_validate(r, from_attributes=True))
    return [DesignRead(design_id=d.design_id, division_code=d.division_code, township=d.township, year=d.year,
                       title=d.title, summary=d.summary, designer_uscc=d.designer_uscc,
                       estimated_amount=d.estimated_amount, need_item_ids=sorted(needs[d.design_id]),
                       project_ids=sorted(projects[d.design_id]), resources=resources[d.design_id],
                       created_at=d.created_at) for d in designs]


async def matching(session: AsyncSession, division_code: str, year: int) -> Matching:
    """The PLAT-6 chain for a division and year, with the need items no design answers yet."""
    lists = await repository.need_lists(session, division_code, year)
    items = await repository.items_of(session, [n.need_list_id for n in lists])
    by_list = defaultdict(list)
    for i in items:
        by_list[i.need_list_id].append(i)
    designs = await _design_reads(session, await repository.designs(session, division_code, year))
    answered = {i for d in designs for i in d.need_item_ids}
    return Matching(division_code=division_code, year=year,
                    needs=[_need_read(n, by_list[n.need_list_id]) for n in lists], designs=designs,
                    unanswered_need_item_ids=[i.need_item_id for i in items if i.need_item_id not in answered])
