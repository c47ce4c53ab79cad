"""The gateway's own health: liveness, readiness with each upstream, its store, NATS, cache and breakers."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from .upstream import SERVICES, get_json, json_response

router = APIRouter(tags=["health"])


@router.get("/health/live")
async def live() -> Response:
    """The process is up."""
    return json_response({"status": "ok"})


@router.get("/health/ready")
async def ready(request: Request) -> Response:
    """Ready once the upstream client and the gateway's store answer; each service's readiness is reported, never a
    reason to fail (the profile degrades and names what is missing)."""
    state = request.app.state
    session = getattr(state, "http", None)
    if session is None or session.closed:
        return json_response({"status": "unavailable", "upstreams": {}}, status=503)
    settings = state.settings
    ids = {"X-Request-ID": request.state.request_id}
    answers = await asyncio.gather(*[
        get_json(session, name, settings.upstreams.get(name).rstrip("/") + "/health/ready", headers=ids,
                 timeout=settings.timeout_for(name))
        for name in SERVICES
    ])
    upstreams = {a.source: ("unreachable" if a.status is None else a.status) for a in answers}
    try:
        async with state.sessionmaker() as db:
            await db.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:
        database = f"error: {exc!r}"[:200]
    bus = getattr(state, "bus", None)
    body = {
        "status": "ok" if database == "ok" else "unavailable", "upstreams": upstreams, "database": database,
        "nats": "disabled" if bus is None else ("ok" if bus.connected else "disconnected"),
        "cache": state.cache.stats(), "breakers": state.breakers.states(),
        # Per service: gathered fragment reads sent, and the codes they carried (codes / requests: the batch size).
        "fanout": {s: {"requests": g.requests, "codes": g.codes} for s, g in state.hops.gatherers.items()},
    }
    return json_response(body, status=200 if database == "ok" else 503)
