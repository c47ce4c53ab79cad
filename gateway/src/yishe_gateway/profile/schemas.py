from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

View = Literal["public", "self", "department", "internal"]


class BatchLookup(BaseModel):
    codes: list[str] = Field(min_length=1, description="unified social credit codes (at most GATEWAY_BATCH_MAX)")
    view: View | None = Field(default=None, description="default: the fullest view allowed for each code")
