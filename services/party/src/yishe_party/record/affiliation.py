"""Reporting lines (隶属关系, PARTY-7): which Party organisation is responsible for an organisation's Party work."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import LocalityAffiliation, ResponsibleBody

LABELS = {
    "community": "城乡社区社会组织：社区（村）党组织领导",
    "supervisory_unit": "有业务主管单位：业务主管单位党组织分级管理",
    "trade_association": "行业协会商会：工商联或行业管理部门党组织",
    "direct_with_party_org": "直接登记、已建党组织：社会组织联合党委指导管理",
    "direct_with_party_org_locality": "直接登记、已建党组织：属地管理",
    "direct_without_party_org": "直接登记、未建党组织：属地负责",
}


@dataclass(frozen=True)
class Affiliation:
    type: str
    label: str
    responsible_id: str
    responsible_name: str
    locality: str


def infer_trade_association(name: str) -> bool:
    """A default from the name (行业协会, 商会); the Party-building role can correct it."""
    return "商会" in name or "行业协会" in name


def infer_community(name: str) -> bool:
    """A default from the name (社区…): the Party-building role can correct it."""
    return "社区" in name


def locality_for(localities: dict[str, LocalityAffiliation], division_code: str) -> tuple[str, LocalityAffiliation]:
    """The configured locality with the longest division-code prefix of the organisation's division."""
    prefix = max((p for p in localities if division_code.startswith(p)), key=len)
    return prefix, localities[prefix]


def resolve(localities: dict[str, LocalityAffiliation], *, division_code: str, supervisory_unit: str | None,
            trade_association: bool, community: bool, has_party_org: bool) -> Affiliation:
    """PARTY-7: community → community Party organisation; supervisory unit → its Party organisation; trade
    association → federation / sector department; direct with a Party organisation → joint committee (or locality
    where configured); direct without → locality."""
    prefix, loc = locality_for(localities, division_code)
    body: ResponsibleBody
    if community:
        kind, body = "community", loc.community
    elif supervisory_unit:
        kind, body = "supervisory_unit", loc.supervisory_unit
    elif trade_association:
        kind, body = "trade_association", loc.trade_association
    elif has_party_org and loc.direct_with_party_org_by_locality:
        kind, body = "direct_with_party_org_locality", loc.direct_without_party_org
    elif has_party_org:
        kind, body = "direct_with_party_org", loc.direct_with_party_org
    else:
        kind, body = "direct_without_party_org", loc.direct_without_party_org
    def fill(text: str) -> str:
        return text.replace("{division}", division_code).replace("{supervisory_unit}", supervisory_unit or "")

    return Affiliation(kind, LABELS[kind], fill(body.id), fill(body.name), f"{prefix or '*'} {loc.label}")
