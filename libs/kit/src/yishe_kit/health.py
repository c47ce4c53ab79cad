"""`/health/live` (process up) and `/health/ready` (the database reachable), the same in every service.

NATS is reported but does not fail readiness: while it is away the outbox holds every event and the relay sends
them when it is back, so the service can keep serving (issue 12: a NATS outage took every service out of rotation).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from .clock import Clock, default_clock

router = APIRouter(tags=["health"])


@router.get("/health/live")
async def live() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/health/ready")
async def ready(request: Request) -> JSONResponse:
    """Ready when the database answers; reports NATS and the outbox lag (NATS away: still ready, events wait)."""
    state = request.app.state
    checks: dict[str, object] = {}
    try:
        async with state.sessionmaker() as session:
            await session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc!r}"[:200]
    bus = getattr(state, "bus", None)
    checks["nats"] = "ok" if bus is not None and bus.connected else "disconnected"
    relay = getattr(state, "relay", None)
    if relay is not None and checks["database"] == "ok":
        checks["outbox_lag"] = await relay.lag()
    ok = checks["database"] == "ok"
    clock = getattr(state, "clock", None)
    # The business date this process decides by (the platform date in dev): tests and operators see it follow.
    today = (clock if isinstance(clock, Clock) else default_clock()).today().isoformat()
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks, "business_date": today},
                        status_code=200 if ok else 503)
