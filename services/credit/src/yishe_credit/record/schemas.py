from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

Category = Literal["basic", "annual_report", "inspection", "penalty", "other"]
PenaltyType = Literal["warning", "fine", "suspension", "revocation", "confiscation", "other"]


class PenaltyIn(BaseModel):
    """行政处罚信息 (CR-4.4): type, amount, decision number, legal basis, deciding body."""

    penalty_type: PenaltyType
    fine_amount: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    decision_number: str = Field(min_length=1, max_length=120)
    legal_basis: str = Field(min_length=1)
    deciding_body: str = Field(min_length=1, max_length=200)


class RecordCreate(BaseModel):
    uscc: str = Field(min_length=18, max_length=18)
    category: Category
    kind: str | None = Field(default=None, max_length=40, description="e.g. commendation, inspection_result")
    title: str = Field(min_length=1)
    formed_on: date = Field(description="when the information was formed or obtained (CR-5)")
    details: dict = Field(default_factory=dict)
    public: bool = True
    penalty: PenaltyIn | None = None


class RecordRead(BaseModel):
    record_id: int
    uscc: str
    category: str
    category_label: str
    kind: str
    title: str
    formed_on: date
    penalty_type: str | None = None
    fine_amount: Decimal | None = None
    decision_number: str | None = None
    legal_basis: str | None = None
    deciding_body: str | None = None
    details: dict | None = None
    source: str | None = None
    recorded_at: datetime | None = None
    recording_due: date | None = None
    recorded_late: bool | None = None
    public: bool | None = None
    corrected: bool | None = None
    correction_note: str | None = None

    @classmethod
    def of(cls, r, *, full: bool) -> RecordRead:
        from .service import CATEGORIES

        read = cls(record_id=r.record_id, uscc=r.uscc, category=r.category, category_label=CATEGORIES[r.category],
                   kind=r.kind, title=r.title, formed_on=r.formed_on, penalty_type=r.penalty_type,
                   fine_amount=r.fine_amount, decision_number=r.decision_number, legal_basis=r.legal_basis,
                   deciding_body=r.deciding_body)
        if full:
            read.details, read.source, read.recorded_at = r.details, r.source, r.recorded_at
            read.recording_due, read.recorded_late, read.public = r.recording_due, r.recorded_late, r.public
            read.corrected, read.correction_note = r.corrected, r.correction_note
        return read


class Change(BaseModel):
    uscc: str
    what: str
    rule: str
    detail: str
    entry_id: int | None = None


class RecordCreated(BaseModel):
    record: RecordRead
    changes: list[Change]
