"""Projects (PROC-6 catalogue + budget, PROC-5 exclusions, PROC-7 term), publication and amendment history."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.identifiers import validate_division_code, validate_uscc
from yishe_kit.access import listing_prefix, require_jurisdiction, require_role
from yishe_kit.clock import now
from yishe_kit.errors import Conflict, InvalidInput, NotFound, Problem, identifier_problems
from yishe_kit.principal import Principal

from ..catalogue import service as catalogue_service
from ..catalogue.exclusions import screen, screen_wording
from ..common.money import fmt
from ..common.roles import can_see_all
from ..config import Settings
from ..need import service as need_service
from ..ocds import service as ocds_service
from . import repository
from .models import Project, ProjectAmendment
from .rules import date_problems, term_problems
from .schemas import AmendmentRead, MultiYear, ProjectAmend, ProjectCancel, ProjectCreate, ProjectRead

AMENDABLE = ("planning", "tender")


def require_purchaser(principal: Principal, project: Project) -> None:
    """Purchaser work (or internal) inside the caller's division."""
    require_role(principal, "purchaser", "internal")
    require_jurisdiction(principal, project.division_code)


def _budget_problems(amount: Decimal | None, source: str | None) -> list[Problem]:
    """PROC-6: no budget, no purchase."""
    problems = []
    if amount is None:
        problems.append(Problem("budget_amount", "PROC-6", "未安排预算的项目不得购买",
                                "a project without a budget may not be bought"))
    if not source:
        problems.append(Problem("budget_source", "PROC-6", "须载明预算资金来源", "state the budget source"))
    return problems


async def create(session: AsyncSession, body: ProjectCreate, principal: Principal, today: date,
                 settings: Settings) -> ProjectRead:
    """PROC-6: only a catalogue item with a budget; PROC-5 exclusions refused with the reason; PROC-7 term."""
    require_role(principal, "purchaser", "internal")
    problems = identifier_problems(validate_division_code(body.division_code))
    if body.purchaser_uscc:
        problems += identifier_problems(validate_uscc(body.purchaser_uscc, field="purchaser_uscc"))
    if problems:
        raise InvalidInput("invalid_identifier", "a code is malformed", problems)
    require_jurisdiction(principal, body.division_code)
    problems += screen(content_type=body.content_type, within_purchaser_duties=body.within_purchaser_duties,
                       government_must_perform=body.government_must_perform, legally_excluded=body.legally_excluded,
                       texts={"title": body.title, "description": body.description},
                       keywords=settings.excluded_keywords)
    problems += _budget_problems(body.budget_amount, body.budget_source)
    found = await catalogue_service.find_item(session, code=body.catalogue_item_code, division_code=body.division_code,
                                              year=body.budget_year, catalogue_id=body.catalogue_id)
    if found is None:
        problems.append(Problem("catalogue_item_code", "PROC-6",
                                f"{body.budget_year}年度适用的指导性目录中没有目录项 {body.catalogue_item_code}",
                                f"no item {body.catalogue_item_code} in a published guidance catalogue covering "
                                f"{body.division_code} for {body.budget_year}"))
    problems += term_problems(body.term_start, body.term_end, body.multi_year, settings)
    problems += date_problems(tender_end=body.tender_end, term_start=body.term_start, today=today, published=False)
    if body.design_id:
        await need_service.get_design(session, body.design_id)
    if problems:
        raise InvalidInput("project_refused", "the project may not be bought as proposed", problems)
    catalogue, item = found
    number = await repository.next_number(session, f"{body.division_code}-{body.budget_year}")
    code = f"{body.division_code}-{body.budget_year}-{number:04d}"
    project = Project(
        project_id=str(uuid.uuid4()), ocid=f"{settings.ocds.ocid_prefix}-{code}", code=code, title=body.title,
        description=body.description, purchaser_department=body.purchaser_department,
        purchaser_uscc=body.purchaser_uscc, division_code=body.division_code, catalogue_id=catalogue.catalogue_id,
        catalogue_level=catalogue.level, catalogue_item_code=item.code, catalogue_item_name=item.name,
        platform_support=item.platform_support if body.platform_support is None else body.platform_support,
        new_spending=body.new_spending, budget_amount=body.budget_amount, budget_source=body.budget_source,
        budget_year=body.budget_year, method=body.method.value, term_start=body.term_start, term_end=body.term_end,
        multi_year=body.multi_year.model_dump() if body.multi_year else None, tender_end=body.tender_end,
        design_id=body.design_id, status="planning", version=1, created_by=principal.actor, created_at=now())
    session.add(project)
    await session.flush()
    if body.design_id:
        await need_service.link_project(session, body.design_id, project.project_id)
    await ocds_service.capture(session, project.project_id, ["planning"], settings)
    return await read(session, project.project_id)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


async def amend(session: AsyncSession, project_id: str, body: ProjectAmend, principal: Principal, today: date,
                settings: Settings) -> ProjectRead:
    """Amendments (更正) keep their history: each records the fields before and after and the rationale."""
    project = await get(session, project_id)
    require_purchaser(principal, project)
    if project.status not in AMENDABLE:
        raise Conflict("project_not_amendable", f"项目状态为 {project.status}，不能变更; a project can be amended "
                                                f"only while {' or '.join(AMENDABLE)}, it is {project.status}")
    given = body.model_dump(exclude_unset=True, exclude={"rationale"})
    current = {f: getattr(project, f) for f in given}
    after = {f: (v.value if hasattr(v, "value") else v) for f, v in given.items()}
    if "multi_year" in given and body.multi_year is not None:
        after["multi_year"] = body.multi_year.model_dump()
    changes = {f: {"before": _plain(current[f]), "after": _plain(after[f])} for f in after if current[f] != after[f]}
    if not changes:
        raise InvalidInput("nothing_to_amend", "the amendment changes nothing", [Problem(
            None, None, "变更内容与现状相同", "the amendment changes nothing")])
    merged = {f: getattr(project, f) for f in ("title", "description", "budget_amount", "budget_source",
                                               "term_start", "term_end", "tender_end")} | after
    multi = body.multi_year if "multi_year" in given else (
        None if project.multi_year is None else MultiYear(**project.multi_year))
    problems = screen_wording({"title": merged["title"], "description": merged["description"]},
                              settings.excluded_keywords)
    problems += _budget_problems(merged["budget_amount"], merged["budget_source"])
    problems += term_problems(merged["term_start"], merged["term_end"], multi, settings)
    problems += date_problems(tender_end=merged["tender_end"], term_start=merged["term_start"], today=today,
                              published=project.status == "tender")
    if problems:
        raise InvalidInput("amendment_refused", "the amended project may not be bought as proposed", problems)
    for f, v in after.items():
        setattr(project, f, v)
    project.version += 1
    session.add(ProjectAmendment(project_id=project.project_id, version=project.version, stage=project.status,
                                 rationale=body.rationale, changes=changes, actor=principal.actor, amended_at=now()))
    await session.flush()
    tag = "tenderAmendment" if project.status == "tender" else "planningUpdate"
    await ocds_service.capture(session, project.project_id, [tag], settings)
    return await read(session, project.project_id)


async def publish(session: AsyncSession, project_id: str, principal: Principal, today: date,
                  settings: Settings) -> ProjectRead:
    """Publication opens the tender; the catalogue item must still be in a published catalogue (PROC-6)."""
    project = await get(session, project_id)
    require_purchaser(principal, project)
    if project.status != "planning":
        raise Conflict("project_not_planning", f"项目状态为 {project.status}，不能发布; only a planned project can be "
                                               f"published, this one is {project.status}")
    problems = date_problems(tender_end=project.tender_end, term_start=project.term_start, today=today,
                             published=True)
    if await catalogue_service.find_item(session, code=project.catalogue_item_code, year=project.budget_year,
                                         division_code=project.division_code) is None:
        problems.append(Problem("catalogue_item_code", "PROC-6", "目录项已不在现行指导性目录中",
                                "the item is no longer in a published guidance catalogue"))
    if problems:
        raise InvalidInput("publication_refused", "the project cannot be published", problems)
    project.status, project.published_at = "tender", now()
    await session.flush()
    await ocds_service.capture(session, project.project_id, ["tender"], settings)
    return await read(session, project.project_id)


async def cancel(session: AsyncSession, project_id: str, body: ProjectCancel, principal: Principal,
                 settings: Settings) -> ProjectRead:
    """A project may be cancelled until its contract is signed."""
    project = await get(session, project_id)
    require_purchaser(principal, project)
    if project.status not in ("planning", "tender", "evaluation", "awarded"):
        raise Conflict("project_not_cancellable", f"项目状态为 {project.status}，不能撤销; cannot cancel a "
                                                  f"{project.status} project")
    project.status, project.cancelled_at, project.cancel_reason = "cancelled", now(), body.reason
    await session.flush()
    await ocds_service.capture(session, project.project_id, ["tenderCancellation"], settings)
    return await read(session, project.project_id)


async def get(session: AsyncSession, project_id: str) -> Project:
    project = await session.get(Project, project_id)
    if project is None:
        raise NotFound("project_not_found", f"no project {project_id}")
    return project


async def set_status(session: AsyncSession, project: Project, status: str) -> None:
    project.status = status
    await session.flush()


async def amendments(session: AsyncSession, project_id: str) -> list[ProjectAmendment]:
    return await repository.amendments(session, project_id)


async def read_visible(session: AsyncSession, project_id: str, principal: Principal) -> ProjectRead:
    """A planned (unpublished) project only for purchasers, staff and supervisors."""
    project = await get(session, project_id)
    if project.status == "planning" and not can_see_all(principal):
        raise NotFound("project_not_found", f"no project {project_id}")
    return await read(session, project_id)


async def read(session: AsyncSession, project_id: str) -> ProjectRead:
    project = await get(session, project_id)
    read_ = ProjectRead.model_validate(project, from_attributes=True)
    read_.amendments = [AmendmentRead.model_validate(a, from_attributes=True)
                        for a in await repository.amendments(session, project_id)]
    return read_


async def search(session: AsyncSession, principal: Principal, *, status: str | None, division_code: str | None,
                 year: int | None, department: str | None) -> list[ProjectRead]:
    """Projects; planned (unpublished) ones only for purchasers, staff and supervisors, within their jurisdiction
    (AUTH-2: `division_code` narrows it, never widens it); the public filters published ones by any division."""
    staff = principal.is_any("purchaser", "staff", "supervisor", "internal")
    prefix = listing_prefix(principal, division_code, field="division_code") if staff else division_code
    rows = await repository.search(session, status=status, division_prefix=prefix, year=year, department=department,
                                   public_only=not staff)
    return [ProjectRead.model_validate(p, from_attributes=True) for p in rows]


async def tenders_closing(session: AsyncSession, as_of: date) -> list[Project]:
    return await repository.tenders_closing(session, as_of)
