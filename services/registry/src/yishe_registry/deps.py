"""Request-scoped dependencies shared by the domains: rule settings, today's date (overridable in tests), outbox."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Request

from yishe_kit.db import SessionDep  # noqa: F401 - re-exported for the domains
from yishe_kit.outbox import Outbox

from .config import RulesSettings


def get_rules(request: Request) -> RulesSettings:
    return request.app.state.settings.rules


def get_today() -> date:
    """The bureau's calendar day (tests override this dependency to move time)."""
    return date.today()


def get_outbox(request: Request) -> Outbox:
    return request.app.state.outbox


RulesDep = Annotated[RulesSettings, Depends(get_rules)]
TodayDep = Annotated[date, Depends(get_today)]
OutboxDep = Annotated[Outbox, Depends(get_outbox)]
