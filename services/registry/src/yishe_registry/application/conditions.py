"""Conditions by kind, each failure reported with its rule id (REG-1, REG-3, REG-4, REG-5, REG-8, REG-10, REG-12,
PARTY-11). Pure functions: the service adds the checks that need the database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from yishe_contracts.events.common import OrgType
from yishe_contracts.identifiers import validate_id_number
from yishe_kit.errors import Problem, identifier_problems

from ..charter.service import has_party_clause
from ..config import RulesSettings
from ..kinds import CommunityClass, is_national
from ..organisation.leaders import leader_problems
from ..organisation.service import party_member_problems, phone_problems
from .schemas import ApplicationCreate


def _funds(actual: Decimal, minimum: Decimal, rule: str, what_zh: str, what_en: str) -> list[Problem]:
    if actual < minimum:
        return [Problem("activity_funds", rule, f"{what_zh}应不少于{minimum:,.0f}元，实为{actual:,.2f}元",
                        f"{what_en} must be at least CNY {minimum:,.0f}, got {actual:,.2f}")]
    return []


def social_group(data: ApplicationCreate, rules: RulesSettings, community: bool) -> list[Problem]:
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


def private_non_enterprise(data: ApplicationCreate, rules: RulesSettings, community: bool) -> list[Problem]:
    """REG-3: 开办资金 as set locally (REG-12 lowered for mature community organisations)."""
    if community:
        return _funds(data.activity_funds, rules.community_min_funds, "REG-12", "开办资金", "start-up funds")
    return _funds(data.activity_funds, rules.pne_min_funds, "REG-3", "开办资金", "start-up funds")


def foundation(data: ApplicationCreate, rules: RulesSettings) -> list[Problem]:
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


def check(data: ApplicationCreate, rules: RulesSettings, today: date) -> list[Problem]:
    """Every condition of registration that the application itself can show, by rule id."""
    problems: list[Problem] = []
    community = data.community_class is not None
    if data.community_class in (CommunityClass.STARTUP, CommunityClass.GROWING):
        problems.append(Problem("community_class", "REG-12",
                                "初创型、成长型社区社会组织由乡镇（街道）备案管理，不予登记",
                                "startup and growing community organisations are filed with the township, "
                                "not registered"))
    if data.commitment_route and data.community_class != CommunityClass.MATURE:
        problems.append(Problem("commitment_route", "REG-12", "告知承诺制仅适用于成熟型社区社会组织",
                                "the notify-and-commit route is only for mature community organisations"))
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
    rep = data.legal_representative
    if rep.id_number:
        problems += identifier_problems(validate_id_number(rep.id_number, field="legal_representative.id_number"))
    problems += phone_problems(rep.phone, "legal_representative.phone")
    problems += leader_problems(data.leaders, today, rules)
    problems += party_member_problems(data.party_members)
    if not has_party_clause(data.charter_text, rules):
        problems.append(Problem("charter_text", "PARTY-11", "章程应载明党的建设有关内容（党建工作条款）",
                                "the charter must carry the Party-building clause"))
    if data.received_on and data.received_on > today:
        problems.append(Problem("received_on", "REG-2", "受理日期不能晚于今天", "received_on cannot be in the future"))
    return problems
