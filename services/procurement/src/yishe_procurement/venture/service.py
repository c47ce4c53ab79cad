"""公益创投 rounds: PROC-4 eligibility frozen at application; PROC-11 labour ≤ 50 % of a welfare-lottery grant, on
the budget and on the running total of reported spending."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.identifiers import validate_division_code
from yishe_kit.access import require_jurisdiction, require_org_or_roles, require_role
from yishe_kit.clock import now
from yishe_kit.db import flush_or_conflict
from yishe_kit.errors import Conflict, InvalidInput, NotFound, Problem, identifier_problems, require_social_org_uscc
from yishe_kit.principal import Principal

from ..bidder import service as bidder_service
from ..common.money import cents
from ..config import Settings
from .models import VentureApplication, VentureRound, VentureSpending
from .schemas import (
    ApplicationCreate,
    ApplicationRead,
    CostCategory,
    CostLine,
    FundingSource,
    GrantCreate,
    RoundCreate,
    RoundRead,
    SpendingCreate,
)


def _labour(lines: list[CostLine]) -> Decimal:
    return sum((line.amount for line in lines if line.category == CostCategory.LABOUR), Decimal(0))


def _cap(rnd: VentureRound, amount: Decimal) -> Decimal | None:
    return None if rnd.labour_max_ratio is None else cents(amount * rnd.labour_max_ratio)


def _labour_problem(field: str, labour: Decimal, cap: Decimal | None, amount: Decimal, what: str) -> list[Problem]:
    """PROC-11: labour costs paid from 福彩公益金 at most 50 % of the grant."""
    if cap is None or labour <= cap:
        return []
    return [Problem(field, "PROC-11", f"人工成本 {labour} 元超过资助额度 {amount} 元的上限 {cap} 元（福彩公益金）",
                    f"labour costs {labour} exceed the welfare-lottery cap {cap} ({what} {amount})")]


async def create_round(session: AsyncSession, body: RoundCreate, principal: Principal,
                       settings: Settings) -> RoundRead:
    """A 公益创投 round; a welfare-lottery round carries the PROC-11 labour ratio in force when it opened."""
    require_role(principal, "staff", "internal")
    problems = identifier_problems(validate_division_code(body.division_code))
    if problems:
        raise InvalidInput("invalid_division", "the division code is malformed", problems)
    require_jurisdiction(principal, body.division_code)
    ratio = settings.venture_labour_max_ratio if body.funding_source == FundingSource.WELFARE_LOTTERY else None
    rnd = VentureRound(round_id=str(uuid.uuid4()), title=body.title, year=body.year, division_code=body.division_code,
                       funding_source=body.funding_source.value, pool_amount=body.pool_amount,
                       labour_max_ratio=ratio, apply_until=body.apply_until, created_at=now())
    session.add(rnd)
    await session.flush()
    return await read_round(session, rnd.round_id)


async def _round(session: AsyncSession, round_id: str) -> VentureRound:
    rnd = await session.get(VentureRound, round_id)
    if rnd is None:
        raise NotFound("round_not_found", f"no venture round {round_id}")
    return rnd


async def _application(session: AsyncSession, application_id: str) -> VentureApplication:
    app = await session.get(VentureApplication, application_id)
    if app is None:
        raise NotFound("application_not_found", f"no venture application {application_id}")
    return app


async def _granted_total(session: AsyncSession, round_id: str) -> Decimal:
    return await session.scalar(select(func.coalesce(func.sum(VentureApplication.grant_amount), 0)).where(
        VentureApplication.round_id == round_id)) or Decimal(0)


async def read_round(session: AsyncSession, round_id: str) -> RoundRead:
    rnd = await _round(session, round_id)
    count = await session.scalar(select(func.count()).select_from(VentureApplication).where(
        VentureApplication.round_id == round_id))
    return RoundRead(round_id=rnd.round_id, title=rnd.title, year=rnd.year, division_code=rnd.division_code,
                     funding_source=rnd.funding_source, pool_amount=rnd.pool_amount,
                     labour_max_ratio=rnd.labour_max_ratio, apply_until=rnd.apply_until,
                     granted_total=cents(Decimal(await _granted_total(session, round_id))), applications=count or 0,
                     created_at=rnd.created_at)


def _budget_problems(lines: list[CostLine], amount: Decimal, field: str) -> list[Problem]:
    total = sum((line.amount for line in lines), Decimal(0))
    if total != amount:
        return [Problem(field, "PROC-11", f"预算合计 {total} 元应等于申请/资助金额 {amount} 元",
                        f"budget lines add up to {total}, not {amount}")]
    return []


async def apply(session: AsyncSession, round_id: str, body: ApplicationCreate, principal: Principal, today: date,
                settings: Settings) -> ApplicationRead:
    """An organisation applies: PROC-4 eligibility frozen; PROC-11 labour cap checked on its budget."""
    rnd = await _round(session, round_id)
    require_social_org_uscc(body.uscc)
    require_org_or_roles(principal, body.uscc)
    if today > rnd.apply_until:
        raise Conflict("round_closed", f"申报已于 {rnd.apply_until} 截止; applications closed on {rnd.apply_until}")
    labour = _labour(body.budget)
    problems = _budget_problems(body.budget, body.requested_amount, "budget")
    problems += _labour_problem("budget", labour, _cap(rnd, body.requested_amount), body.requested_amount, "request")
    if problems:
        raise InvalidInput("application_refused", "the application's budget is refused", problems)
    if await session.scalar(select(VentureApplication.application_id).where(
            VentureApplication.round_id == round_id, VentureApplication.uscc == body.uscc)):
        raise Conflict("application_exists", f"该组织已申报本轮; {body.uscc} already applied in this round")
    result = await bidder_service.eligibility_on(session, body.uscc, today, settings)
    if not result.eligible:
        raise InvalidInput("applicant_ineligible", "the organisation does not meet the conditions (PROC-4)",
                           [Problem("uscc", c.rule, c.message_zh, c.message) for c in result.conditions if not c.met])
    app = VentureApplication(
        application_id=str(uuid.uuid4()), round_id=round_id, uscc=body.uscc,
        org_name=result.facts.get("name") or body.uscc, title=body.title, summary=body.summary,
        requested_amount=body.requested_amount, budget=[line.model_dump(mode="json") for line in body.budget],
        labour_budget=labour, eligibility=result.model_dump(mode="json"), status="applied", created_at=now())
    session.add(app)
    await flush_or_conflict(session, "application_exists", f"该组织已申报本轮; {body.uscc} already applied")
    return await read_application(session, app.application_id)


async def grant(session: AsyncSession, application_id: str, body: GrantCreate, principal: Principal, today: date,
                settings: Settings) -> ApplicationRead:
    """Staff grant an amount ≤ the request and within the pool; PROC-11 is re-checked against the grant."""
    require_role(principal, "staff", "internal")
    app = await _application(session, application_id)
    rnd = await _round(session, app.round_id)
    require_jurisdiction(principal, rnd.division_code)
    if app.status != "applied":
        raise Conflict("application_not_open", f"申报状态为 {app.status}; the application is {app.status}")
    lines = body.budget or [CostLine(**line) for line in app.budget]
    labour = _labour(lines)
    problems = []
    if body.grant_amount > app.requested_amount:
        problems.append(Problem("grant_amount", "PROC-11", "资助金额不得超过申请金额",
                                "the grant may not exceed the request"))
    left = rnd.pool_amount - cents(Decimal(await _granted_total(session, rnd.round_id)))
    if body.grant_amount > left:
        problems.append(Problem("grant_amount", "PROC-11", f"超出本轮剩余资金 {left} 元",
                                f"exceeds what is left in the round ({left})"))
    problems += _budget_problems(lines, body.grant_amount, "budget")
    problems += _labour_problem("budget", labour, _cap(rnd, body.grant_amount), body.grant_amount, "grant")
    if problems:
        raise InvalidInput("grant_refused", "the grant is refused", problems)
    app.budget, app.labour_budget = [line.model_dump(mode="json") for line in lines], labour
    app.status, app.grant_amount, app.granted_on = "granted", body.grant_amount, today
    await session.flush()
    return await read_application(session, application_id)


async def report_spending(session: AsyncSession, application_id: str, body: SpendingCreate, principal: Principal,
                          today: date) -> ApplicationRead:
    """PROC-11 on reported spending: running totals stay within the grant and the labour cap."""
    app = await _application(session, application_id)
    require_org_or_roles(principal, app.uscc)
    if app.status != "granted" or app.grant_amount is None:
        raise Conflict("not_granted", "尚未获得资助; the application has no grant")
    rnd = await _round(session, app.round_id)
    spent, spent_labour = await _spent(session, application_id)
    total, labour = sum((line.amount for line in body.lines), Decimal(0)), _labour(body.lines)
    problems = _labour_problem("lines", spent_labour + labour, _cap(rnd, app.grant_amount), app.grant_amount,
                               "grant")
    if spent + total > app.grant_amount:
        problems.append(Problem("lines", "PROC-11", f"累计支出 {spent + total} 元超过资助金额 {app.grant_amount} 元",
                                f"spending {spent + total} exceeds the grant {app.grant_amount}"))
    if body.reported_on > today or body.reported_on < app.granted_on:
        problems.append(Problem("reported_on", "PROC-11", "报告日期应在资助之后且不晚于今天",
                                "reported_on must be after the grant and not in the future"))
    if problems:
        raise InvalidInput("spending_refused", "the reported spending cannot be charged to the grant", problems)
    session.add(VentureSpending(application_id=application_id, reported_on=body.reported_on, total=total,
                                labour=labour, lines=[line.model_dump(mode="json") for line in body.lines],
                                recorded_at=now()))
    await session.flush()
    return await read_application(session, application_id)


async def _spent(session: AsyncSession, application_id: str) -> tuple[Decimal, Decimal]:
    row = (await session.execute(select(func.coalesce(func.sum(VentureSpending.total), 0),
                                        func.coalesce(func.sum(VentureSpending.labour), 0))
                                 .where(VentureSpending.application_id == application_id))).one()
    return cents(Decimal(row[0])), cents(Decimal(row[1]))


async def read_application(session: AsyncSession, application_id: str) -> ApplicationRead:
    app = await _application(session, application_id)
    rnd = await _round(session, app.round_id)
    spent, spent_labour = await _spent(session, application_id)
    return ApplicationRead(
        application_id=app.application_id, round_id=app.round_id, uscc=app.uscc, org_name=app.org_name,
        title=app.title, summary=app.summary, requested_amount=app.requested_amount, budget=app.budget,
        labour_budget=app.labour_budget, status=app.status, grant_amount=app.grant_amount, granted_on=app.granted_on,
        spent_total=spent, spent_labour=spent_labour,
        labour_cap=_cap(rnd, app.grant_amount or app.requested_amount), eligibility=app.eligibility)
