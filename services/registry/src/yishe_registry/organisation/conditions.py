"""Conditions of registration by kind, one implementation for both paths (an application and a direct
registration), each failure reported with its field and rule id: REG-1, REG-3, REG-4, REG-5, REG-8, REG-12.
Pure functions over `KindFacts`; `legal_rep_problems` (REG-2, REG-4) reads the register."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.common import OrgType
from yishe_contracts.identifiers import normalise_id_number
from yishe_kit.errors import Problem

from ..config import RulesSettings
from ..kinds import CommunityClass, is_national
from . import repository
from .exceptions import LegalRepTaken
from .models import Organisation
from .schemas import KindFacts, LegalRepresentative


def _funds(actual: Decimal, minimum: Decimal, rule: str, what_zh: str, what_en: str) -> list[Problem]:
    if actual < minimum:
        return [Problem("activity_funds", rule, f"{what_zh}应不少于{minimum:,.0f}元，实为{actual:,.2f}元",
                        f"{what_en} must be at least CNY {minimum:,.0f}, got {actual:,.2f}")]
    return []


def social_group(data: KindFacts, rules: RulesSettings, community: bool) -> list[Problem]:
    """REG-1: ≥ 50 individual or ≥ 30 unit members (mixed ≥ 50); funds ≥ 100,000 national / 30,000 local;
    REG-12: mature community groups use the lowered thresholds."""
    ind, unit = data.individual_members, data.unit_members
    if community:
        problems = []
        if ind + unit < rules.community_min_members:
            problems.append(Problem("individual_members", "REG-12",
                                    f"社区社会组织会员应不少于{rules.community_min_members}个",
                                    f"a community group needs at least {rules.community_min_members} members"))
        return problems + _funds(data.activity_funds, rules.community_min_funds, "REG-12", "活动资金", "activity funds")
    if unit == 0:
        need, which = rules.social_group_min_individual_members, "个人会员"
    elif ind == 0:
        need, which = rules.social_group_min_unit_members, "单位会员"
    else:
        need, which = rules.social_group_min_mixed_members, "个人会员和单位会员合计"
    problems = []
    if ind + unit < need:
        problems.append(Problem("individual_members", "REG-1", f"社会团体{which}应不少于{need}个，实为{ind + unit}个",
                                f"a social group needs at least {need} members ({which}), got {ind + unit}"))
    minimum = (rules.social_group_min_funds_national if is_national(data.division_code)
               else rules.social_group_min_funds_local)
    return problems + _funds(data.activity_funds, minimum, "REG-1", "活动资金", "activity funds")


def private_non_enterprise(data: KindFacts, rules: RulesSettings, community: bool) -> list[Problem]:
    """REG-3: 开办资金 as set locally (REG-12 lowered for mature community organisations)."""
    if community:
        return _funds(data.activity_funds, rules.community_min_funds, "REG-12", "开办资金", "start-up funds")
    return _funds(data.activity_funds, rules.pne_min_funds, "REG-3", "开办资金", "start-up funds")


def foundation(data: KindFacts, rules: RulesSettings) -> list[Problem]:
    """REG-4: original fund by level and fundraising; REG-5: community development foundation ≥ 500,000;
    board of 5–25 directors."""
    if data.community_development_foundation:
        problems = _funds(data.activity_funds, rules.community_foundation_min_fund, "REG-5", "社区发展基金会原始基金",
                          "a community development foundation's original fund")
    elif data.public_fundraising:
        national = is_national(data.division_code)
        minimum = (rules.foundation_min_fund_national_public if national else rules.foundation_min_fund_local_public)
        problems = _funds(data.activity_funds, minimum, "REG-4", "公募基金会原始基金",
                          "a public foundation's original fund")
    else:
        problems = _funds(data.activity_funds, rules.foundation_min_fund_non_public, "REG-4", "非公募基金会原始基金",
                          "a non-public foundation's original fund")
    d = data.directors
    if d is None or not rules.foundation_min_directors <= d <= rules.foundation_max_directors:
        problems.append(Problem("directors", "REG-4",
                                f"基金会理事会应由{rules.foundation_min_directors}-{rules.foundation_max_directors}名理事组成",
                                f"a foundation board has {rules.foundation_min_directors}-"
                                f"{rules.foundation_max_directors} directors"))
    return problems


def kind_problems(data: KindFacts, rules: RulesSettings) -> list[Problem]:
    """REG-12 (only mature community organisations register), REG-8 (a supervisory unit outside the four
    direct-registration categories), the conditions of the kind (REG-1, REG-3, REG-4, REG-5)."""
    problems: list[Problem] = []
    community = data.community_class is not None
    if data.community_class in (CommunityClass.STARTUP, CommunityClass.GROWING):
        problems.append(Problem("community_class", "REG-12",
                                "初创型、成长型社区社会组织由乡镇（街道）备案管理，不予登记",
                                "startup and growing community organisations are filed with the township, "
                                "not registered"))
    if not data.supervisory_unit and data.category is None and not community:
        problems.append(Problem("supervisory_unit", "REG-8", "非直接登记类社会组织须经业务主管单位审查同意",
                                "outside the four direct-registration categories a supervisory unit is required"))
    if data.org_type == OrgType.SOCIAL_GROUP:
        problems += social_group(data, rules, community)
    elif data.org_type == OrgType.PRIVATE_NON_ENTERPRISE:
        problems += private_non_enterprise(data, rules, community)
    else:
        problems += foundation(data, rules)
    if data.community_development_foundation and data.org_type != OrgType.FOUNDATION:
        problems.append(Problem("community_development_foundation", "REG-5", "社区发展基金会应登记为基金会",
                                "a community development foundation registers as a foundation"))
    return problems


def legal_rep_rule(org_type: str) -> str | None:
    """REG-2: a social group's legal representative represents no other group; REG-4: a foundation's none at
    all; a private non-enterprise unit has no such limit."""
    return {OrgType.SOCIAL_GROUP.value: "REG-2", OrgType.FOUNDATION.value: "REG-4"}.get(org_type)


def legal_rep_missing(rep: LegalRepresentative, org_type: str) -> list[Problem]:
    """REG-2 / REG-4 cannot be checked without the ID number: required for a social group and a foundation."""
    rule = legal_rep_rule(org_type)
    if rule is None or rep.id_number:
        return []
    return [Problem("legal_representative.id_number", rule, "须填写法定代表人的居民身份证号码，以核对其是否已担任"
                    "其他社会组织的法定代表人", "the legal representative's ID number is needed to check that "
                    "they represent no other organisation")]


def conflict_problems(others: list[Organisation], org_type: str) -> list[Problem]:
    """REG-2 (a group's) / REG-4 (a foundation's) legal representative already holding another post: REG-4 when
    either side is a foundation."""
    def rule(other: Organisation) -> str:
        foundation = OrgType.FOUNDATION.value
        return "REG-4" if foundation in (org_type, other.org_type) else (legal_rep_rule(org_type) or "REG-2")

    return [Problem("legal_representative.id_number", rule(other), f"法定代表人已担任“{other.name}”的法定代表人",
                    f"the legal representative already represents {other.uscc}") for other in others]


async def legal_rep_problems(session: AsyncSession, rep: LegalRepresentative, org_type: str) -> list[Problem]:
    """REG-2 / REG-4 over the register, as a check (no lock; the write path locks, see `claim_legal_rep`): the ID
    number is needed to tell, and nobody active may already hold the post it excludes."""
    missing = legal_rep_missing(rep, org_type)
    if missing or not rep.id_number:
        return missing
    return conflict_problems(await legal_rep_conflicts(session, rep.id_number, org_type), org_type)


async def legal_rep_conflicts(session: AsyncSession, id_number: str, org_type: str, *, lock: bool = False,
                              exclude: str | None = None) -> list[Organisation]:
    """REG-2: a group's legal representative leads no other group; REG-4: a foundation's none at all. The ID
    number is compared in its canonical spelling (`x`/`X`, full-width digits). `lock`: first take the person's
    lock row in this transaction, so a concurrent registration or change naming them waits and then sees this one."""
    key = normalise_id_number(id_number)
    if lock:
        await repository.lock_legal_rep(session, key)
    if org_type == OrgType.FOUNDATION.value:  # REG-4: a foundation's legal representative holds no other post
        found = await repository.legal_rep_elsewhere(session, key, None)
    else:  # REG-4 from the other side: nobody who represents a foundation takes another post; REG-2 among groups
        found = await repository.legal_rep_elsewhere(session, key, OrgType.FOUNDATION.value)
        if legal_rep_rule(org_type) is not None:
            found += await repository.legal_rep_elsewhere(session, key, org_type)
    return [o for o in found if o.uscc != exclude]


async def claim_legal_rep(session: AsyncSession, id_number: str | None, org_type: str,
                          exclude: str | None = None) -> None:
    """The write path's REG-2 / REG-4 guard, in the transaction that then writes the post: lock the person, read
    the register, refuse with 409 naming the rule if they already hold a post this one excludes."""
    if not id_number:
        return
    others = await legal_rep_conflicts(session, id_number, org_type, lock=True, exclude=exclude)
    if others:
        raise LegalRepTaken(conflict_problems(others, org_type))
