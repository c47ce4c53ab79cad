"""Request body limits in every service: size (413) and JSON nesting depth (400), before any route parses it.

The gateway has its own limit at the edge; a service checks again because it must not rely on being called through
the gateway alone. Bodies are read whole here (at most the limit) and replayed to the app, so a route never sees a
body over the limit. Upload routes (`upload_paths`, e.g. the registry's import) have their own, larger limit; routes
that stream their body to disk (`stream_paths`, the registry's import jobs) are left to their own limit.
"""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import problem_response

MIB = 1024 * 1024
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


class LimitSettings(BaseModel):
    max_body_bytes: int = Field(default=MIB, gt=0, description="request body limit (413 above it)")
    upload_max_body_bytes: int = Field(default=32 * MIB, gt=0, description="limit on upload_paths")
    upload_paths: list[str] = Field(default_factory=list, description="path prefixes taking uploads")
    stream_paths: list[str] = Field(default_factory=list,
                                    description="path prefixes streaming their body (the route limits it itself)")
    max_json_depth: int = Field(default=64, ge=1, le=1000, description="deepest JSON nesting accepted (400)")


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays/objects in JSON text (or JSON Lines), strings ignored; linear, no recursion."""
    if body.count(b"[") + body.count(b"{") == 0:
        return 0
    depth = deepest = 0
    for m in _BRACKET.finditer(_STRING.sub(b'""', body)):
        if m.group() in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
        elif depth > 0:
            depth -= 1
    return deepest


def too_deep(body: bytes, limit: int) -> bool:
    """Cheap first: a body with fewer brackets than the limit cannot be nested deeper than it."""
    return body.count(b"[") + body.count(b"{") > limit and json_depth(body) > limit


def _problem(status: int, code: str, zh: str, en: str, field: str = "body") -> JSONResponse:
    return problem_response(status, code, en, [{"field": field, "rule": None, "message_zh": zh, "message": en}])


class BodyLimits:
    """413 for a body over the limit (declared or streamed), 400 for JSON nested deeper than `max_json_depth`."""

    def __init__(self, app: ASGIApp, settings: LimitSettings) -> None:
        self.app = app
        self.settings = settings
        self.uploads = tuple(settings.upload_paths)
        self.streams = tuple(settings.stream_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE")
                or (self.streams and scope["path"].startswith(self.streams))):
            await self.app(scope, receive, send)
            return
        limit = (self.settings.upload_max_body_bytes if self.uploads and scope["path"].startswith(self.uploads)
                 else self.settings.max_body_bytes)
        content_type = b""
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await self._too_large(limit, scope, receive, send)
                return
            if name == b"content-type":
                content_type = value.lower()
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._too_large(limit, scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if b"json" in content_type and too_deep(body, self.settings.max_json_depth):
            depth = self.settings.max_json_depth
            await _problem(400, "json_too_deep", f"JSON 嵌套层数超过上限 {depth}",
                           f"JSON nested deeper than {depth} levels")(scope, receive, send)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _too_large(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        await _problem(413, "payload_too_large", f"请求体超过上限 {limit} 字节",
                       f"request body over the limit of {limit} bytes")(scope, receive, send)


def add_limits(app: FastAPI, settings: LimitSettings) -> None:
    app.add_middleware(BodyLimits, settings=settings)
