"""X-Request-ID: reuse the client's when it is sane, else mint one; bound in logs and echoed on the response."""

from __future__ import annotations

import itertools
import os
import re

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A client's id goes into logs and upstream headers: accept only short, plain tokens.
_SANE = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
# 32 hex characters: a random per-process prefix and a counter (unique across replicas, no syscall per request).
_PREFIX = os.urandom(8).hex()
_COUNTER = itertools.count(1)


def mint() -> str:
    return f"{_PREFIX}{next(_COUNTER):016x}"


def resolve(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's `X-Request-ID` when it is sane, else a new one."""
    incoming = next((v.decode("latin-1") for k, v in headers if k == b"x-request-id"), "")
    return incoming if incoming and _SANE.fullmatch(incoming) else mint()


class RequestIdMiddleware:
    """Pure ASGI (not BaseHTTPMiddleware): no extra task or body buffering per request on the hot path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = resolve(scope["headers"])
        scope.setdefault("state", {})["request_id"] = request_id
        raw_id = request_id.encode("latin-1")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", raw_id)]
            await send(message)

        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.reset_contextvars(**tokens)
