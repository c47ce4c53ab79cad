"""Subsidy rules: SUB-1 graduation within 2 years of hiring; SUB-2 at most 12 months per graduate; SUB-3 only months
actually contributed (paid, from the hiring month, not in the future), the amount their sum; SUB-4 never twice for
the same person and month; SUB-5 no negative amounts; SUB-6 a course or certificate once per person; SUB-7 the
person's name and ID number in full only for the handling staff member, masked for everyone else."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.identifiers import mask_id_number, validate_id_number
from yishe_kit.access import in_jurisdiction, require_org_or_roles, require_role
from yishe_kit.db import flush_or_conflict
from yishe_kit.errors import Problem, identifier_problems
from yishe_kit.principal import Principal

from ..config import RulesSettings
from ..errors import Missing, Refused, WrongState
from ..organisation import service as organisation_service
from ..organisation.leaders import add_years
from . import repository
from .models import SubsidyApplication, SubsidyMonth
from .schemas import Decision, GraduateApplication, Ledger, MonthRead, SubsidyRead, TrainingApplication

GRADUATE = "graduate_social_insurance"
TRAINING_KINDS = {"training": "职业培训补贴", "skills_certificate": "技能证书补贴"}


def person_key(id_number: str) -> str:
    return hashlib.sha256(id_number.strip().upper().encode()).hexdigest()


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1)


def graduate_problems(data: GraduateApplication, claimed: set[str], today: date, rules: RulesSettings
                      ) -> list[Problem]:
    """SUB-1, SUB-2, SUB-3, SUB-4, SUB-5 for one graduate's months."""
    found = identifier_problems(validate_id_number(data.graduate.id_number, field="graduate.id_number"))
    years = rules.subsidy_graduate_window_years
    if data.hired_on < data.graduation_date or data.hired_on > add_years(data.graduation_date, years):
        found.append(Problem("hired_on", "SUB-1", f"只有毕业{years}年内招用的高校毕业生可申请社保补贴",
                             f"only graduates hired within {years} years of graduating qualify"))
    if data.hired_on > today:
        found.append(Problem("hired_on", "SUB-3", "招用日期不能晚于今天", "hired_on cannot be in the future"))
    seen: set[str] = set()
    count = len(claimed)
    for i, m in enumerate(data.months):
        field = f"months[{i}]"
        if m.contribution_paid < 0:
            found.append(Problem(f"{field}.contribution_paid", "SUB-5", "金额不能为负数",
                                 "an amount cannot be negative"))
        elif m.contribution_paid == 0:
            found.append(Problem(f"{field}.contribution_paid", "SUB-3", "该月未实际缴纳社保，不予补贴",
                                 "no contribution was paid for this month"))
        if m.month < f"{data.hired_on:%Y-%m}" or m.month > f"{today:%Y-%m}":
            found.append(Problem(f"{field}.month", "SUB-3", "补贴月份须在招用之后且已实际缴纳（不能是未来月份）",
                                 "a month must be from the hiring month on and not in the future"))
        if m.month in claimed:
            found.append(Problem(f"{field}.month", "SUB-4", f"{m.month}已申请过社保补贴，同一人同一月份不得重复补贴",
                                 f"{m.month} was already subsidised for this graduate"))
            continue
        if m.month in seen:
            found.append(Problem(f"{field}.month", "SUB-4", f"{m.month}在本次申请中重复", f"{m.month} is listed twice"))
            continue
        seen.add(m.month)
        count += 1
        if count > rules.subsidy_max_months:
            found.append(Problem(f"{field}.month", "SUB-2",
                                 f"每名毕业生最长补贴{rules.subsidy_max_months}个月（已申请{len(claimed)}个月）",
                                 f"at most {rules.subsidy_max_months} months per graduate "
                                 f"({len(claimed)} already claimed)"))
    return found


async def apply_graduate(session: AsyncSession, uscc: str, data: GraduateApplication, principal: Principal,
                         rules: RulesSettings, today: date) -> tuple[SubsidyApplication, list[SubsidyMonth]]:
    """社保补贴 for a graduate: the amount is the social insurance actually paid in the months claimed."""
    require_org_or_roles(principal, uscc, "staff", action_zh="申请社保补贴", action_en="apply for subsidies")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    key = person_key(data.graduate.id_number)
    found = graduate_problems(data, await repository.claimed_months(session, key), today, rules)
    if found:
        raise Refused(found)
    row = _new(org.uscc, org.division_code, GRADUATE, data.graduate.name, data.graduate.id_number, key, principal,
               today, amount=sum((m.contribution_paid for m in data.months), Decimal("0.00")))
    row.graduation_date, row.hired_on = data.graduation_date, data.hired_on
    session.add(row)
    await session.flush()
    months = [SubsidyMonth(application_id=row.application_id, uscc=uscc, person_key=key, month=m.month,
                           contribution_paid=m.contribution_paid) for m in data.months]
    session.add_all(months)
    await flush_or_conflict(session, "subsidy_month_taken", "a month was subsidised meanwhile", [Problem(
        "months", "SUB-4", "同一人同一月份不得重复补贴", "a person's month is subsidised once")])
    return row, months


def _new(uscc: str, division: str, kind: str, name: str, id_number: str, key: str, principal: Principal,
         today: date, amount: Decimal) -> SubsidyApplication:
    return SubsidyApplication(uscc=uscc, division_code=division, kind=kind, year=today.year, status="submitted",
                              person_name=name, person_id_number=id_number, person_key=key, amount=amount,
                              submitted_on=today, submitted_by=principal.actor,
                              handled_by=principal.actor if principal.role == "staff" else None)


async def apply_training(session: AsyncSession, uscc: str, data: TrainingApplication, principal: Principal,
                         today: date) -> SubsidyApplication:
    """职业培训 / 技能证书 subsidies (SUB-5, SUB-6)."""
    require_org_or_roles(principal, uscc, "staff", action_zh="申请培训补贴", action_en="apply for subsidies")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    found = identifier_problems(validate_id_number(data.person.id_number, field="person.id_number"))
    if data.kind not in TRAINING_KINDS:
        found.append(Problem("kind", "SUB-6", "补贴类型应为：training（职业培训）或 skills_certificate（技能证书）",
                             "kind is training or skills_certificate"))
    if data.amount < 0:
        found.append(Problem("amount", "SUB-5", "金额不能为负数", "an amount cannot be negative"))
    if data.completed_on > today:
        found.append(Problem("completed_on", "SUB-6", "完成日期不能晚于今天", "completed_on cannot be in the future"))
    key = person_key(data.person.id_number)
    if not found and await repository.certificate_claimed(session, key, data.kind, data.item):
        found.append(Problem("item", "SUB-6", "同一人同一培训或证书只补贴一次",
                             "a course or certificate is subsidised once per person"))
    if found:
        raise Refused(found)
    row = _new(org.uscc, org.division_code, data.kind, data.person.name, data.person.id_number, key, principal,
               today, amount=data.amount)
    row.item, row.certificate_no = data.item, data.certificate_no
    session.add(row)
    await session.flush()
    return row


async def _for_staff(session: AsyncSession, uscc: str, application_id: int, principal: Principal
                     ) -> SubsidyApplication:
    require_role(principal, "staff", action_zh="审批补贴", action_en="decide subsidies")
    await organisation_service.get_for_staff(session, uscc, principal)
    row = await session.get(SubsidyApplication, application_id)
    if row is None or row.uscc != uscc:
        raise Missing("application_id", application_id, "补贴申请")
    return row


def _day(decision: Decision, today: date, after: date | None, field: str = "on") -> date:
    on = decision.on or today
    if on > today or (after is not None and on < after):
        raise Refused([Problem(field, "SUB-5", "日期不能晚于今天，也不能早于上一步",
                               "the date cannot be in the future or before the previous step")])
    return on


async def approve(session: AsyncSession, uscc: str, application_id: int, decision: Decision, principal: Principal,
                  today: date) -> SubsidyApplication:
    """Approval date; the approving staff member handles it from now on if nobody did."""
    row = await _for_staff(session, uscc, application_id, principal)
    if row.status != "submitted":
        raise WrongState("status", "SUB-5", "只有待审批的申请可以批准", "only a submitted application is approved")
    row.approved_on = _day(decision, today, row.submitted_on)
    row.status, row.handled_by, row.note = "approved", row.handled_by or principal.actor, decision.note
    return row


async def reject(session: AsyncSession, uscc: str, application_id: int, decision: Decision, principal: Principal,
                 today: date) -> SubsidyApplication:
    """A refused application frees its months (SUB-4 counts only what is not refused)."""
    row = await _for_staff(session, uscc, application_id, principal)
    if row.status != "submitted":
        raise WrongState("status", "SUB-5", "只有待审批的申请可以驳回", "only a submitted application is rejected")
    row.status, row.handled_by, row.note = "rejected", row.handled_by or principal.actor, decision.note
    await repository.release_months(session, row.application_id)
    return row


async def pay(session: AsyncSession, uscc: str, application_id: int, decision: Decision, principal: Principal,
              today: date) -> SubsidyApplication:
    """Payment date, on or after approval."""
    row = await _for_staff(session, uscc, application_id, principal)
    if row.status != "approved":
        raise WrongState("status", "SUB-5", "只有已批准的申请可以拨付", "only an approved application is paid")
    row.paid_on, row.status = _day(decision, today, row.approved_on), "paid"
    return row


def handler_sees(row: SubsidyApplication, principal: Principal) -> bool:
    """SUB-7: the handling staff member (in jurisdiction) sees the person in full; nobody else does."""
    return (principal.role == "staff" and row.handled_by == principal.actor
            and in_jurisdiction(principal, row.division_code))


def to_read(row: SubsidyApplication, principal: Principal, months: list[SubsidyMonth] | None = None) -> SubsidyRead:
    full = handler_sees(row, principal)
    return SubsidyRead(
        application_id=row.application_id, uscc=row.uscc, kind=row.kind, year=row.year, status=row.status,
        person_name=row.person_name if full else mask_name(row.person_name),
        person_id_number=row.person_id_number if full else mask_id_number(row.person_id_number),
        personal_data="full" if full else "masked", graduation_date=row.graduation_date, hired_on=row.hired_on,
        item=row.item, certificate_no=row.certificate_no,
        months=[MonthRead(month=m.month, contribution_paid=m.contribution_paid) for m in months or []],
        amount=row.amount, submitted_on=row.submitted_on, approved_on=row.approved_on, paid_on=row.paid_on,
        handled_by=row.handled_by)


async def ledger(session: AsyncSession, uscc: str, year: int | None, principal: Principal) -> Ledger:
    """The organisation's subsidies in a year: what was asked, approved and paid."""
    require_org_or_roles(principal, uscc, "staff", "internal", action_zh="查看补贴台账", action_en="see subsidies")
    await organisation_service.get_for_staff(session, uscc, principal)
    rows = await repository.ledger(session, uscc, year)
    by_app: dict[int, list[SubsidyMonth]] = {}
    for m in await repository.months(session, [r.application_id for r in rows]):
        by_app.setdefault(m.application_id, []).append(m)
    zero = Decimal("0.00")
    return Ledger(uscc=uscc, year=year or 0, applications=[to_read(r, principal, by_app.get(r.application_id))
                                                           for r in rows],
                  requested=sum((r.amount for r in rows if r.status != "rejected"), zero),
                  approved=sum((r.amount for r in rows if r.status in ("approved", "paid")), zero),
                  paid=sum((r.amount for r in rows if r.status == "paid"), zero))
