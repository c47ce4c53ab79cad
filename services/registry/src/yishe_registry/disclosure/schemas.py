from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

SOURCES = ("donations", "government_grants", "service_purchases", "fees", "other")
SOURCE_LABELS = {"donations": "捐赠收入", "government_grants": "政府补助", "service_purchases": "政府购买服务",
                 "fees": "会费及服务收费", "other": "其他"}


class BySource(BaseModel):
    """Yuan per source (DISC-1); negative amounts are refused by rule (DISC-4), not by schema."""

    donations: Decimal = Field(Decimal("0"), max_digits=14, decimal_places=2)
    government_grants: Decimal = Field(Decimal("0"), max_digits=14, decimal_places=2)
    service_purchases: Decimal = Field(Decimal("0"), max_digits=14, decimal_places=2)
    fees: Decimal = Field(Decimal("0"), max_digits=14, decimal_places=2)
    other: Decimal = Field(Decimal("0"), max_digits=14, decimal_places=2)

    def total(self) -> Decimal:
        return sum((getattr(self, s) for s in SOURCES), Decimal("0.00"))


class DisclosureCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    income: BySource
    spending: BySource
    audit_report_ref: str | None = Field(None, max_length=500, description="link or attachment reference")


class DisclosureRead(BaseModel):
    """What the public sees: money by source and the audit report; never personal data."""

    year: int
    income: dict[str, str]
    spending: dict[str, str]
    total_income: Decimal
    total_spending: Decimal
    audit_report_ref: str | None
    source: str
    published_on: date
    revision: int = 1


class ReceiptCreate(BaseModel):
    """A grant or donation recorded by staff (purchase contracts arrive from procurement's events)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    kind: str = Field(max_length=20, description="venture (公益创投) | grant | donation")
    amount: Decimal = Field(max_digits=14, decimal_places=2)
    received_on: date
    reference: str = Field(min_length=1, max_length=120, description="document number, unique per organisation")
    description: str | None = Field(None, max_length=500)


class ReceiptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    receipt_id: int
    uscc: str
    kind: str
    year: int
    amount: Decimal
    received_on: date
    source_ref: str
    description: str | None


class DutyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uscc: str
    division_code: str
    year: int
    reasons: list[str]
    deadline: date
    disclosed_on: date | None
    missing_on: date | None
