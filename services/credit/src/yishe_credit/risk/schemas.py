from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class Factor(BaseModel):
    factor: str
    label: str
    value: float
    weight: float
    points: float
    rule: str


class RiskScore(BaseModel):
    uscc: str
    org_name: str
    division_code: str
    colour: str
    score: float
    warning: bool
    factors: list[Factor]
    as_of: date
