from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class MemberRead(BaseModel):
    name: str
    status: str
    id_number: str | None = None
    phone: str | None = None


class PartyRecordRead(BaseModel):
    uscc: str
    route: str
    route_rule: str
    route_label: str
    capture_task_status: str
    capture_task_due: date
    opened_at: datetime
    full_members: int | None = None
    probationary_members: int | None = None
    members: list[MemberRead] | None = None
