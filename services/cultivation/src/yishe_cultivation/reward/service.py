"""EVAL-10: first-time 3A / 4A / 5A one-off rewards (¥10,000 / 20,000 / 30,000 by default, per locality), computed
from registry.grade.changed.v1 into a payable ledger with approval and payment dates; never twice for a level.

[P] A level below one already rewarded (e.g. 4A after a 5A reward, by downgrade and re-evaluation) earns nothing:
the reward is for reaching a level for the first time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.cultivation import RewardChanged, RewardStatus
from yishe_contracts.events.registry import GradeChange
from yishe_kit.access import listing_prefix, require_jurisdiction, require_role
from yishe_kit.clock import Clock
from yishe_kit.db import flush_or_conflict
from yishe_kit.errors import Conflict, InvalidInput, NotFound, Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import Settings
from ..deps import READERS, WRITERS
from ..organisation import service as organisation_service
from ..organisation.models import GradeEvent, Organisation
from .models import Reward
from .schemas import RewardApprove, RewardClaim, RewardPay, RewardRead, RewardSummary

REWARDED = ("3A", "4A", "5A")
LABELS = {"payable": "待审批", "approved": "已审批待支付", "paid": "已支付"}


def amount_for(division_code: str, grade: str, settings: Settings) -> tuple[Decimal, str]:
    """The amount of the longest matching locality prefix (EVAL-10: per locality)."""
    table = settings.reward.amounts
    prefix = max((p for p in table if division_code.startswith(p) and grade in table[p]), key=len, default=None)
    if prefix is None:
        return Decimal(0), ""
    return table[prefix][grade], prefix


def to_read(r: Reward) -> RewardRead:
    return RewardRead(reward_id=r.reward_id, uscc=r.uscc, name=r.name, division_code=r.division_code, grade=r.grade,
                      amount=r.amount, locality=r.locality, awarded_on=r.awarded_on, source=r.source, status=r.status,
                      status_label=LABELS.get(r.status, r.status), approved_on=r.approved_on,
                      approved_by=r.approved_by, paid_on=r.paid_on, paid_by=r.paid_by, voucher=r.voucher)


async def _existing(session: AsyncSession, uscc: str) -> list[Reward]:
    return list((await session.scalars(select(Reward).where(Reward.uscc == uscc))).all())


def refusal(org: Organisation, grade: str, existing: list[Reward]) -> Problem | None:
    """Why no reward is due for `grade` (None: it is due)."""
    level = organisation_service.grade_level(grade)
    for r in existing:
        if r.grade == grade:
            return Problem("grade", "EVAL-10", f"{org.name}已于{r.awarded_on}获得首次{grade}奖励（¥{r.amount}），"
                                               f"同一等级不重复奖励", f"{org.uscc} already has its {grade} reward")
        if organisation_service.grade_level(r.grade) > level:
            return Problem("grade", "EVAL-10", f"{org.name}已获得更高等级{r.grade}的奖励，{grade}不属于首次获评",
                           f"{org.uscc} was already rewarded for {r.grade}, above {grade}")
    return None


async def _create(session: AsyncSession, org: Organisation, grade: str, on: date, *, source: str,
                  event_id: str | None, clock: Clock, outbox: Outbox, settings: Settings) -> Reward:
    amount, locality = amount_for(org.division_code, grade, settings)
    r = Reward(uscc=org.uscc, name=org.name, division_code=org.division_code, grade=grade, amount=amount,
               locality=locality, awarded_on=on, source=source, source_event_id=event_id, status="payable",
               created_at=clock.now())
    session.add(r)
    await flush_or_conflict(session, "reward_exists", f"{org.uscc} already has a {grade} reward", [Problem(
        "grade", "EVAL-10", f"{org.name}的{grade}奖励已存在，同一等级不重复奖励", f"{grade} was rewarded already")])
    await outbox.emit(session, RewardChanged(uscc=org.uscc, reward_id=r.reward_id, grade=grade, amount=amount,
                                             status=RewardStatus.PAYABLE, changed_on=clock.today()))
    return r


async def on_grade_event(session: AsyncSession, row: GradeEvent, *, clock: Clock, outbox: Outbox,
                         settings: Settings) -> Reward | None:
    """A grade awarded for the first time at its level creates one payable reward; anything else is ignored."""
    if row.change != GradeChange.AWARDED.value or row.grade not in REWARDED:
        return None
    org = await organisation_service.require(session, row.uscc)
    if refusal(org, row.grade, await _existing(session, row.uscc)) is not None:
        return None
    return await _create(session, org, row.grade, row.changed_on, source="event", event_id=row.event_id, clock=clock,
                         outbox=outbox, settings=settings)


async def claim(session: AsyncSession, principal: Principal, body: RewardClaim, *, clock: Clock, outbox: Outbox,
                settings: Settings) -> RewardRead:
    """Staff enter a reward the events did not create (e.g. a grade from before the platform): the grade must be on
    record as awarded; a level already rewarded is a 409 naming EVAL-10."""
    require_role(principal, *WRITERS, action_zh="登记等级评估奖励", action_en="claim a grade reward")
    org = await organisation_service.require(session, body.uscc)
    require_jurisdiction(principal, org.division_code)
    problem = refusal(org, body.grade, await _existing(session, body.uscc))
    if problem is not None:
        raise Conflict("reward_not_due", problem.message_en, [problem])
    awarded = await session.scalar(select(GradeEvent).where(
        GradeEvent.uscc == body.uscc, GradeEvent.grade == body.grade, GradeEvent.change == GradeChange.AWARDED.value)
        .order_by(GradeEvent.changed_on).limit(1))
    if awarded is None:
        raise InvalidInput("grade_not_awarded", f"{body.uscc} was never awarded {body.grade}", [Problem(
            "grade", "EVAL-10", f"登记信息中{org.name}未获评{body.grade}", f"no {body.grade} award on record")])
    r = await _create(session, org, body.grade, awarded.changed_on, source="claim", event_id=None, clock=clock,
                      outbox=outbox, settings=settings)
    return to_read(r)


async def _require(session: AsyncSession, principal: Principal, reward_id: int) -> Reward:
    r = await session.get(Reward, reward_id)
    if r is None:
        raise NotFound("reward_not_found", f"no reward {reward_id}")
    require_jurisdiction(principal, r.division_code)
    return r


def _not_after_today(day: date, today: date, field: str) -> None:
    if day > today:
        raise InvalidInput("date_in_future", f"{field} is in the future", [Problem(
            field, "EVAL-10", f"日期{day}晚于今天{today}", f"{field} {day} is after today {today}")])


async def approve(session: AsyncSession, principal: Principal, reward_id: int, body: RewardApprove, *, clock: Clock,
                  outbox: Outbox) -> RewardRead:
    require_role(principal, *WRITERS, action_zh="审批等级评估奖励", action_en="approve a reward")
    r = await _require(session, principal, reward_id)
    if r.status != "payable":
        raise Conflict("reward_not_payable", f"reward {reward_id} is {r.status}", [Problem(
            "status", "EVAL-10", f"该奖励当前状态为{LABELS.get(r.status)}，不能审批", f"reward is {r.status}")])
    today = clock.today()
    on = body.approved_on or today
    _not_after_today(on, today, "approved_on")
    if on < r.awarded_on:
        raise InvalidInput("approved_before_award", "approval before the award", [Problem(
            "approved_on", "EVAL-10", f"审批日期{on}早于获评日期{r.awarded_on}",
            f"approved_on {on} is before the award")])
    r.status, r.approved_on, r.approved_by = "approved", on, principal.actor
    await session.flush()
    await outbox.emit(session, RewardChanged(uscc=r.uscc, reward_id=r.reward_id, grade=r.grade, amount=r.amount,
                                             status=RewardStatus.APPROVED, changed_on=on))
    return to_read(r)


async def pay(session: AsyncSession, principal: Principal, reward_id: int, body: RewardPay, *, clock: Clock,
              outbox: Outbox) -> RewardRead:
    require_role(principal, *WRITERS, action_zh="登记奖励支付", action_en="record a payment")
    r = await _require(session, principal, reward_id)
    if r.status != "approved":
        raise Conflict("reward_not_approved", f"reward {reward_id} is {r.status}", [Problem(
            "status", "EVAL-10", f"该奖励当前状态为{LABELS.get(r.status)}，须先审批后支付", f"reward is {r.status}")])
    today = clock.today()
    on = body.paid_on or today
    _not_after_today(on, today, "paid_on")
    if r.approved_on and on < r.approved_on:
        raise InvalidInput("paid_before_approval", "payment before approval", [Problem(
            "paid_on", "EVAL-10", f"支付日期{on}早于审批日期{r.approved_on}", f"paid_on {on} is before approval")])
    r.status, r.paid_on, r.paid_by, r.voucher = "paid", on, principal.actor, body.voucher
    await session.flush()
    await outbox.emit(session, RewardChanged(uscc=r.uscc, reward_id=r.reward_id, grade=r.grade, amount=r.amount,
                                             status=RewardStatus.PAID, changed_on=on))
    return to_read(r)


async def ledger(session: AsyncSession, principal: Principal, division: str | None, status: str | None,
                 year: int | None) -> list[RewardRead]:
    if principal.role == "org":
        rows = await _existing(session, principal.actor)
        return [to_read(r) for r in rows]
    require_role(principal, *READERS, action_zh="查看奖励台账", action_en="read the reward ledger")
    prefix = listing_prefix(principal, division)
    stmt = select(Reward).order_by(Reward.awarded_on.desc(), Reward.reward_id.desc())
    if prefix:
        stmt = stmt.where(Reward.division_code.startswith(prefix[:6]))
    if status:
        stmt = stmt.where(Reward.status == status)
    if year:
        stmt = stmt.where(Reward.awarded_on >= date(year, 1, 1), Reward.awarded_on <= date(year, 12, 31))
    rows = list(await session.scalars(stmt))
    if prefix and len(prefix) > 6:  # AUTH-2 for a township: the rewards of the organisations in that township
        here = {c.uscc for c in await organisation_service.community_organisations(session, prefix) if c.uscc}
        rows = [r for r in rows if r.uscc in here]
    return [to_read(r) for r in rows]


async def summary(session: AsyncSession, principal: Principal, division: str | None,
                  year: int | None) -> RewardSummary:
    rows = await ledger(session, principal, division, None, year)
    total = {s: sum((r.amount for r in rows if r.status == s), Decimal(0)) for s in LABELS}
    by_grade = {g: sum(1 for r in rows if r.grade == g) for g in REWARDED}
    return RewardSummary(division=listing_prefix(principal, division) or "", count=len(rows),
                         payable=total["payable"], approved=total["approved"], paid=total["paid"], by_grade=by_grade)
