from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class DisclosurePublish(BaseModel):
    published_on: date
    channel: str = Field(min_length=2, max_length=200, description="e.g. 组织官网, 浙江政务服务网, 公示栏")
    url: str | None = Field(default=None, max_length=500)


class DisclosureRead(BaseModel):
    obligation_id: int
    contract_id: str
    uscc: str
    kind: str
    label: str
    due_date: date
    published_on: date | None
    channel: str | None
    url: str | None
    state: str = Field(description="published / open / overdue (as of the request date)")
