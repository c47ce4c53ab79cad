"""The hot path's fast lane (CACHE-1): an anonymous `GET /v1/code/{uscc}[?sig=…]` is answered here, in plain ASGI,
before FastAPI's routing, exception and dependency layers (their cost is several times a held lookup's:
PERFORMANCE.md). A profile the gateway holds comes from the cache; one it does not hold (a first lookup, or the
cache turned off) is loaded through the cache's single-flight fan-out, as the route would. It applies the same rules
as the route: the anonymous rate limit (EDGE-1), the public view (CODE-4) from the same bytes, the signature check
(CODE-6), the route's problem+json for an unknown organisation (404) or the registry down (503). Anything else —
credentials, a browser asking for HTML, other query parameters, a CORS request, a malformed code — goes on to
FastAPI."""

from __future__ import annotations

from urllib.parse import unquote

from starlette.datastructures import State
from starlette.types import ASGIApp, Receive, Scope, Send

from yishe_contracts.identifiers import validate_social_org_uscc
from yishe_kit.errors import ServiceError, service_error_response
from yishe_kit.i18n import language

from ..errors import RateLimited
from ..profile.service import SIGNATURE, signature_state

PREFIX = "/v1/code/"
_PASS = frozenset({b"authorization", b"x-app-key", b"x-signature", b"origin"})
JSON_HEADERS = [(b"content-type", b"application/json")]


class FastLane:
    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self.state = state  # the gateway app's state: its cache, limiter and settings (set up by the lifespan)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            if (path.startswith(PREFIX) and len(path) == len(PREFIX) + 18
                    and await self._serve(scope, receive, send, path)):
                return
        await self.app(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send, path: str) -> bool:
        for name, value in scope["headers"]:
            if name in _PASS or (name == b"accept" and b"text/html" in value):
                return False
        query: bytes = scope["query_string"]
        sig = None
        if query:
            if not query.startswith(b"sig=") or b"&" in query:
                return False
            sig = unquote(query[4:].decode("latin-1"))
        state = self.state
        uscc = path[len(PREFIX):]
        cache = getattr(state, "cache", None)
        if cache is None:
            return False  # not started
        entry = cache.fresh(uscc)
        if entry is None and validate_social_org_uscc(uscc):
            return False  # the route answers the 400 naming the rule
        client = scope.get("client")
        limiter = state.limiter
        try:
            limiter.hit(limiter.settings.anonymous, f"anonymous:{client[0] if client else 'unknown'}")
        except RateLimited:
            return False  # the route answers the 429 (it charges once more: the caller is over the limit anyway)
        if entry is None:
            request_id = scope.get("state", {}).get("request_id") or "fastlane"
            try:
                entry = await cache.get(uscc, request_id)
            except ServiceError as exc:  # as the kit's handler renders it for the route
                scope["yishe.route"] = "/v1/code/{uscc}"
                accept = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept-language"), None)
                await service_error_response(exc, language(accept))(scope, receive, send)
                return True
        else:
            cache.hits += 1
        scope["yishe.route"] = "/v1/code/{uscc}"  # the metrics' route label
        body = entry.body("public", "public") + SIGNATURE[signature_state(state.settings, uscc, sig)]
        await send({"type": "http.response.start", "status": 200,
                    "headers": [*JSON_HEADERS, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
        return True
