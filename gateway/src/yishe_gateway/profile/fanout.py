"""One concurrent fan-out to the four services, merged into the full (internal) profile, naming missing and
pending sources. The gateway asks as `internal` and decides disclosure itself (disclosure/policy.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import aiohttp
from yarl import URL

from yishe_kit.errors import NotFound, ServiceError

from ..config import Settings
from ..upstream import Fetched, get_json, unavailable
from .breaker import Breakers

PATHS = {
    "registry": "/v1/organisations/{}",
    "credit": "/v1/profiles/{}",
    "party": "/v1/records/{}",
    "procurement": "/v1/bidders/{}",
}
GATEWAY_PRINCIPAL = {"X-Yishe-Role": "internal", "X-Yishe-Actor": "gateway"}


@lru_cache(maxsize=16)
def _base(base_url: str, timeout: float) -> tuple[str, aiohttp.ClientTimeout]:
    return base_url.rstrip("/"), aiohttp.ClientTimeout(total=timeout)


async def _one(session: aiohttp.ClientSession, settings: Settings, breakers: Breakers, source: str, uscc: str,
               headers: dict[str, str]) -> Fetched:
    breaker = breakers[source]
    if not breaker.allow():
        return Fetched(source, None)
    base, timeout = _base(settings.upstreams.get(source), settings.timeout_for(source))
    # A USCC is plain ASCII (validated before any lookup): the URL needs no parsing or quoting on the way out.
    url = URL(base + PATHS[source].format(uscc), encoded=True)
    fetched = await get_json(session, source, url, headers=headers, timeout=timeout)
    if fetched.status is None or fetched.status >= 500:
        breaker.failure()
    else:
        breaker.success()
    return fetched


async def fetch_all(session: aiohttp.ClientSession, settings: Settings, breakers: Breakers, uscc: str,
                    request_id: str) -> dict[str, Fetched]:
    """Ask every source at once; each has its own timeout and breaker, so one slow service cannot hold the others."""
    headers = {**GATEWAY_PRINCIPAL, "X-Request-ID": request_id, "X-Correlation-ID": request_id}
    answers = await asyncio.gather(*[_one(session, settings, breakers, s, uscc, headers) for s in PATHS])
    return {f.source: f for f in answers}


class RegistryUnavailable(ServiceError):
    pass


def merge(uscc: str, fetched: dict[str, Fetched]) -> dict[str, Any]:
    """Registry decides existence; the other sources are present, pending (404: events still travelling) or missing."""
    registry = fetched["registry"]
    if registry.status == 404:
        raise NotFound("organisation_not_found", f"no organisation {uscc}")
    if not registry.ok:
        err = unavailable("registry", 503, "暂不可用，无法确认该社会组织",
                          "is unavailable, so the organisation cannot be shown")
        raise RegistryUnavailable(err.code, err.status, err.detail, err.problems)
    profile: dict[str, Any] = {"uscc": uscc, "organisation": registry.body}
    missing, pending = [], []
    for source in ("credit", "party", "procurement"):
        f = fetched[source]
        profile[source] = f.body if f.ok else None
        if f.status == 404:
            pending.append(source)
        elif not f.ok:
            missing.append(source)
    profile |= {"missing_sources": missing, "pending_sources": pending, "as_of": datetime.now(UTC).isoformat()}
    return profile
