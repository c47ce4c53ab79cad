"""Request dependencies shared by the routers: this service's settings and its outbox."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request

from yishe_kit.outbox import Outbox

from .config import Settings


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_outbox(request: Request) -> Outbox:
    return request.app.state.outbox


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
OutboxDep = Annotated[Outbox, Depends(get_outbox)]
DivisionQuery = Annotated[str | None, Query(pattern=r"^[0-9]{0,12}$",
                                            description="行政区划代码（前缀，至多 12 位数字）")]
"""A `division` filter: digits only (issue 12: other text reached a CSV's file name header and was a server error)."""

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "a refused rule (errors name the field and the rule)"},
    403: {"description": "role or jurisdiction not allowed (AUTH-1 / AUTH-2)"},
    404: {"description": "unknown"},
    409: {"description": "conflicts with the current state (errors name the rule)"}}

READERS = ("staff", "supervisor", "party", "purchaser", "internal")
"""Who may read cultivation figures and lists (each within their jurisdiction, AUTH-2)."""
WRITERS = ("staff", "internal")
"""The registration authority (including township/street staff with a 9-digit division) keeps platforms, bases,
targets and the reward ledger."""
