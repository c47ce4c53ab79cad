"""The Party-building budget of a year (PARTY-8 one-off ¥3,000 and ¥300 per member, PARTY-9 "双强红领" minimum
allowances, PARTY-10 seconded cadres unpaid); amounts are configuration."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.access import listing_prefix, require_role
from yishe_kit.errors import InvalidInput, Problem
from yishe_kit.principal import Principal

from ..config import Settings
from ..party_org import service as party_org_service
from ..record import service as record_service
from ..roles import OVERSIGHT_READERS
from ..talent import service as talent_service
from .schemas import BudgetReport, DivisionFunding, OrgFunding, TalentFunding

ZERO = Decimal("0.00")


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


async def _organisations(session: AsyncSession, *, year: int, reference: date, prefix: str,
                         settings: Settings) -> list[OrgFunding]:
    funding = settings.funding
    basis = await party_org_service.funding_basis(session, year=year, reference=reference, prefix=prefix)
    counts = await record_service.counts_as_of(session, sorted({u for _, units, _ in basis for u in units}), reference)
    lines = []
    for org, units, assessment in basis:
        notes = []
        one_off = funding.demonstration_one_off if org.demonstration and org.demonstration_year == year else ZERO
        if one_off:
            notes.append(f"PARTY-8 示范引领型党组织一次性补助（{year}年认定）")
        members = sum(f + (p if funding.count_probationary_members else 0)
                      for f, p in (counts.get(u, (0, 0)) for u in units))
        level = assessment.level if assessment else None
        allowance = funding.secretary_level_minimums.get(level, ZERO) if level else ZERO
        if level and org.secretary_seconded_cadre:
            allowance = ZERO
            notes.append("PARTY-10 书记为兼职党政领导干部，不得领取岗位津贴")
        elif level:
            notes.append(f"PARTY-9 “双强红领”{level}级，岗位津贴不低于{allowance}元/年")
        member_funds = funding.per_member_per_year * members
        lines.append(OrgFunding(
            org_id=org.org_id, name=org.name, division_code=org.division_code, formation=org.formation,
            demonstration_one_off=_money(one_off), members=members, member_funds=_money(member_funds),
            secretary_level=level, secretary_allowance=_money(allowance),
            total=_money(one_off + member_funds + allowance), notes=notes))
    return lines


async def _talents(session: AsyncSession, *, year: int, prefix: str) -> list[TalentFunding]:
    lines = []
    for talent, covers in await talent_service.talent_costs(session, start=date(year, 1, 1), end=date(year, 12, 31),
                                                            prefix=prefix):
        organisations = len({c.uscc for c in covers})
        if talent.seconded_cadre:
            lines.append(TalentFunding(
                talent_id=talent.talent_id, name=talent.name, division_code=talent.division_code, seconded_cadre=True,
                organisations=organisations, allowance=ZERO, rule="PARTY-10",
                note="兼职党政领导干部不得获取薪酬；交通、通讯费在规定标准内从社会组织管理费用列支，差旅费据实报销"))
        else:
            lines.append(TalentFunding(
                talent_id=talent.talent_id, name=talent.name, division_code=talent.division_code,
                seconded_cadre=False, organisations=organisations, allowance=_money(talent.annual_allowance),
                rule="PARTY-3"))
    return lines


def _divisions(orgs: list[OrgFunding], talents: list[TalentFunding]) -> list[DivisionFunding]:
    acc: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for o in orgs:
        a = acc[o.division_code]
        a["orgs"] += 1
        a["members"] += o.members
        a["one_off"] += o.demonstration_one_off
        a["member_funds"] += o.member_funds
        a["secretary"] += o.secretary_allowance
    for t in talents:
        a = acc[t.division_code]
        a["instructor"] += t.allowance
        a["seconded"] += 1 if t.seconded_cadre else 0
    return [DivisionFunding(
        division_code=d, party_organisations=int(a["orgs"]), members=int(a["members"]),
        demonstration_one_off=_money(a["one_off"]), member_funds=_money(a["member_funds"]),
        secretary_allowances=_money(a["secretary"]), instructor_allowances=_money(a["instructor"]),
        seconded_cadres=int(a["seconded"]),
        total=_money(a["one_off"] + a["member_funds"] + a["secretary"] + a["instructor"]))
        for d, a in sorted(acc.items())]


async def budget(session: AsyncSession, principal: Principal, settings: Settings, *, year: int,
                 division: str | None, reference_date: date | None) -> BudgetReport:
    """PARTY-8/9/10 per year and division; members are counted on the reference day (default 31 December)."""
    require_role(principal, *OVERSIGHT_READERS, action_zh="查看党建经费")
    reference = reference_date or date(year, 12, 31)
    if reference.year != year:
        raise InvalidInput("invalid_reference_date", "the reference date must fall in the year", [Problem(
            "reference_date", "PARTY-8", "党员人数统计日须在预算年度内", "the reference date must fall in the year")])
    prefix = listing_prefix(principal, division) or ""
    orgs = await _organisations(session, year=year, reference=reference, prefix=prefix, settings=settings)
    talents = await _talents(session, year=year, prefix=prefix)
    divisions = _divisions(orgs, talents)
    return BudgetReport(
        year=year, division=prefix, reference_date=reference,
        per_member_per_year=settings.funding.per_member_per_year,
        demonstration_one_off=settings.funding.demonstration_one_off,
        secretary_level_minimums=settings.funding.secretary_level_minimums, divisions=divisions,
        organisations=orgs, talents=talents, total=_money(sum((d.total for d in divisions), ZERO)))
