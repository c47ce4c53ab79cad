"""The trigger catalogue: the seven 活动异常名录 cases (CR-6) and the eight 严重违法失信名单 cases (CR-12)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from yishe_contracts.events.credit import CreditList


@dataclass(frozen=True)
class TriggerRule:
    id: str
    list_type: CreditList
    reason: str  # public reason category (CR-14); {fine} is the configured threshold
    legal_basis: str
    requires_obligation: bool  # something must be performed before removal on application
    obligation: str | None
    staff_may_list: bool = True
    removed_at_deregistration: bool = False  # CR-13: 吊销/撤销 leave the list when 注销 completes


ORDER60 = "《社会组织信用信息管理办法》（民政部令第60号）"
A, S = CreditList.ABNORMAL, CreditList.SERIOUS

TRIGGERS: dict[str, TriggerRule] = {r.id: r for r in (
    TriggerRule("CR-6.1", A, "未按照规定时限和要求向登记管理机关报送年度工作报告", ORDER60, True, "报送年度工作报告"),
    TriggerRule("CR-6.2", A, "未按照有关规定设立党组织", ORDER60, True, "按照有关规定设立党组织"),
    TriggerRule("CR-6.3", A, "登记管理机关在抽查和其他监督检查中发现问题，发放整改文书要求限期整改，"
                "社会组织未按期完成整改", ORDER60, True, "完成整改"),
    TriggerRule("CR-6.4", A, "具有公开募捐资格的慈善组织，存在《慈善组织公开募捐管理办法》第二十一条规定情形",
                ORDER60, True, "纠正相关情形"),
    TriggerRule("CR-6.5", A, "受到警告或者不满{fine}罚款的行政处罚", ORDER60, False, None),
    TriggerRule("CR-6.6", A, "通过登记的住所无法与社会组织取得联系", ORDER60, True, "恢复通过登记住所的联系"),
    TriggerRule("CR-6.7", A, "法律、行政法规规定应当列入的其他情形", ORDER60, True, "履行相关义务"),
    TriggerRule("CR-12.1", S, "被列入活动异常名录满2年", ORDER60, True, "履行相关义务、完成整改", staff_may_list=False),
    TriggerRule("CR-12.2", S, "弄虚作假办理变更登记，被撤销变更登记", ORDER60, False, None),
    TriggerRule("CR-12.3", S, "受到限期停止活动行政处罚", ORDER60, False, None),
    TriggerRule("CR-12.4", S, "受到{fine}以上罚款行政处罚", ORDER60, False, None),
    TriggerRule("CR-12.5", S, "三年内两次以上受到警告或者不满{fine}罚款的行政处罚", ORDER60, False, None),
    TriggerRule("CR-12.6", S, "被人民法院依法纳入失信被执行人名单", ORDER60, True, "退出失信被执行人名单"),
    TriggerRule("CR-12.7", S, "被登记管理机关作出吊销登记证书或者撤销成立（设立）登记的处罚", ORDER60, False, None,
                removed_at_deregistration=True),
    TriggerRule("CR-12.8", S, "法律、行政法规规定应当列入的其他情形", ORDER60, False, None),
)}


def fine_label(threshold: Decimal) -> str:
    """¥50,000 → "5万元"."""
    if threshold % 10000 == 0:
        return f"{int(threshold // 10000)}万元"
    return f"{threshold.normalize():f}元"


def public_reason(rule: TriggerRule, threshold: Decimal) -> str:
    return rule.reason.format(fine=fine_label(threshold))
