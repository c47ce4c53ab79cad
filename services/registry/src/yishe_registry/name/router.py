from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.principal import PrincipalDep

from ..deps import OutboxDep, RulesDep, SessionDep, TodayDep
from ..organisation.schemas import HistoryRead
from ..organisation.service import require_not_public
from ..trail import service as trail
from . import service
from .schemas import NameCheckRead, NameRequest, ReleaseRequest, ReservationCreate, ReservationRead

router = APIRouter(prefix="/names", tags=["name"])
_errors: dict = {400: {"description": "a name rule refused (REG-6, REG-7, REG-8, REG-12)"},
           403: {"description": "role or jurisdiction"},
           409: {"description": "name taken, similar names, or 一业一会 conflict"}}


def _read(res, similar=None) -> ReservationRead:
    read = ReservationRead.model_validate(res, from_attributes=True)
    return read.model_copy(update={"similar": similar or []})


@router.post("/check", response_model=NameCheckRead, responses={422: {"description": "malformed request"}})
async def check_name(data: NameRequest, session: SessionDep, rules: RulesDep, today: TodayDep) -> NameCheckRead:
    """Build (from parts) and validate a name; report the exact holder, similar names and 一业一会 conflicts."""
    return await service.check(session, data, rules, today)


@router.post("/reservations", status_code=201, response_model=ReservationRead, responses=_errors)
async def reserve_name(data: ReservationCreate, session: SessionDep, principal: PrincipalDep, outbox: OutboxDep,
                       rules: RulesDep, today: TodayDep) -> ReservationRead:
    """名称核准: reserve a valid, free name for an applicant until it expires."""
    res, similar = await service.reserve(session, data, principal, outbox, rules, today)
    return _read(res, similar)


@router.get("/reservations/{reservation_id}", response_model=ReservationRead, responses={404: {}})
async def get_reservation(reservation_id: int, session: SessionDep) -> ReservationRead:
    """One name reservation."""
    return _read(await service.get(session, reservation_id))


@router.post("/reservations/{reservation_id}/release", response_model=ReservationRead, responses=_errors)
async def release_reservation(reservation_id: int, data: ReleaseRequest, session: SessionDep,
                              principal: PrincipalDep, outbox: OutboxDep, today: TodayDep) -> ReservationRead:
    """Give a reserved name up; it is free at once."""
    return _read(await service.release(session, reservation_id, principal, outbox, today, data.reason))


@router.get("/reservations/{reservation_id}/history", response_model=list[HistoryRead],
            responses={403: {}, 404: {}})
async def reservation_history(reservation_id: int, session: SessionDep, principal: PrincipalDep,
                              ) -> list[HistoryRead]:
    """The reservation's append-only trail (not public)."""
    require_not_public(principal)
    await service.get(session, reservation_id)
    return [HistoryRead.model_validate(h, from_attributes=True)
            for h in await trail.trail(session, "name_reservation", reservation_id)]
