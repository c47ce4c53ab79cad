from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel


class Target(BaseModel):
    name: str
    share: Decimal
    met: bool


class DivisionShare(BaseModel):
    division_code: str
    organisations: int
    healthy: int
    share: Decimal
    targets: list[Target]


class HealthyShare(BaseModel):
    as_of: date
    definition: str
    total: DivisionShare
    divisions: list[DivisionShare]
