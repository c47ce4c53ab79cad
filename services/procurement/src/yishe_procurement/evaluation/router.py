from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.context import OutboxDep, SettingsDep, TodayDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from . import service
from .schemas import AwardCreate, AwardRead, EvaluationRead, PanelSet, ScoreSheet

router = APIRouter(prefix="/projects/{project_id}", tags=["evaluation"])
ERRORS: dict = {400: {"description": "refused, with the missing pieces"}, 403: {"description": "not the purchaser"},
          404: {"description": "no such project / award"}, 409: {"description": "wrong project state"}}


@router.put("/panel", response_model=EvaluationRead, responses=ERRORS)
async def set_panel(project_id: str, body: PanelSet, session: SessionDep, principal: PrincipalDep,
                    settings: SettingsDep) -> EvaluationRead:
    """Name the evaluation panel (评审小组)."""
    return await service.set_panel(session, project_id, body, principal, settings)


@router.post("/scores", response_model=EvaluationRead, responses=ERRORS)
async def score_bids(project_id: str, body: ScoreSheet, session: SessionDep, principal: PrincipalDep,
                     today: TodayDep, settings: SettingsDep) -> EvaluationRead:
    """Enter one panel member's scores for the bids (after the tender closes)."""
    return await service.score(session, project_id, body, principal, today, settings)


@router.get("/evaluation", response_model=EvaluationRead, responses=ERRORS)
async def get_evaluation(project_id: str, session: SessionDep, principal: PrincipalDep,
                         settings: SettingsDep) -> EvaluationRead:
    """The panel and the current ranking (public once awarded)."""
    return await service.read(session, project_id, principal, settings)


@router.post("/award", response_model=AwardRead, status_code=201, responses=ERRORS)
async def award_project(project_id: str, body: AwardCreate, session: SessionDep, principal: PrincipalDep,
                        today: TodayDep, settings: SettingsDep, outbox: OutboxDep) -> AwardRead:
    """Award the project to the best-ranked bid."""
    return await service.award(session, project_id, body, principal, today, settings, outbox)


@router.get("/award", response_model=AwardRead, responses=ERRORS)
async def get_award(project_id: str, session: SessionDep) -> AwardRead:
    """The award and the ranking it rested on."""
    return await service.read_award(session, project_id)
