"""FastAPI dependencies shared by the routers: the service's settings and its outbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from yishe_kit.outbox import Outbox

from ..config import Settings


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _outbox(request: Request) -> Outbox:
    return request.app.state.outbox


SettingsDep = Annotated[Settings, Depends(_settings)]
OutboxDep = Annotated[Outbox, Depends(_outbox)]
