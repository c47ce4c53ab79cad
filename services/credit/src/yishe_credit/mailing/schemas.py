from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class MailingCreate(BaseModel):
    uscc: str = Field(min_length=18, max_length=18)
    tracking_number: str = Field(min_length=4, max_length=60)
    address: str = Field(min_length=1, max_length=300)
    sent_on: date


class MailingOutcome(BaseModel):
    signed: bool
    outcome_on: date


class MailingRead(BaseModel):
    mailing_id: int
    uscc: str
    tracking_number: str
    address: str
    sent_on: date
    outcome: str
    outcome_on: date | None
    sequence: int
    entry_id: int | None
    second_letter_window: tuple[date, date] | None = None
