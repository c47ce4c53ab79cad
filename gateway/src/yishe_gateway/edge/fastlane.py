"""The hot path's fast lane (CACHE-1): an anonymous `GET /v1/code/{uscc}[?sig=…]` for a profile the gateway holds
is answered here, in plain ASGI, before FastAPI's routing, exception and dependency layers (their cost is several
times the lookup's: PERFORMANCE.md). It applies the same rules as the route: the anonymous rate limit (EDGE-1),
the public view (CODE-4) from the same cached bytes, the signature check (CODE-6). Anything else — credentials, a
browser asking for HTML, other query parameters, a CORS request, a profile not held — goes on to FastAPI."""

from __future__ import annotations

from urllib.parse import unquote

from starlette.datastructures import State
from starlette.types import ASGIApp, Receive, Scope, Send

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
            if path.startswith(PREFIX) and len(path) == len(PREFIX) + 18 and await self._serve(scope, send, path):
                return
        await self.app(scope, receive, send)

    async def _serve(self, scope: Scope, send: Send, path: str) -> bool:
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
        entry = cache.fresh(uscc) if cache is not None else None
        if entry is None:
            return False
        client = scope.get("client")
        limiter = state.limiter
        try:
            limiter.hit(limiter.settings.anonymous, f"anonymous:{client[0] if client else 'unknown'}")
        except RateLimited:
            return False  # the route answers the 429 (it charges once more: the caller is over the limit anyway)
        cache.hits += 1
        body = entry.body("public", "public") + SIGNATURE[signature_state(state.settings, uscc, sig)]
        await send({"type": "http.response.start", "status": 200,
                    "headers": [*JSON_HEADERS, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
        return True
