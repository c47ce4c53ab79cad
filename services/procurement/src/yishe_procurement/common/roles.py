"""Procurement's reader roles (the checks themselves are `yishe_kit.access`)."""

from __future__ import annotations

from yishe_kit.principal import Principal

INSIDE_READERS = ("staff", "supervisor", "purchaser", "internal")
"""Who sees a project before publication, every bid and the evaluation while it runs."""


def can_see_all(principal: Principal) -> bool:
    return principal.is_any(*INSIDE_READERS)
