"""Party's typed request dependencies, built on the kit's (`yishe_kit.context`), and the routers' error table."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from yishe_kit.context import OutboxDep, TodayDep, get_settings  # noqa: F401 - re-exported for the routers

from .config import Settings

SettingsDep = Annotated[Settings, Depends(get_settings)]

ERRORS: dict = {400: {"description": "malformed input or a refused rule (errors name the rule)"},
          403: {"description": "role or jurisdiction not allowed"}, 404: {"description": "unknown"},
          409: {"description": "conflicts with the current state (errors name the rule)"}}
