"""One concurrent fan-out to the five services, merged into the full (internal) profile, naming missing and
pending sources. The gateway asks as `internal` (a signed assertion per service, yishe_kit.assertion) and decides
disclosure itself (disclosure/policy.py); the services answer that read from their profile read models
(yishe_kit.readmodel). Plain-http upstreams are asked through the fan-out's own client (hop.py: no task or request
object per call), the lookups waiting at the same moment in one read per service (gather.py); others through
aiohttp, one request a lookup."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import aiohttp
import structlog
from yarl import URL

from yishe_kit.errors import NotFound, ServiceError

from ..config import Settings
from ..upstream import Fetched, fanout_headers, get_json, unavailable
from .breaker import Breakers
from .gather import Gatherer
from .hop import Upstream

log = structlog.get_logger("yishe.gateway.fanout")

PATHS = {
    "registry": "/v1/organisations/{}",
    "credit": "/v1/profiles/{}",
    "party": "/v1/records/{}",
    "procurement": "/v1/bidders/{}",
    "cultivation": "/v1/facts/{}",
}
AUDIENCE = list(PATHS)


@lru_cache(maxsize=16)
def _base(base_url: str, timeout: float) -> tuple[str, aiohttp.ClientTimeout]:
    return base_url.rstrip("/"), aiohttp.ClientTimeout(total=timeout)


class Hops:
    """The fan-out's kept-alive connections, one `Upstream` per plain-http service, each read through its `Gatherer`
    (gather.py: the lookups waiting at the same moment share one request a service). Made in the lifespan."""

    def __init__(self, settings: Settings) -> None:
        self.upstreams = {s: Upstream(s, url) for s in PATHS
                          if (url := settings.upstreams.get(s)) and url.startswith("http://")}
        self.timeouts = {s: settings.timeout_for(s) for s in PATHS}

        def headers(request_id: str) -> bytes:
            if "\r" in request_id or "\n" in request_id:  # never a header injection (ids are checked at the edge)
                request_id = request_id.replace("\r", "").replace("\n", "")
            return "".join(f"{k}: {v}\r\n" for k, v in fanout_headers(settings, AUDIENCE, request_id).items()
                           ).encode("latin-1")

        self.gatherers = {s: Gatherer(s, upstream, PATHS[s], headers, timeout=self.timeouts[s],
                                      in_flight=settings.fanout.in_flight, max_codes=settings.fanout.max_codes)
                          for s, upstream in self.upstreams.items()}
        self.limit = max(self.timeouts.values())  # a lookup's wait, however long its reads were queued

    def close(self) -> None:
        for gatherer in self.gatherers.values():
            gatherer.close()
        for upstream in self.upstreams.values():
            upstream.close()


async def fetch_all(session: aiohttp.ClientSession, settings: Settings, breakers: Breakers, uscc: str,
                    request_id: str, hops: Hops) -> dict[str, Fetched]:
    """Ask every source at once; each has its own timeout and breaker, so one slow service cannot hold the others.
    One assertion addressed to every source (aud is the list), reused across lookups (fanout_headers)."""
    asked: list[tuple[str, asyncio.Future[Fetched]]] = []
    fetched: dict[str, Fetched] = {}
    for source in PATHS:
        if not breakers[source].allow():
            fetched[source] = Fetched(source, None)
            continue
        gatherer = hops.gatherers.get(source)
        if gatherer is None:
            asked.append((source, asyncio.ensure_future(_fetch(session, settings, source, uscc,
                                                               fanout_headers(settings, AUDIENCE, request_id)))))
        else:
            asked.append((source, gatherer.ask(uscc, request_id)))
    try:
        if asked:
            await _all_done([wait for _, wait in asked], hops.limit)
    finally:  # past the limit (a read queued behind a slow one), or the lookup itself cancelled: stop waiting
        for _, wait in asked:
            wait.cancel()
    for source, wait in asked:
        if wait.cancelled():
            log.warning("upstream did not answer in time", source=source, uscc=uscc)
            f = Fetched(source, None)
        else:
            f = wait.result()
        if f.status is None or f.status >= 500:
            breakers[source].failure()
        else:
            breakers[source].success()
        fetched[source] = f
    return fetched


def _all_done(futures: list[asyncio.Future[Fetched]], limit: float) -> asyncio.Future[None]:
    """Done when every one of `futures` is, or `limit` seconds from now (asyncio.wait's timeout, without its sets,
    its per-future callback removal and its result sets: a cold lookup waits on five of these)."""
    loop = asyncio.get_running_loop()
    everything: asyncio.Future[None] = loop.create_future()
    left = len(futures)

    def one(_: asyncio.Future[Fetched]) -> None:
        nonlocal left
        left -= 1
        if left == 0 and not everything.done():
            everything.set_result(None)

    for future in futures:
        future.add_done_callback(one)
    timer = loop.call_later(limit, lambda: everything.done() or everything.set_result(None))
    everything.add_done_callback(lambda _: timer.cancel())
    return everything


async def _fetch(session: aiohttp.ClientSession, settings: Settings, source: str, uscc: str,
                 headers: dict[str, str]) -> Fetched:
    base, timeout = _base(settings.upstreams.get(source), settings.timeout_for(source))
    return await get_json(session, source, URL(base + PATHS[source].format(uscc), encoded=True), headers=headers,
                          timeout=timeout)


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
    for source in ("credit", "party", "procurement", "cultivation"):
        f = fetched[source]
        profile[source] = f.body if f.ok else None
        if f.status == 404:
            pending.append(source)
        elif not f.ok:
            missing.append(source)
    profile |= {"missing_sources": missing, "pending_sources": pending, "as_of": datetime.now(UTC).isoformat()}
    return profile
