from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

RULE_PATTERN = r"^[A-Z]+-\d+(\.\d+)?$"


class DeregistrationRequest(BaseModel):
    liquidation_completed_on: date = Field(description="清算完毕之日 (REG-2: apply within 15 days)")
    reason: str = Field(min_length=1, max_length=1000)
    decided_by: str | None = Field(None, max_length=200, description="deciding authority; default the actor")


class NoticeRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class SimpleDeregistrationRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)
    decided_by: str | None = Field(None, max_length=200)


class StatusAction(StrEnum):
    CANCEL_REGISTRATION = "cancel_registration"  # 撤销登记
    REVOKE_CERTIFICATE = "revoke_certificate"  # 吊销登记证书
    SUSPEND = "suspend"  # 限期停止活动
    RESTORE = "restore"  # 恢复


class StatusRequest(BaseModel):
    action: StatusAction
    rule: str = Field(pattern=RULE_PATTERN, description="rule the decision rests on, e.g. REG-2, CR-12.7")
    reason: str = Field(min_length=1, max_length=1000)
    until: date | None = Field(None, description="suspension: last day of 限期停止活动")
    decided_by: str | None = Field(None, max_length=200)


class CorrectionRequest(BaseModel):
    history_id: int
    reason: str = Field(min_length=1, max_length=1000)
    authorised_by: str = Field(min_length=1, max_length=100, description="who authorised it (not the actor)")


class StatusRead(BaseModel):
    uscc: str
    status: str
    status_since: date | None
    suspended_until: date | None
    notice_from: date | None
    notice_until: date | None
    late: bool = False
    message: str | None = None
