"""The hot path's fast lanes (CACHE-1): an anonymous `GET /v1/code/{uscc}[?sig=…]` is answered in plain ASGI, before
FastAPI's routing, exception and dependency layers (their cost is several times a held lookup's: PERFORMANCE.md).

- `PublicLane`, the front lane (yishe_kit.front: before even FastAPI's own middleware, the request id and the
  metrics/access-log middleware). It does what those layers would have done for its answer, at a fraction of their
  cost: the request id (a client's sane one, else minted) on the response, the request counted in the route's
  metrics, the access-log line (OBS-3, `yishe_kit.access_log.AccessLines`). Only while traces are not recorded (no
  OTLP endpoint, the default; OBS-2): then the tracing middleware has nothing to do for it. A request it does not
  answer, and any error before it has sent anything, goes on to the full stack.
- `FastLane`, inside that stack: the same answers while traces are recorded.

Both give the route's answer (`answer`): a held profile from the cache; one not held (a first lookup, or the cache
turned off) loaded through the cache's single-flight fan-out; the anonymous rate limit (EDGE-1), the public view
(CODE-4) from the same bytes, the signature check (CODE-6), the route's problem+json for an unknown organisation
(404) or the registry down (503). Anything else — credentials, a browser asking for HTML, other query parameters, a
CORS request, a malformed code, a caller over its limit — goes on to FastAPI."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import unquote

from starlette.datastructures import State
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yishe_contracts.identifiers import validate_social_org_uscc
from yishe_kit.access_log import AccessLines
from yishe_kit.errors import ServiceError, service_error_response
from yishe_kit.i18n import language
from yishe_kit.metrics import Metrics
from yishe_kit.server import Answer, Later

from .. import request_id
from ..errors import RateLimited
from ..profile.cache import Entry
from ..profile.service import SIGNATURE, signature_state

PREFIX = "/v1/code/"
ROUTE = "/v1/code/{uscc}"
_PASS = frozenset({b"authorization", b"x-app-key", b"x-signature", b"origin"})
JSON_HEADERS = [(b"content-type", b"application/json")]
_NO_LANE = (None, None)
PUBLIC_VIEW = ("public", "public")  # (view, role) of every answer a lane gives


def match(scope: Scope) -> tuple[str | None, str | None]:
    """(uscc, signature or None) when `scope` is an anonymous public lookup a lane may answer, else (None, None)."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return _NO_LANE
    path: str = scope["path"]
    if not path.startswith(PREFIX) or len(path) != len(PREFIX) + 18:
        return _NO_LANE
    for name, value in scope["headers"]:
        if name in _PASS or (name == b"accept" and b"text/html" in value):
            return _NO_LANE
    query: bytes = scope["query_string"]
    sig = None
    if query:
        if not query.startswith(b"sig=") or b"&" in query:
            return _NO_LANE
        sig = unquote(query[4:].decode("latin-1"))
    return path[len(PREFIX):], sig


def _anonymous_allowed(state: State, scope: Scope) -> bool:
    client = scope.get("client")
    limiter = state.limiter
    try:
        limiter.hit(limiter.settings.anonymous, f"anonymous:{client[0] if client else 'unknown'}")
    except RateLimited:
        return False  # the route answers the 429 (it charges once more: the caller is over the limit anyway)
    return True


async def answer(state: State, scope: Scope, receive: Receive, send: Send, uscc: str, sig: str | None, rid: str,
                 extra: list[tuple[bytes, bytes]]) -> int | None:
    """The lookup as the route gives it: the status sent, or None having sent nothing (then the route answers)."""
    cache = getattr(state, "cache", None)
    if cache is None:
        return None  # not started
    entry = cache.fresh(uscc)
    if entry is None and validate_social_org_uscc(uscc):
        return None  # the route answers the 400 naming the rule
    if not _anonymous_allowed(state, scope):
        return None
    if entry is None:
        try:
            entry = await cache.get(uscc, rid, PUBLIC_VIEW)
        except ServiceError as exc:
            await _problem(scope, exc, extra)(scope, receive, send)
            return exc.status
    else:
        cache.hits += 1
    body = _body(state, entry, uscc, sig)
    await send({"type": "http.response.start", "status": 200, "headers": _headers(body, extra)})
    await send({"type": "http.response.body", "body": body})
    return 200


def _body(state: State, entry: Entry, uscc: str, sig: str | None) -> bytes:
    """The public view (CODE-4) of a held profile, with its signature's state (CODE-6)."""
    return entry.body(*PUBLIC_VIEW) + SIGNATURE[signature_state(state.settings, uscc, sig)]


def _headers(body: bytes, extra: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [*JSON_HEADERS, (b"content-length", str(len(body)).encode()), *extra]


def _problem(scope: Scope, exc: ServiceError, extra: list[tuple[bytes, bytes]]) -> JSONResponse:
    """The route's problem+json for `exc` (404 unknown, 503 registry down), as the kit's handler renders it, in the
    caller's language, with the lane's extra headers."""
    accept = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept-language"), None)
    response = service_error_response(exc, language(accept))
    response.raw_headers.extend(extra)
    return response


class PublicLane:
    """The front lane (see the module's docstring): `serve` answers and returns True, or returns False having sent
    nothing."""

    def __init__(self, state: State, metrics: Metrics | None, access: AccessLines | None) -> None:
        self.state = state
        self.access = access
        self.observe = None if metrics is None else metrics.route_observer("GET", ROUTE)

    def answer_now(self, scope: Scope) -> Answer | Later[Answer | None] | None:
        """CACHE-1: the answer `serve` would give, given by the HTTP protocol itself without an ASGI task
        (yishe_kit.server): the same bytes (CODE-4, CODE-6), request id, metrics and access-log line, the anonymous
        limit charged (EDGE-1). A held profile's at once; one not held or stale (a well-formed code) when the cache's
        single-flight load comes back (`answer`'s load: a stale one is served degraded while the registry is down):
        a future of the answer, the 404 or 503 as the route renders it included. None for anything else (a malformed
        code, a caller over the limit, a request the lane does not take), and a future of None for a load that
        failed otherwise: `serve` and the stack then answer it as before."""
        uscc, sig = match(scope)
        if uscc is None:
            return None
        start = time.perf_counter()
        state = self.state
        try:
            cache = getattr(state, "cache", None)
            if cache is None:
                return None
            entry = cache.fresh(uscc)
            if entry is None:
                return self._later(scope, uscc, sig, start)
            if not _anonymous_allowed(state, scope):
                return None
            cache.hits += 1
            body = _body(state, entry, uscc, sig)
            rid = request_id.resolve(scope["headers"])
        except Exception:  # the ASGI path answers, and renders any error itself
            return None
        self._recorded(200, start, rid)
        return 200, _headers(body, [(b"x-request-id", rid.encode("latin-1"))]), body

    def _later(self, scope: Scope, uscc: str, sig: str | None, start: float) -> Later[Answer | None] | None:
        """A profile not held: its load (started, or joined if under way), answered when it comes back."""
        state = self.state
        cache = state.cache
        if validate_social_org_uscc(uscc) or not _anonymous_allowed(state, scope):
            return None  # the route answers the 400 naming the rule, or the 429
        rid = request_id.resolve(scope["headers"])
        cache.misses += 1
        loading = cache.loading(uscc, rid, PUBLIC_VIEW)
        later: Later[Answer | None] = loading.get_loop().create_future()
        extra = [(b"x-request-id", rid.encode("latin-1"))]

        def loaded(done: asyncio.Future[Entry]) -> None:
            try:
                error = None if done.cancelled() else done.exception()
                if done.cancelled() or (error is not None and not isinstance(error, ServiceError)):
                    later.set_result(None)  # the ASGI path answers (and renders or logs what went wrong)
                    return
                if error is not None:
                    response = _problem(scope, error, extra)
                    answer: Answer = (error.status, response.raw_headers, bytes(response.body))
                else:
                    body = _body(state, done.result(), uscc, sig)
                    answer = (200, _headers(body, extra), body)
                self._recorded(answer[0], start, rid)
                later.set_result(answer)
            except Exception:
                if not later.done():
                    later.set_result(None)

        loading.add_done_callback(loaded)
        return later

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> bool:
        uscc, sig = match(scope)
        if uscc is None:
            return False
        start = time.perf_counter()
        rid = request_id.resolve(scope["headers"])
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            status = await answer(self.state, scope, receive, sending, uscc, sig, rid,
                                  [(b"x-request-id", rid.encode("latin-1"))])
        except Exception:
            if started:
                raise
            return False  # nothing sent yet: the full stack answers, and renders any error itself
        if status is None:
            return False
        self._recorded(status, start, rid)
        return True

    def _recorded(self, status: int, start: float, rid: str) -> None:
        """What the telemetry middleware does for an answer the lane gave: the route's count, the access-log line."""
        elapsed = time.perf_counter() - start
        if self.observe is not None:
            self.observe(status, elapsed)
        if self.access is not None:
            self.access.request("GET", ROUTE, status, elapsed, rid, "public")


class FastLane:
    """The same answers inside the stack, while traces are recorded (PublicLane then steps aside)."""

    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self.state = state  # the gateway app's state: its cache, limiter and settings (set up by the lifespan)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        uscc, sig = match(scope)
        if uscc is not None:
            rid = scope.get("state", {}).get("request_id") or "fastlane"
            scope["yishe.route"] = ROUTE  # the metrics' route label
            if await answer(self.state, scope, receive, send, uscc, sig, rid, []) is not None:
                return
            del scope["yishe.route"]
        await self.app(scope, receive, send)
