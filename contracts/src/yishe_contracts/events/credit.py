"""Events owned by the credit service (信用)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from ..envelope import Event
from .common import Colour


class CreditProfileOpened(Event):
    """An organisation's credit profile was opened with its first 分色监管 colour (CODE-3)."""

    subject_name: ClassVar[str] = "credit.profile.opened.v1"

    uscc: str = Field(min_length=18, max_length=18)
    name: str
    colour: Colour
    colour_rule: str = Field(description="the CODE-3 rule that decided the colour")
    colour_reason: str
    abnormal_listed: bool = False
    serious_listed: bool = False
    opened_at: datetime
