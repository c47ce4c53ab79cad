"""Request dependencies shared by the routers: this service's settings and its outbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from yishe_kit.outbox import Outbox

from .config import Settings


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_outbox(request: Request) -> Outbox:
    return request.app.state.outbox


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
OutboxDep = Annotated[Outbox, Depends(get_outbox)]

ERRORS = {400: {"description": "malformed input or a refused rule (errors name the rule)"},
          403: {"description": "role or jurisdiction not allowed"}, 404: {"description": "unknown"},
          409: {"description": "conflicts with the current state (errors name the rule)"}}
