"""Calling the services over the one shared aiohttp session: trusted headers, timeouts, outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson
import structlog
from fastapi import Request, Response
from yarl import URL

from yishe_kit.errors import Problem, ServiceError

from .identity.principal import Identity

SERVICES = ("registry", "credit", "procurement", "party")

log = structlog.get_logger("yishe.gateway.upstream")


def json_response(data: Any, status: int = 200) -> Response:
    # orjson keeps Chinese text as UTF-8 rather than \u escapes and is the fastest encoder at hand.
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def session_of(request: Request) -> aiohttp.ClientSession:
    return request.app.state.http


def trusted_headers(request: Request, identity: Identity) -> dict[str, str]:
    """What the gateway asserts to a service after authentication: who is calling, in which role and jurisdiction,
    and the request id (the services copy it into their events as the correlation id)."""
    request_id = request.state.request_id
    return {**identity.trusted_headers(), "X-Request-ID": request_id, "X-Correlation-ID": request_id}


@dataclass(frozen=True)
class Fetched:
    """One upstream answer; `status` None means unreachable or timed out."""

    source: str
    status: int | None
    body: Any = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and isinstance(self.body, dict)


async def get_json(session: aiohttp.ClientSession, source: str, url: str | URL, *, headers: dict[str, str],
                   timeout: float | aiohttp.ClientTimeout) -> Fetched:
    """GET `url`; never raises for the upstream's sake, the caller decides what a failure means."""
    if not isinstance(timeout, aiohttp.ClientTimeout):
        timeout = aiohttp.ClientTimeout(total=timeout)
    try:
        async with session.get(url, headers=headers, timeout=timeout) as resp:
            raw = await resp.read()
            status = resp.status
    except (TimeoutError, aiohttp.ClientError) as exc:
        log.warning("upstream unavailable", source=source, url=str(url), error=repr(exc))
        return Fetched(source, None)
    try:
        body = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        log.warning("upstream answered non-JSON", source=source, url=str(url), status=status)
        body = None
    return Fetched(source, status, body)


def unavailable(service: str, status: int, why_zh: str, why_en: str) -> ServiceError:
    """A problem+json naming the service that failed (502 unreachable, 503 required source down, 504 timeout)."""
    problem = Problem("service", None, f"上游服务 {service} {why_zh}", f"upstream service {service} {why_en}")
    return ServiceError(code=f"upstream_{status}", status=status, detail=f"{service}: {why_en}", problems=[problem])
