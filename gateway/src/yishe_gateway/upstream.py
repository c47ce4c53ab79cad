"""Calling the services over the one shared aiohttp session: signed assertions, timeouts, outcomes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import aiohttp
import orjson
import structlog
from fastapi import Request, Response
from yarl import URL

from yishe_kit.assertion import HEADER as ASSERTION_HEADER
from yishe_kit.assertion import Minter, generate_pem_pair
from yishe_kit.errors import Problem, ServiceError
from yishe_kit.tracing import current_carrier

from .identity.principal import Identity

if TYPE_CHECKING:
    from .config import Settings

SERVICES = ("registry", "credit", "procurement", "party", "cultivation")

log = structlog.get_logger("yishe.gateway.upstream")


def json_response(data: Any, status: int = 200) -> Response:
    # orjson keeps Chinese text as UTF-8 rather than \u escapes and is the fastest encoder at hand.
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def session_of(request: Request) -> aiohttp.ClientSession:
    return request.app.state.http


@lru_cache(maxsize=4)
def _minter(pem: str, ttl: int) -> Minter:
    if not pem:  # env=dev without a configured key (the settings refuse this elsewhere): services will refuse us
        log.warning("no GATEWAY_ASSERTION__PRIVATE_KEY: an ephemeral key signs assertions no service accepts")
        pem = generate_pem_pair()[0]
    return Minter(pem, ttl)


def minter_for(settings: Settings) -> Minter:
    """The gateway's assertion signer (the key is parsed once per process)."""
    return _minter(settings.assertion.pem(), settings.assertion.ttl_seconds)


def vouch(settings: Settings, service: str | list[str], *, role: str, actor: str, division: str = "",
          request_id: str = "") -> str:
    """A fresh assertion for one call to `service` (yishe_kit.assertion): the only credential services accept. A list
    of services: one assertion for a request's fan-out to each of them (one signature instead of four)."""
    return minter_for(settings).mint(service, role=role, actor=actor, jurisdiction=division, request_id=request_id)


def trusted_headers(request: Request, identity: Identity, service: str) -> dict[str, str]:
    """What the gateway asserts to a service after authentication, signed: who is calling, in which role and
    jurisdiction; the request id (the services copy it into their events as the correlation id); the gateway's
    trace context (W3C `traceparent`), so the service's span is a child of the gateway's."""
    request_id = request.state.request_id
    token = vouch(request.app.state.settings, service, role=identity.role, actor=identity.actor,
                  division=identity.division, request_id=request_id)
    return {ASSERTION_HEADER: token, "X-Request-ID": request_id, "X-Correlation-ID": request_id,
            **current_carrier()}


def internal_headers(settings: Settings, service: str | list[str], request_id: str = "") -> dict[str, str]:
    """The gateway calling a service for itself (profile fan-out, merged OpenAPI) as `internal`."""
    token = vouch(settings, service, role="internal", actor="gateway", request_id=request_id)
    headers = {ASSERTION_HEADER: token}
    if request_id:
        headers |= {"X-Request-ID": request_id, "X-Correlation-ID": request_id}
    return headers


_REUSED: dict[tuple[str, int, tuple[str, ...]], tuple[str, float]] = {}


def fanout_headers(settings: Settings, services: list[str], request_id: str = "") -> dict[str, str]:
    """`internal_headers` for the 一社一码 fan-out, whose assertion is the same for every lookup (role `internal`,
    actor `gateway`, no jurisdiction): one is minted and reused for a third of its lifetime, so the services verify
    it once (yishe_kit.assertion.Verifier remembers it) instead of one ECDSA verification per lookup and source.
    The request id travels in `X-Request-ID` (as for every call), not in the reused assertion."""
    key = (settings.assertion.pem(), settings.assertion.ttl_seconds, tuple(services))
    now = time.time()
    held = _REUSED.get(key)
    if held is None or now >= held[1]:
        held = _REUSED[key] = (vouch(settings, services, role="internal", actor="gateway"),
                               now + settings.assertion.ttl_seconds / 3)
    headers = {ASSERTION_HEADER: held[0]}
    if request_id:
        headers |= {"X-Request-ID": request_id, "X-Correlation-ID": request_id}
    return headers


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
