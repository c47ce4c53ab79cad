"""Audit errors: the rule ids TPA-1..TPA-7 name the refused condition."""

from __future__ import annotations

from ..errors import Missing, WrongState


class EngagementNotFound(Missing):
    def __init__(self, key: object):
        super().__init__("engagement_id", key, "审计委托")


class AlreadyReported(WrongState):
    def __init__(self, status: str):
        super().__init__("engagement_id", "TPA-7", f"该审计委托当前状态为“{status}”，不能再提交审计报告",
                         f"an engagement in status {status} takes no report", code="audit_already_reported")


class AuditRequired(WrongState):
    def __init__(self, rule: str, what_zh: str, what_en: str):
        super().__init__("audit", rule, f"{what_zh}须先提交第三方审计报告或登记豁免理由",
                         f"{what_en} needs a filed third-party audit report or a documented exemption",
                         code="audit_required")
