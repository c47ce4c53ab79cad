"""The gateway, the one front door: `uvicorn --factory yishe_gateway.main:create_app`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from fastapi import FastAPI

from yishe_kit.errors import install_handlers
from yishe_kit.logging import configure

from . import proxy, routes
from .config import Settings, get_settings
from .request_id import RequestIdMiddleware


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure("gateway", settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One pooled session for every upstream call: per-request clients would redo TCP setup on each hop.
        # limit_per_host: one slow service cannot take every connection. keepalive_timeout stays under
        # uvicorn's 5 s keep-alive, so we never reuse a connection the service is just closing (a POST
        # on it would fail, and aiohttp only retries idempotent requests).
        connector = aiohttp.TCPConnector(limit=200, limit_per_host=100, keepalive_timeout=4)
        session = aiohttp.ClientSession(connector=connector, raise_for_status=False)
        app.state.http = session
        try:
            yield
        finally:
            app.state.http = None
            await session.close()

    app = FastAPI(title="yishe gateway (一社一码)", version="1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.http = None
    install_handlers(app)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(routes.router)
    app.include_router(proxy.router)
    return app
