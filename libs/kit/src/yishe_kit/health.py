"""`/health/live` (process up) and `/health/ready` (database and NATS reachable), the same in every service."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

router = APIRouter(tags=["health"])


@router.get("/health/live")
async def live() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/health/ready")
async def ready(request: Request) -> JSONResponse:
    """Ready when the database answers and NATS is connected; reports the outbox lag."""
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
    ok = checks["database"] == "ok" and checks["nats"] == "ok"
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)
