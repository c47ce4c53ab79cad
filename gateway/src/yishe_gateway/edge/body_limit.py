"""Payload size limit (EDGE-2): 413 before reading a declared oversize body, or as soon as a streamed one passes."""

from __future__ import annotations

from collections.abc import Callable

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _TooLarge(Exception):
    pass


def _problem(limit: int) -> bytes:
    return orjson.dumps({
        "type": "about:blank", "title": "payload_too_large", "status": 413, "code": "payload_too_large",
        "detail": f"the request body exceeds {limit} bytes",
        "errors": [{"field": None, "rule": "EDGE-2", "message_zh": f"请求体超过 {limit} 字节的上限",
                    "message": f"the request body exceeds {limit} bytes"}],
    })


class BodyLimitMiddleware:
    """Pure ASGI: no buffering here, only counting. Upload routes (`upload`: a predicate on method and path) count
    against `upload_max_bytes` instead."""

    def __init__(self, app: ASGIApp, max_bytes: int, upload: Callable[[str, str], bool] | None = None,
                 upload_max_bytes: int | None = None) -> None:
        self.app = app
        self.default_max = max_bytes
        self.upload = upload
        self.upload_max = upload_max_bytes or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.default_max
        if self.upload is not None and self.upload(scope["method"], scope["path"]):
            limit = self.upload_max
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await self._refuse(send, limit)
                return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send, limit)

    async def _refuse(self, send: Send, limit: int) -> None:
        body = _problem(limit)
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
