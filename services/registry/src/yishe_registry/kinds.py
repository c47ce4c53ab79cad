"""Kinds of organisation and their fixed vocabularies (REG-3..REG-8, REG-12); numbers live in config."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator

from yishe_contracts.events.common import OrgType
from yishe_contracts.events.registry import OrganisationStatus

NATIONAL_DIVISION = "100000"
RESERVED_NAME_WORDS = ("中国", "全国", "中华")

# REG-3: 社会服务机构 is the newer name of 民办非企业单位; both are accepted on input.
ORG_TYPE_ALIASES = {"社会服务机构": OrgType.PRIVATE_NON_ENTERPRISE.value}


def _org_type_alias(value: Any) -> Any:
    return ORG_TYPE_ALIASES.get(value, value) if isinstance(value, str) else value


OrgTypeIn = Annotated[OrgType, BeforeValidator(_org_type_alias)]


class DirectCategory(StrEnum):
    """REG-8: the four categories that register without a supervisory unit (直接登记)."""

    TRADE_ASSOCIATION = "行业协会商会"
    SCIENCE_TECHNOLOGY = "科技类"
    CHARITY = "公益慈善类"
    COMMUNITY_SERVICE = "城乡社区服务类"


class CommunityClass(StrEnum):
    """REG-12: community social organisations; only 成熟型 register, the others are filed (备案)."""

    STARTUP = "初创型"
    GROWING = "成长型"
    MATURE = "成熟型"


FORM_LABELS: dict[str, tuple[str, ...]] = {
    OrgType.SOCIAL_GROUP.value: ("同业公会", "研究会", "促进会", "联合会", "联谊会", "协会", "学会", "商会", "总会",
                                 "俱乐部"),
    OrgType.PRIVATE_NON_ENTERPRISE.value: ("服务中心", "研究院", "研究所", "培训学校", "幼儿园", "工作站", "服务社",
                                           "中心", "学校", "医院", "院", "所", "馆", "站", "园", "社"),
    OrgType.FOUNDATION.value: ("基金会",),
}
# REG-7: community social groups carry a group-type label that reflects what they do.
COMMUNITY_GROUP_LABELS = ("志愿服务队", "服务队", "志愿队", "艺术团", "合唱团", "舞蹈队", "文艺队", "互助会", "协会",
                          "联合会", "促进会", "服务社", "队", "团", "社", "会")

STATUS_LABELS = {
    OrganisationStatus.ACTIVE: "正常", OrganisationStatus.DEREGISTERED: "注销",
    OrganisationStatus.SIMPLE_DEREGISTERED: "简易注销", OrganisationStatus.REGISTRATION_CANCELLED: "撤销登记",
    OrganisationStatus.CERTIFICATE_REVOKED: "吊销登记证书", OrganisationStatus.SUSPENDED: "限期停止活动",
}
TERMINAL_STATUSES = frozenset({OrganisationStatus.DEREGISTERED, OrganisationStatus.SIMPLE_DEREGISTERED,
                               OrganisationStatus.REGISTRATION_CANCELLED, OrganisationStatus.CERTIFICATE_REVOKED})


def form_labels(org_type: str, community: bool) -> tuple[str, ...]:
    """REG-6/REG-7: the organisational-form labels a name of this kind may end with."""
    if community and org_type == OrgType.SOCIAL_GROUP.value:
        return tuple(dict.fromkeys(COMMUNITY_GROUP_LABELS + FORM_LABELS[org_type]))
    return FORM_LABELS[org_type]


def is_national(division_code: str) -> bool:
    return division_code == NATIONAL_DIVISION
