"""The seeds' indicators (RULES §10, PLAT-4, EVAL-10), each computed from the owning service's data as cultivation
keeps it (local read models fed by events), with the records behind every value."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..activity import service as activity_service
from ..config import Settings
from ..incubation.models import IncubationBase
from ..organisation import repository as organisation_repository
from ..organisation import service as organisation_service
from ..organisation.models import GradeEvent, Organisation
from ..platform import repository as platform_repository
from .schemas import IndicatorRead

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
REG = "registry.organisation.registered.v1"
STATUS = "registry.organisation.status_changed.v1"
GRADE = "registry.grade.changed.v1"


@dataclass(slots=True)
class Rec:
    """One record behind a value (schemas.IndicatorRecord once asked for: building thousands of pydantic models for
    a progress page that only counts them cost a third of its time)."""

    kind: str
    key: str
    name: str
    division_code: str
    uscc: str | None = None
    filing_no: str | None = None
    township_code: str | None = None
    counted: bool = True
    detail: str | None = None
    amount: Decimal | None = None


@dataclass
class Ctx:
    session: AsyncSession
    settings: Settings
    prefix: str | None
    year: int
    day: date
    today: date
    purchase_spending: Decimal | None = None
    _orgs: list[Organisation] | None = None
    _grades: dict[str, list[GradeEvent]] | None = None
    _facts: list | None = None

    async def year_facts(self) -> list:
        """The community organisations' activities of the year, read once for the strict and lenient rates."""
        if self._facts is None:
            self._facts = await activity_service.year_facts(self.session, self.prefix, self.year)
        return self._facts

    async def orgs(self) -> list[Organisation]:
        if self._orgs is None:
            self._orgs = await organisation_repository.organisations(self.session, self.prefix)
        return self._orgs

    async def active_orgs(self) -> list[Organisation]:
        return [o for o in await self.orgs()
                if o.registration_date <= self.day and o.status in organisation_service.ACTIVE]

    async def grades(self) -> dict[str, list[GradeEvent]]:
        if self._grades is None:
            usccs = {o.uscc for o in await self.orgs()}
            self._grades = {}
            for g in await organisation_repository.grade_events(self.session):
                if g.uscc in usccs:
                    self._grades.setdefault(g.uscc, []).append(g)
        return self._grades

    async def grade_on(self, uscc: str) -> str | None:
        grade = None
        for g in (await self.grades()).get(uscc, []):
            if g.changed_on > self.day:
                break
            grade = g.grade if g.change in ("awarded", "downgraded") else None
        return grade


@dataclass
class Result:
    value: Decimal | None
    records: list[Rec] = field(default_factory=list)
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    note: str | None = None


def pct(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, ROUND_HALF_UP) if whole else None


def org_record(o: Organisation, counted: bool = True, detail: str | None = None,
               amount: Decimal | None = None) -> Rec:
    return Rec(kind="organisation", key=o.uscc, uscc=o.uscc, name=o.name, division_code=o.division_code,
                           township_code=o.township_code, counted=counted, detail=detail, amount=amount)


def count(records: list[Rec], note: str | None = None) -> Result:
    return Result(Decimal(sum(1 for r in records if r.counted)), records, note=note)


def share(records: list[Rec], note: str | None = None) -> Result:
    n = sum(1 for r in records if r.counted)
    return Result(pct(n, len(records)), records, Decimal(n), Decimal(len(records)), note)


# --- the indicators ---------------------------------------------------------------------------------------------

async def organisations_total(c: Ctx) -> Result:
    return count([org_record(o, detail=o.org_type) for o in await c.active_orgs()],
                 note="登记状态取当前状态" if c.year < c.today.year else None)


async def organisations_new(c: Ctx) -> Result:
    return count([org_record(o, detail=f"{o.registration_date}成立") for o in await c.orgs()
                  if o.registration_date.year == c.year])


async def _graded(c: Ctx, level: int) -> Result:
    records = []
    for o in await c.active_orgs():
        grade = await c.grade_on(o.uscc)
        if organisation_service.grade_level(grade) >= level:
            records.append(org_record(o, detail=grade))
    return count(records)


async def grade_4a5a(c: Ctx) -> Result:
    return await _graded(c, 4)


async def grade_3a_plus(c: Ctx) -> Result:
    return await _graded(c, 3)


async def grade_3a_plus_new(c: Ctx) -> Result:
    """Organisations first awarded 3A or above during the year (Longgang: 培育3A及以上社会组织 N 家)."""
    records = []
    grades = await c.grades()
    for o in await c.orgs():
        first = next((g for g in grades.get(o.uscc, []) if g.change == "awarded"
                      and organisation_service.grade_level(g.grade) >= 3), None)
        if first is not None and first.changed_on.year == c.year and first.changed_on <= c.day:
            records.append(org_record(o, detail=f"{first.changed_on}首次获评{first.grade}"))
    return count(records)


async def community_foundations(c: Ctx) -> Result:
    kw = c.settings.community_foundation_keyword
    return count([org_record(o) for o in await c.active_orgs() if o.org_type == "基金会" and kw in o.name])


async def charities(c: Ctx) -> Result:
    return count([org_record(o, detail="慈善组织") for o in await c.active_orgs() if o.charity],
                 note="慈善组织认定取当前状态" if c.year < c.today.year else None)


async def healthy_share(c: Ctx) -> Result:
    healthy = set(c.settings.healthy_colours)
    records = [org_record(o, counted=o.colour in healthy, detail=o.colour) for o in await c.active_orgs()
               if o.colour is not None]
    return share(records, note="按分色监管当前颜色（绿码、蓝码为健康）计算")


async def party_coverage(c: Ctx) -> Result:
    records = [org_record(o, counted=not o.party_uncovered, detail="未覆盖（已标记）" if o.party_uncovered else None)
               for o in await c.active_orgs()]
    return share(records, note="党建部门标记为未覆盖（party.coverage.changed.v1）的组织不计入")


async def platforms_in_operation(c: Ctx) -> Result:
    records = [Rec(kind="platform", key=str(p.platform_id), uscc=p.operator_uscc, name=p.name,
                               division_code=p.division_code, township_code=p.township_code,
                               counted=p.physical_operation and (p.operating_since is None
                                                                 or p.operating_since.year <= c.year),
                               detail="实体化运作" if p.physical_operation else "未实体化运作")
               for p in await platform_repository.in_prefix(c.session, c.prefix)]
    return share(records)


async def _activity(c: Ctx, strict: bool) -> Result:
    facts = await c.year_facts()
    quarters = activity_service.quarters_considered(c.year, c.today)
    records = []
    for f in facts:
        active = (len(f.quarters & set(range(quarters))) == quarters and quarters > 0) if strict else f.activities > 0
        records.append(Rec(kind="organisation" if f.org.uscc else "filing", key=f.key, uscc=f.org.uscc,
                                       filing_no=f.org.filing_no, name=f.org.name, division_code=f.org.division_code,
                                       township_code=f.org.township_code, counted=active,
                                       detail=f"{c.year}年活动{f.activities}次，覆盖{len(f.quarters)}个季度"))
    return share(records, note="严格：每个季度至少1次活动" if strict else "宽松：全年至少1次活动")


async def county_activity_strict(c: Ctx) -> Result:
    return await _activity(c, True)


async def county_activity_lenient(c: Ctx) -> Result:
    return await _activity(c, False)


async def _purchases(c: Ctx, platform_only: bool) -> Result:
    orgs = {o.uscc: o for o in await c.orgs()}
    operators = {p.operator_uscc for p in await platform_repository.in_prefix(c.session, None) if p.operator_uscc}
    records = []
    total = Decimal(0)
    for k in await organisation_repository.contracts(c.session):
        o = orgs.get(k.uscc)
        if o is None or k.awarded_on.year != c.year or k.awarded_on > c.day:
            continue
        counted = not platform_only or o.community or k.uscc in operators
        if counted:
            total += k.amount
        records.append(Rec(kind="contract", key=k.contract_id, uscc=k.uscc, name=o.name,
                                       division_code=o.division_code, township_code=o.township_code, counted=counted,
                                       detail=f"{k.title}（{k.purchaser}，{k.awarded_on}）", amount=k.amount))
    if not c.purchase_spending:
        return Result(None, records, total, None,
                      note="需在本年度目标集中填写“新增公共服务支出中政府购买服务部分”（purchase_spending）作为分母")
    return Result(pct(total, c.purchase_spending), records, total, c.purchase_spending)


async def purchase_share_social(c: Ctx) -> Result:
    return await _purchases(c, False)


async def purchase_share_platform(c: Ctx) -> Result:
    return await _purchases(c, True)


async def full_time_staff(c: Ctx) -> Result:
    """WORK-1 (registry.workforce.reported.v1): full-time staff of active organisations, each its latest report."""
    records = [org_record(o, detail=f"{o.full_time_staff_year}年度专职{o.full_time_staff}人",
                          amount=Decimal(o.full_time_staff)) for o in await c.active_orgs()
               if o.full_time_staff is not None and (o.full_time_staff_year or 0) <= c.year]
    return Result(Decimal(sum(int(r.amount or 0) for r in records)), records,
                  note="按各组织最近一次报告的专职人员数合计（未报告的组织不计）")


async def full_time_staff_share(c: Ctx) -> Result:
    """Longgang: every organisation with ≥ 1 full-time staff member; organisations without a report count as not."""
    records = [org_record(o, counted=(o.full_time_staff or 0) >= 1,
                          detail="未报告" if o.full_time_staff is None else f"专职{o.full_time_staff}人")
               for o in await c.active_orgs()]
    return share(records, note="未报告专职人员情况的组织按无专职人员计")


async def _bases(c: Ctx) -> list[IncubationBase]:
    rows = await c.session.scalars(select(IncubationBase).order_by(IncubationBase.base_id))
    return [b for b in rows if (not c.prefix or b.division_code.startswith(c.prefix))
            and (b.opened_on is None or b.opened_on <= c.day)]


async def incubation_parks(c: Ctx) -> Result:
    return count([Rec(kind="base", key=str(b.base_id), name=b.name, division_code=b.division_code,
                                  uscc=b.operator_uscc, detail=b.level)
                  for b in await _bases(c) if b.level in ("city_park", "county_park", "province_base")])


async def incubation_levels(c: Ctx) -> Result:
    bases = await _bases(c)
    levels = {b.level for b in bases}
    records = [Rec(kind="base", key=str(b.base_id), name=b.name, division_code=b.division_code,
                               uscc=b.operator_uscc, detail=b.level) for b in bases]
    return Result(Decimal(len(levels)), records, note=f"已建层级：{'、'.join(sorted(levels)) or '无'}")


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str
    source: str
    events: tuple[str, ...]
    compute: Callable[[Ctx], Awaitable[Result]]
    status: str = "live"
    note: str | None = None

    def read(self) -> IndicatorRead:
        return IndicatorRead(code=self.code, label=self.label, unit=self.unit, source=self.source,
                             events=list(self.events), status=self.status, note=self.note)


INDICATORS: dict[str, Indicator] = {i.code: i for i in (
    Indicator("grade_4a5a", "4A、5A级社会组织", "家", "registry", (REG, GRADE, STATUS), grade_4a5a),
    Indicator("grade_3a_plus", "3A及以上社会组织", "家", "registry", (REG, GRADE, STATUS), grade_3a_plus),
    Indicator("grade_3a_plus_new", "当年新培育3A及以上社会组织", "家", "registry", (REG, GRADE), grade_3a_plus_new),
    Indicator("community_foundations", "社区发展基金会", "家", "registry", (REG, STATUS), community_foundations),
    Indicator("charities", "慈善组织", "家", "registry", (REG, "registry.qualification.changed.v1", STATUS), charities),
    Indicator("healthy_share", "健康社会组织比例", "%", "credit",
              ("credit.profile.opened.v1", "credit.colour.changed.v1"), healthy_share),
    Indicator("organisations_total", "社会组织总数", "家", "registry", (REG, STATUS), organisations_total),
    Indicator("organisations_new", "当年新增社会组织", "家", "registry", (REG,), organisations_new),
    Indicator("platforms_in_operation", "乡镇（街道）社会组织服务平台实体化运作率", "%", "cultivation", (),
              platforms_in_operation),
    Indicator("county_activity_strict", "社区社会组织平均活跃度（严格）", "%", "cultivation",
              ("registry.filing.changed.v1", REG), county_activity_strict),
    Indicator("county_activity_lenient", "社区社会组织平均活跃度（宽松）", "%", "cultivation",
              ("registry.filing.changed.v1", REG), county_activity_lenient),
    Indicator("party_coverage", "党建工作覆盖率", "%", "party", ("party.coverage.changed.v1", REG), party_coverage),
    Indicator("purchase_share_social", "新增政府购买服务中向社会组织购买比例", "%", "procurement",
              ("procurement.contract.awarded.v1",), purchase_share_social),
    Indicator("purchase_share_platform", "向社会组织购买用于平台建设运营和支持社区社会组织的比例", "%", "procurement",
              ("procurement.contract.awarded.v1",), purchase_share_platform),
    Indicator("full_time_staff", "社会组织专职工作人员", "人", "registry", ("registry.workforce.reported.v1",),
              full_time_staff),
    Indicator("full_time_staff_share", "至少有1名专职人员的社会组织比例", "%", "registry",
              ("registry.workforce.reported.v1", REG, STATUS), full_time_staff_share),
    Indicator("incubation_parks", "社会组织孵化园区（市、县级）", "个", "cultivation", (), incubation_parks),
    Indicator("incubation_levels", "培育体系已建层级数", "级", "cultivation", (), incubation_levels),
)}
