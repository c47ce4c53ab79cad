"""The platform date (development, tests, training only): `GET|PUT|DELETE /v1/platform/date`.

With `GATEWAY_ENV=dev` staff or an internal caller sets the business date the whole platform runs on; it is written
to one NATS KV key (`yishe_kit.platform_date`), which every process follows with its kit clock at once (the services
only when started with `YISHE_PLATFORM_DATE_ENABLED=1` in `env=dev`, as `make run` does). Anywhere else setting it is
refused (403 `platform_date_disabled`) and the gateway says so at start-up.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, Field

from yishe_kit import platform_date
from yishe_kit.clock import business_date, default_clock
from yishe_kit.errors import Problem, ServiceError

from .identity.dependencies import IdentityDep, require

log = structlog.get_logger("yishe.gateway.platform_date")
router = APIRouter(tags=["platform"])
_refused: dict[int | str, dict[str, Any]] = {401: {"description": "authentication required"},
            403: {"description": "not staff or internal, or not a development platform (GATEWAY_ENV≠dev)"},
            503: {"description": "NATS is not reachable"}}


class PlatformDateSet(BaseModel):
    date: dt.date = Field(description="the business date the platform runs on from now (Asia/Shanghai)")


class PlatformDateRead(BaseModel):
    enabled: bool = Field(description="the platform date may be set here (GATEWAY_ENV=dev)")
    platform_date: date | None = Field(description="the date set, or null: the real date")
    chosen_on: date | None = Field(description="the real date it was set on (the platform's days turn with the real "
                                               "ones from there)")
    today: date = Field(description="the platform's business date now (every process follows within moments)")
    real_date: date


def enabled(app: FastAPI) -> bool:
    return app.state.settings.env == "dev"


def start(app: FastAPI) -> platform_date.PlatformDateFollower | None:
    """At start-up: follow the KV key with the process clock in dev; otherwise say it is disabled."""
    state = app.state
    if not enabled(app) or state.bus is None:
        log.info("platform date disabled: the business date is the real date", env=state.settings.env,
                 events_enabled=state.bus is not None)
        return None
    follower = platform_date.PlatformDateFollower(state.bus, default_clock())
    follower.start()
    log.info("platform date enabled (GATEWAY_ENV=dev): PUT /v1/platform/date moves every process's business date")
    return follower


def _read(app: FastAPI, value: platform_date.PlatformDate | None) -> PlatformDateRead:
    clock = default_clock()
    real = business_date(clock.real_now())
    return PlatformDateRead(enabled=enabled(app), platform_date=value.day if value else None,
                            chosen_on=value.chosen_on if value else None,
                            today=value.today(clock) if value else real, real_date=real)


def _js(request: Request):
    bus = request.app.state.bus
    if bus is None or bus.js is None or not bus.connected:
        raise ServiceError(code="nats_unavailable", status=503, detail="NATS is not reachable: the platform date "
                           "lives in a NATS KV key (平台日期保存在 NATS 中，当前无法连接)")
    return bus.js


def _require_dev(request: Request) -> None:
    if not enabled(request.app):
        en = (f"the platform date can be set only on a development platform (GATEWAY_ENV=dev; this is "
              f"{request.app.state.settings.env})")
        raise ServiceError(code="platform_date_disabled", status=403, detail=en, problems=[Problem(
            None, None, "平台日期只能在开发、测试、培训环境（GATEWAY_ENV=dev）中设置", en)])


@router.get("/v1/platform/date", response_model=PlatformDateRead, responses=_refused)
async def get_platform_date(request: Request) -> PlatformDateRead:
    """The business date the platform runs on: the date set in development, or the real date."""
    if not enabled(request.app):
        return _read(request.app, None)
    return _read(request.app, await platform_date.read(_js(request)))


@router.put("/v1/platform/date", response_model=PlatformDateRead, responses=_refused)
async def set_platform_date(body: PlatformDateSet, identity: IdentityDep, request: Request) -> PlatformDateRead:
    """Run the whole platform on `date` (development only; staff or internal): every service follows at once."""
    require(identity, "staff", "internal")
    _require_dev(request)
    value = await platform_date.write(_js(request), body.date, default_clock())
    await request.app.state.audit.record(identity, request, action="write",
                                         detail={"what": "platform_date", "date": body.date.isoformat()})
    return _read(request.app, value)


@router.delete("/v1/platform/date", response_model=PlatformDateRead, responses=_refused)
async def clear_platform_date(identity: IdentityDep, request: Request) -> PlatformDateRead:
    """Back to the real date (development only; staff or internal)."""
    require(identity, "staff", "internal")
    _require_dev(request)
    await platform_date.write(_js(request), None, default_clock())
    await request.app.state.audit.record(identity, request, action="write", detail={"what": "platform_date",
                                                                                    "date": None})
    return _read(request.app, None)
