"""Events owned by the procurement service (政府购买服务)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from ..envelope import Event
from ..spec import spec


class ContractAwarded(Event):
    """A purchase-of-services contract was awarded to an organisation (PROC-7); amounts are yuan decimals."""

    subject_name: ClassVar[str] = "procurement.contract.awarded.v1"
    effective_field: ClassVar[str | None] = "awarded_on"

    uscc: str = Field(min_length=18, max_length=18)
    ocid: str
    contract_id: str
    title: str
    amount: Decimal = Field(ge=0, decimal_places=2)
    currency: str = "CNY"
    purchaser: str
    awarded_on: date


class PerformanceEvaluated(Event):
    """A performance evaluation (绩效评价) of a contract; credit records it as 其他信息 (CR-4)."""

    subject_name: ClassVar[str] = "procurement.performance.evaluated.v1"
    effective_field: ClassVar[str | None] = "evaluated_on"

    uscc: str = Field(min_length=18, max_length=18)
    ocid: str
    contract_id: str
    score: Decimal = Field(ge=0, le=100, decimal_places=2)
    result: str = Field(description="e.g. 优秀 / 良好 / 合格 / 不合格")
    evaluator: str
    evaluated_on: date


class RefusalReason(BaseModel):
    """One failed rule of a refused bid, as evaluated on the bid date (frozen: never recomputed)."""

    model_config = ConfigDict(frozen=True)

    field: str | None = Field(default=None, description="the request field it concerns (uscc, amount, …)")
    rule: str | None = Field(default=None, description="the rule id, e.g. PROC-4, PROC-6, PROC-8")
    code: str | None = Field(default=None, description="the PROC-4 condition code, where it is one")
    message_zh: str
    message: str


class BidSubmitted(Event):
    """An organisation's bid was accepted on its bid date, PROC-4 eligibility frozen into it (details: GET the bid)."""

    subject_name: ClassVar[str] = "procurement.bid.submitted.v1"
    effective_field: ClassVar[str | None] = "bid_date"

    uscc: str = Field(min_length=18, max_length=18)
    bid_id: str
    project_id: str
    ocid: str
    title: str = Field(description="the project's title")
    amount: Decimal = Field(ge=0, decimal_places=2)
    currency: str = "CNY"
    preferred: bool = Field(description="PROC-9 preference on the bid date")
    bid_date: date


class BidRefused(Event):
    """A bid was refused at submission (PROC-4 ineligible, PROC-6 over budget, PROC-8 subcontracting); the reasons
    are those frozen in the stored refusal (the bidder and staff read the whole evidence there)."""

    subject_name: ClassVar[str] = "procurement.bid.refused.v1"
    effective_field: ClassVar[str | None] = "bid_date"

    uscc: str = Field(min_length=18, max_length=18)
    refusal_id: str
    project_id: str
    ocid: str
    title: str = Field(description="the project's title")
    amount: Decimal = Field(ge=0, decimal_places=2)
    currency: str = "CNY"
    code: str = Field(description="bidder_ineligible (PROC-4) or bid_refused (PROC-6, PROC-8)")
    reasons: list[RefusalReason] = Field(description="every failed rule, as evaluated on the bid date")
    bid_date: date


class ProjectAwarded(Event):
    """A project was awarded to the best-ranked eligible bid (PROC-4 checked again on the award date, PROC-9)."""

    subject_name: ClassVar[str] = "procurement.project.awarded.v1"
    effective_field: ClassVar[str | None] = "award_date"

    uscc: str = Field(min_length=18, max_length=18, description="the winning organisation")
    award_id: str
    bid_id: str
    project_id: str
    ocid: str
    title: str = Field(description="the project's title")
    amount: Decimal = Field(ge=0, decimal_places=2)
    currency: str = "CNY"
    decided_by: str = Field(description="how the ranking was decided, e.g. score or PROC-9 preference")
    award_date: date


SPECS = (
    spec(ContractAwarded, ("credit", "registry", "cultivation", "gateway"),
         "A purchase-of-services contract was awarded."),
    spec(PerformanceEvaluated, ("credit", "gateway"), "A contract's performance evaluation (CR-4 其他信息)."),
    spec(BidSubmitted, ("gateway",), "A bid was accepted, PROC-4 eligibility frozen on its bid date."),
    spec(BidRefused, ("gateway",), "A bid was refused at submission, with its frozen reasons (PROC-4/6/8)."),
    spec(ProjectAwarded, ("gateway",), "A project was awarded to the best-ranked eligible bid."),
)
