"""A lane in front of the whole ASGI stack: FastAPI's own middleware (server errors, body limits), the kit's
telemetry, the assertion gate and the rest are built once and cost several times a hot read's own work
(PERFORMANCE.md: FastAPI ~110 µs a request, a plain ASGI answer ~36 µs). A front lane answers the few requests it
knows completely, doing itself what those layers would have done for that answer (each lane says what), and sends
nothing for any other request, which goes on to the full stack.

Used by the gateway's anonymous 一社一码 lookups (yishe_gateway.edge.fastlane.PublicLane) and by each service's profile
fragments read by the gateway (yishe_kit.readmodel.FrontFragmentLane)."""

from __future__ import annotations

from typing import Any, Protocol

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from . import tracing


class FrontLane(Protocol):
    async def serve(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Answer and return True, or return False having sent nothing."""
        ...


class FrontedApp(FastAPI):
    """FastAPI with an optional front lane (set by the app's lifespan once what it reads is ready)."""

    front: FrontLane | None = None

    def open_front(self, lane: FrontLane, service: str) -> None:
        """Put `lane` in front, unless `service`'s traces are recorded (OBS-2: an OTLP endpoint or an added span
        processor): a recorded trace wants the stack's server span, and the in-stack lanes answer instead."""
        self.front = None if tracing.recording(service) else lane

    def answer_now(self, scope: Scope) -> Any:
        """The front lane's answer given at once, without an ASGI task (`yishe_kit.server.HttpToolsProtocol`), or
        None: a lane may have a synchronous `answer_now(scope)` for what it holds in memory."""
        now = getattr(self.front, "answer_now", None)
        return None if now is None else now(scope)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        front = self.front
        if front is not None and await front.serve(scope, receive, send):
            return
        await super().__call__(scope, receive, send)
