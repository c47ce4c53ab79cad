"""Registry's own request dependency: its rule settings. The rest (outbox, today, session) is the kit's
(`yishe_kit.context`), re-exported here for the domains."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from yishe_kit.context import OutboxDep, SessionDep, TodayDep  # noqa: F401 - re-exported for the domains

from .config import RulesSettings


def get_rules(request: Request) -> RulesSettings:
    return request.app.state.settings.rules


RulesDep = Annotated[RulesSettings, Depends(get_rules)]
