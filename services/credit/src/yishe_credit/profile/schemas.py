from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class ColourChangeRead(BaseModel):
    from_colour: str | None
    to_colour: str
    rule: str
    reason: str
    at: datetime


class CreditProfileRead(BaseModel):
    uscc: str
    colour: str
    colour_rule: str
    colour_reason: str
    abnormal_listed: bool
    serious_listed: bool
    list_entries: list[dict]
    opened_at: datetime
    colour_history: list[ColourChangeRead] | None = None
