"""Community organisations' activities (PLAT-5): recording (one by one, bulk), 活跃度 strict and lenient per township
and county, the ≥ 1-a-year and ≥ 30 %-every-quarter checks, the 活跃指数 per organisation, the inactive list."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.cultivation import InactiveListed
from yishe_kit.access import listing_prefix, require_jurisdiction, require_role
from yishe_kit.clock import Clock
from yishe_kit.errors import InvalidInput, Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import Settings
from ..deps import READERS, WRITERS
from ..organisation import service as organisation_service
from ..organisation.schemas import CommunityOrgRead
from .models import Activity, InactiveListing
from .schemas import (
    KINDS,
    ActivityCreate,
    ActivityRead,
    ActivityReport,
    InactiveRead,
    OrgIndex,
    PublishReport,
    RateRow,
)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
LABEL_TO_KIND = {v: k for k, v in KINDS.items()}


@dataclass(frozen=True)
class Target:
    value: Decimal
    strict: bool  # ">" rather than "≥"

    @property
    def text(self) -> str:
        return f"{'>' if self.strict else '≥'}{self.value}%"

    def met(self, share: Decimal) -> bool:
        return share > self.value if self.strict else share >= self.value


def activity_target(year: int, settings: Settings) -> Target | None:
    """PLAT-4: > 50 % by end-2022, ≥ 60 % by end-2023 (and after); none before 2022."""
    targets = settings.activity.activity_targets
    years = sorted(y for y in targets if y <= year)
    if not years:
        return None
    raw = targets[years[-1]].strip()
    strict = raw.startswith(">") and not raw.startswith(">=")
    return Target(Decimal(raw.lstrip(">=≥ ").rstrip("%")), strict)


def _pct(part: int | Decimal, whole: int | Decimal) -> Decimal:
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, ROUND_HALF_UP) if whole else Decimal("0.00")


def quarter_of(d: date) -> int:
    return (d.month - 1) // 3


def quarters_considered(year: int, today: date) -> int:
    """Past years: 4. The current year: the quarters begun so far (the strict rule asks for each of them)."""
    if year < today.year:
        return 4
    if year > today.year:
        return 0
    return quarter_of(today) + 1


def kind_of(raw: str) -> str | None:
    raw = raw.strip()
    return raw if raw in KINDS else LABEL_TO_KIND.get(raw)


def _read(a: Activity) -> ActivityRead:
    return ActivityRead(activity_id=a.activity_id, uscc=a.uscc, filing_no=a.filing_no, division_code=a.division_code,
                        township_code=a.township_code, activity_date=a.activity_date, kind=a.kind,
                        kind_label=KINDS.get(a.kind, a.kind), title=a.title, participants=a.participants,
                        residents=a.residents, ref=a.ref, recorded_by=a.recorded_by)


def check_values(body: ActivityCreate, today: date, prefix: str = "") -> list[Problem]:
    """PLAT-5: an activity is not dated in the future and has no more residents than participants."""
    problems = []
    if bool(body.uscc) == bool(body.filing_no):
        problems.append(Problem(f"{prefix}uscc", "PLAT-5", "须填写统一社会信用代码（已登记）或备案编号（已备案）之一",
                                "give either the USCC (registered) or the filing number (filed), not both"))
    if body.activity_date > today:
        problems.append(Problem(f"{prefix}activity_date", "PLAT-5",
                                f"活动日期{body.activity_date}晚于今天{today}，不能记录未来的活动",
                                f"activity_date {body.activity_date} is after today {today}"))
    if body.residents > body.participants:
        problems.append(Problem(f"{prefix}residents", "PLAT-5",
                                f"其中居民人数{body.residents}超过参与人数{body.participants}",
                                f"residents {body.residents} exceed participants {body.participants}"))
    if kind_of(body.kind) is None:
        problems.append(Problem(f"{prefix}kind", "PLAT-5", f"活动类型“{body.kind}”不在：{'、'.join(KINDS.values())}",
                                f"kind {body.kind!r} is not one of {', '.join(KINDS)}"))
    return problems


@dataclass
class Owner:
    key: str
    uscc: str | None
    filing_no: str | None
    division_code: str
    township_code: str | None


async def owner_of(session: AsyncSession, body: ActivityCreate, prefix: str = "") -> Owner | Problem:
    """The registered (active, community) or filed organisation the activity belongs to."""
    if body.uscc:
        org = await organisation_service.repository.get(session, body.uscc)
        if org is None:
            return Problem(f"{prefix}uscc", "PLAT-5", f"{body.uscc}不是已登记的社会组织（或登记信息尚未同步）",
                           f"{body.uscc} is not a registered organisation known to cultivation")
        if not (org.community or org.township_code):
            return Problem(f"{prefix}uscc", "PLAT-5", f"{org.name}不是社区社会组织",
                           f"{body.uscc} is not a community organisation")
        if org.status not in organisation_service.ACTIVE:
            return Problem(f"{prefix}uscc", "PLAT-5", f"{org.name}登记状态为{org.status}",
                           f"{body.uscc} is {org.status}")
        return Owner(org.uscc, org.uscc, None, org.division_code, org.township_code)
    filing = await organisation_service.repository.get_filing(session, body.filing_no or "")
    if filing is None or filing.status not in ("filed", "changed"):
        state = "未找到" if filing is None else f"状态为{filing.status}"
        return Problem(f"{prefix}filing_no", "PLAT-5", f"备案编号{body.filing_no}{state}（须为有效备案）",
                       f"filing {body.filing_no} is unknown or not in force")
    return Owner(filing.filing_no, None, filing.filing_no, filing.division_code, filing.township_code)


def _authorise_owner(principal: Principal, owner: Owner) -> None:
    if principal.role == "org":
        if principal.actor != owner.uscc:
            from yishe_kit.access import require_org_or_roles
            require_org_or_roles(principal, owner.uscc or owner.key)
        return
    require_role(principal, *WRITERS, "org", action_zh="记录社区社会组织活动", action_en="record activities")
    require_jurisdiction(principal, owner.township_code or owner.division_code)


def _new(body: ActivityCreate, owner: Owner, principal: Principal, clock: Clock) -> Activity:
    return Activity(org_key=owner.key, uscc=owner.uscc, filing_no=owner.filing_no, division_code=owner.division_code,
                    township_code=owner.township_code, activity_date=body.activity_date,
                    kind=kind_of(body.kind) or body.kind, title=body.title, participants=body.participants,
                    residents=body.residents, ref=body.ref, recorded_by=principal.actor, recorded_at=clock.now())


async def _existing(session: AsyncSession, key: str, ref: str | None) -> Activity | None:
    if ref is None:
        return None
    return await session.scalar(select(Activity).where(Activity.org_key == key, Activity.ref == ref))


async def record(session: AsyncSession, principal: Principal, body: ActivityCreate, *, clock: Clock) -> ActivityRead:
    problems = check_values(body, clock.today())
    if problems:
        raise InvalidInput("invalid_activity", "the activity breaks PLAT-5", problems)
    owner = await owner_of(session, body)
    if isinstance(owner, Problem):
        raise InvalidInput("unknown_community_organisation", owner.message_en, [owner])
    _authorise_owner(principal, owner)
    found = await _existing(session, owner.key, body.ref)
    if found is not None:
        return _read(found)
    a = _new(body, owner, principal, clock)
    session.add(a)
    await session.flush()
    return _read(a)


async def list_activities(session: AsyncSession, principal: Principal, *, division: str | None, uscc: str | None,
                          filing_no: str | None, year: int | None, limit: int, offset: int) -> list[ActivityRead]:
    if principal.role == "org":
        if uscc != principal.actor:
            from yishe_kit.access import require_org_or_roles
            require_org_or_roles(principal, uscc or "")
        prefix = None
    else:
        require_role(principal, *READERS, action_zh="查看社区社会组织活动", action_en="list activities")
        prefix = listing_prefix(principal, division)
    stmt = select(Activity).order_by(Activity.activity_date.desc(), Activity.activity_id.desc())
    if prefix:
        stmt = stmt.where(Activity.division_code.startswith(prefix[:6]))
        if len(prefix) > 6:
            stmt = stmt.where(Activity.township_code.startswith(prefix))
    if uscc:
        stmt = stmt.where(Activity.uscc == uscc)
    if filing_no:
        stmt = stmt.where(Activity.filing_no == filing_no)
    if year:
        stmt = stmt.where(Activity.activity_date >= date(year, 1, 1), Activity.activity_date <= date(year, 12, 31))
    rows = await session.scalars(stmt.limit(limit).offset(offset))
    return [_read(a) for a in rows]


# --- figures --------------------------------------------------------------------------------------------------

@dataclass
class OrgYear:
    org: CommunityOrgRead
    activities: int = 0
    quarters: set[int] = field(default_factory=set)
    participants: int = 0
    residents: int = 0
    last: date | None = None

    @property
    def key(self) -> str:
        return self.org.uscc or self.org.filing_no or ""


def _township(o: CommunityOrgRead) -> str | None:
    return o.township_code


async def year_facts(session: AsyncSession, prefix: str | None, year: int) -> list[OrgYear]:
    """Every community organisation in the area with its activities of the year."""
    orgs = await organisation_service.community_organisations(session, prefix)
    facts = {(o.uscc or o.filing_no): OrgYear(o) for o in orgs}
    stmt = (select(Activity.org_key, Activity.activity_date, Activity.participants, Activity.residents)
            .where(Activity.activity_date >= date(year, 1, 1), Activity.activity_date <= date(year, 12, 31)))
    if prefix:
        stmt = stmt.where(Activity.division_code.startswith(prefix[:6]))
    for key, day, participants, residents in (await session.execute(stmt)).all():
        f = facts.get(key)
        if f is None:
            continue
        f.activities += 1
        f.quarters.add(quarter_of(day))
        f.participants += participants
        f.residents += residents
        f.last = day if f.last is None or day > f.last else f.last
    return list(facts.values())


def _rate_row(code: str, level: str, facts: list[OrgYear], quarters: int, target: Target | None,
              settings: Settings) -> RateRow:
    n = len(facts)
    strict = sum(1 for f in facts if quarters and len(f.quarters & set(range(quarters))) == quarters)
    lenient = sum(1 for f in facts if f.activities > 0)
    quarter_active = [sum(1 for f in facts if q in f.quarters) for q in range(quarters)]
    shares = [_pct(c, n) for c in quarter_active]
    rs, rl = _pct(strict, n), _pct(lenient, n)
    return RateRow(division_code=code, level=level, organisations=n, active_strict=strict, active_lenient=lenient,
                   rate_strict=rs, rate_lenient=rl, quarter_active=quarter_active, quarter_shares=shares,
                   quarter_share_met=[s >= settings.activity.quarter_share_min for s in shares],
                   every_org_yearly=n > 0 and lenient == n, target=target.text if target else None,
                   met_strict=target.met(rs) if target else None, met_lenient=target.met(rl) if target else None)


async def report(session: AsyncSession, principal: Principal, division: str | None, year: int | None, *,
                 clock: Clock, settings: Settings) -> ActivityReport:
    """活跃度 per county and township, strict (≥ 1 activity in each quarter) and lenient (≥ 1 in the year)."""
    require_role(principal, *READERS, action_zh="查看社区社会组织活跃度", action_en="read activity rates")
    prefix = listing_prefix(principal, division)
    today = clock.today()
    year = year or today.year
    quarters = quarters_considered(year, today)
    facts = await year_facts(session, prefix, year)
    target = activity_target(year, settings)
    counties: dict[str, list[OrgYear]] = defaultdict(list)
    townships: dict[str, list[OrgYear]] = defaultdict(list)
    for f in facts:
        counties[f.org.division_code].append(f)
        if f.org.township_code:
            townships[f.org.township_code].append(f)
    # AUTH-2: a county row only for a county within the caller's scope (a township account's county row would be
    # its own township's figures under the county's code)
    rows = [_rate_row(c, "county", fs, quarters, target, settings) for c, fs in sorted(counties.items())
            if c.startswith(prefix or "")]
    rows += [_rate_row(t, "township", fs, quarters, target, settings) for t, fs in sorted(townships.items())]
    return ActivityReport(year=year, division=prefix or "", quarters_considered=quarters, rows=rows,
                          total=_rate_row(prefix or "*", "total", facts, quarters, target, settings))


def indices(facts: list[OrgYear], year: int, quarters: int, settings: Settings,
            medians: dict[str, float] | None = None) -> list[OrgIndex]:
    """PLAT-5 [P] 活跃指数: frequency (activities per quarter against the cap), participants per activity against
    the county's median, residents' share of participants; weights from settings."""
    w = settings.activity.weights
    total_weight = w.frequency + w.participants + w.residents
    if medians is None:
        by_county: dict[str, list[float]] = defaultdict(list)
        for f in facts:
            if f.activities:
                by_county[f.org.division_code].append(f.participants / f.activities)
        medians = {county: statistics.median(values) for county, values in by_county.items()}
    out = []
    for f in facts:
        if f.activities and quarters:
            per_quarter = Decimal(f.activities) / quarters
            freq = min(per_quarter / w.frequency_cap_per_quarter, Decimal(1))
            median = medians.get(f.org.division_code) or 0
            part = min(Decimal(f.participants / f.activities / median), Decimal(1)) if median else Decimal(0)
            res = Decimal(f.residents) / f.participants if f.participants else Decimal(0)
        else:
            freq = part = res = Decimal(0)
        scale = HUNDRED / total_weight if total_weight else Decimal(0)
        fp, pp, rp = (x.quantize(CENT, ROUND_HALF_UP) for x in (freq * w.frequency * scale,
                                                                 part * w.participants * scale,
                                                                 res * w.residents * scale))
        out.append(OrgIndex(uscc=f.org.uscc, filing_no=f.org.filing_no, name=f.org.name,
                            division_code=f.org.division_code, township_code=f.org.township_code, year=year,
                            activities=f.activities, quarters_active=len(f.quarters), participants=f.participants,
                            residents=f.residents, frequency_part=fp, participants_part=pp, residents_part=rp,
                            index=min(fp + pp + rp, HUNDRED),
                            active_strict=bool(quarters) and len(f.quarters & set(range(quarters))) == quarters,
                            active_lenient=f.activities > 0, last_activity_on=f.last))
    return out


async def index(session: AsyncSession, principal: Principal, division: str | None, year: int | None, *,
                uscc: str | None, filing_no: str | None, clock: Clock, settings: Settings) -> list[OrgIndex]:
    if principal.role == "org":
        from yishe_kit.access import require_org_or_roles
        require_org_or_roles(principal, uscc or "")
        org = await organisation_service.require(session, principal.actor)
        prefix: str | None = org.division_code
    else:
        require_role(principal, *READERS, action_zh="查看活跃指数", action_en="read activity indices")
        prefix = listing_prefix(principal, division)
    today = clock.today()
    year = year or today.year
    facts = await year_facts(session, prefix[:6] if prefix else None, year)
    out = indices(facts, year, quarters_considered(year, today), settings)
    if prefix and len(prefix) > 6:
        out = [i for i in out if (i.township_code or "").startswith(prefix)]
    if uscc:
        out = [i for i in out if i.uscc == uscc]
    if filing_no:
        out = [i for i in out if i.filing_no == filing_no]
    return sorted(out, key=lambda i: (-i.index, i.uscc or i.filing_no or ""))


async def org_index(session: AsyncSession, uscc: str, division_code: str, year: int, today: date,
                    settings: Settings) -> OrgIndex | None:
    """One organisation's 活跃指数 for the 一社一码 fragment: its own activities, and the county's median of
    participants per activity from one aggregate query (not the whole county's rows)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    org = await organisation_service.repository.get(session, uscc)
    if org is None:
        return None
    stmt = (select(Activity.org_key, func.count(), func.sum(Activity.participants))
            .where(Activity.division_code == division_code, Activity.activity_date >= start,
                   Activity.activity_date <= end).group_by(Activity.org_key))
    averages = [int(total or 0) / n for _, n, total in (await session.execute(stmt)).all() if n]
    fact = OrgYear(CommunityOrgRead(uscc=org.uscc, filing_no=None, name=org.name, division_code=org.division_code,
                                    township_code=org.township_code, kind="registered", status=org.status,
                                    community_class=org.community_class))
    own = select(Activity.activity_date, Activity.participants, Activity.residents).where(
        Activity.org_key == uscc, Activity.activity_date >= start, Activity.activity_date <= end)
    for day, participants, residents in (await session.execute(own)).all():
        fact.activities += 1
        fact.quarters.add(quarter_of(day))
        fact.participants += participants
        fact.residents += residents
        fact.last = day if fact.last is None or day > fact.last else fact.last
    median = statistics.median(averages) if averages else 0
    return indices([fact], year, quarters_considered(year, today), settings, {org.division_code: median})[0]


async def _inactive(session: AsyncSession, prefix: str | None, year: int) -> list[OrgYear]:
    return [f for f in await year_facts(session, prefix, year) if f.activities == 0]


async def _last_before(session: AsyncSession, keys: list[str], year: int) -> dict[str, date]:
    if not keys:
        return {}
    rows = await session.execute(select(Activity.org_key, Activity.activity_date)
                                 .where(Activity.org_key.in_(keys), Activity.activity_date < date(year, 1, 1)))
    out: dict[str, date] = {}
    for key, day in rows.all():
        if key not in out or day > out[key]:
            out[key] = day
    return out


async def inactive(session: AsyncSession, principal: Principal, division: str | None, year: int | None, *,
                   clock: Clock) -> list[InactiveRead]:
    """PLAT-1 组织培育 / PLAT-5: community organisations without any activity in the year."""
    require_role(principal, *READERS, action_zh="查看不活跃社区社会组织名单", action_en="read the inactive list")
    prefix = listing_prefix(principal, division)
    year = year or clock.today().year
    facts = await _inactive(session, prefix, year)
    keys = [f.key for f in facts]
    last = await _last_before(session, keys, year)
    listed = {r.org_key: r.listed_on for r in await session.scalars(
        select(InactiveListing).where(InactiveListing.year == year, InactiveListing.org_key.in_(keys or [""])))}
    return [InactiveRead(uscc=f.org.uscc, filing_no=f.org.filing_no, name=f.org.name,
                         division_code=f.org.division_code, township_code=f.org.township_code, year=year,
                         last_activity_on=last.get(f.key), listed_on=listed.get(f.key)) for f in facts]


async def publish_inactive(session: AsyncSession, principal: Principal, division: str | None, year: int, *,
                           clock: Clock, outbox: Outbox) -> PublishReport:
    """Put a closed year's inactive organisations on the list, once each, and publish cultivation.inactive.listed.v1
    (credit's zombie detection reads it)."""
    require_role(principal, *WRITERS, action_zh="发布不活跃社区社会组织名单", action_en="publish the inactive list")
    prefix = listing_prefix(principal, division)
    today = clock.today()
    if year >= today.year:
        raise InvalidInput("year_not_closed", "only a closed year's inactive list can be published", [Problem(
            "year", "PLAT-5", f"{year}年度尚未结束，不能发布全年无活动名单", f"{year} has not ended yet")])
    facts = await _inactive(session, prefix, year)
    keys = [f.key for f in facts]
    done = set(await session.scalars(select(InactiveListing.org_key).where(
        InactiveListing.year == year, InactiveListing.org_key.in_(keys or [""]))))
    last = await _last_before(session, keys, year)
    events = []
    for f in facts:
        if f.key in done:
            continue
        session.add(InactiveListing(org_key=f.key, uscc=f.org.uscc, filing_no=f.org.filing_no, year=year,
                                    listed_on=today, listed_by=principal.actor))
        events.append(InactiveListed(uscc=f.org.uscc, filing_no=f.org.filing_no, name=f.org.name,
                                     division_code=f.org.division_code, township_code=f.org.township_code, year=year,
                                     activities_in_year=0, last_activity_on=last.get(f.key), listed_on=today))
    await session.flush()
    await outbox.emit_many(session, events)
    return PublishReport(year=year, division=prefix or "", listed=len(events), already_listed=len(done))
