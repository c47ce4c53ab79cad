"""Grade rules: eligibility (EVAL-2, EVAL-9), validity old and new (EVAL-4, EVAL-8), downgrade and revocation
(EVAL-7), expiry by the daily job; the organisation's current grade follows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.registry import GradeChange, GradeChanged
from yishe_kit.access import require_role
from yishe_kit.errors import Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import RulesSettings
from ..errors import Refused, WrongState
from ..organisation import service as organisation_service
from ..organisation.leaders import add_years
from ..organisation.models import Organisation
from ..signal import service as signal_service
from .models import Grade
from .schemas import Award, Downgrade, Revoke

SYSTEM = Principal(actor="daily-job", role="internal")


def validity(announced_on: date, rules: RulesSettings) -> tuple[date, date, str]:
    """EVAL-8 (announced on/after 2026-03-01): 1 Jan of the next year to 31 Dec of the fifth year;
    EVAL-4 (before): five years from the announcement."""
    years = rules.eval_validity_years
    if announced_on >= rules.eval_new_rules_from:
        return date(announced_on.year + 1, 1, 1), date(announced_on.year + years, 12, 31), "EVAL-8"
    return announced_on, add_years(announced_on, years) - timedelta(days=1), "EVAL-4"


async def current(session: AsyncSession, uscc: str) -> Grade | None:
    stmt = (select(Grade).where(Grade.uscc == uscc, Grade.status == "active")
            .order_by(Grade.grade_id.desc()).limit(1))
    return await session.scalar(stmt)


async def history(session: AsyncSession, uscc: str) -> list[Grade]:
    await organisation_service.get(session, uscc)
    return list((await session.scalars(select(Grade).where(Grade.uscc == uscc).order_by(Grade.grade_id))).all())


async def _eligibility(session: AsyncSession, org: Organisation, data: Award, rules: RulesSettings,
                       today: date) -> list[Problem]:
    problems = []
    abnormal, serious = await signal_service.listed(session, org.uscc)
    if abnormal or serious:
        problems.append(Problem("uscc", "EVAL-9", "列入活动异常名录或严重违法失信名单的社会组织不予评估",
                                "organisations on the abnormal or serious list are not evaluated"))
    if add_years(org.registration_date, rules.eval_min_registered_years) > data.announced_on:
        problems.append(Problem("announced_on", "EVAL-2", f"登记满{rules.eval_min_registered_years}年方可参加评估",
                                f"evaluation needs {rules.eval_min_registered_years} full years since registration"))
    held = await current(session, org.uscc)
    if held and data.announced_on < rules.eval_new_rules_from and held.valid_until >= data.announced_on:
        problems.append(Problem("grade", "EVAL-2", "评估等级有效期内不得重新申请评估（旧办法）",
                                "under the old measures a valid grade cannot be re-evaluated"))
    if data.announced_on > today:
        problems.append(Problem("announced_on", "EVAL-3", "公告日期不能晚于今天", "the announcement is in the future"))
    return problems


async def award(session: AsyncSession, uscc: str, data: Award, principal: Principal, outbox: Outbox,
                rules: RulesSettings, today: date) -> Grade:
    """Record an evaluation result; the grade held before is superseded (EVAL-8 re-evaluation)."""
    require_role(principal, "staff", action_zh="登记评估等级", action_en="record grades")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    organisation_service.require_status(org, "active", action_zh="评估", action_en="grade")
    problems = await _eligibility(session, org, data, rules, today)
    if problems:
        raise Refused(problems)
    valid_from, valid_until, rule = validity(data.announced_on, rules)
    held = await current(session, uscc)
    if held:
        held.status, held.ended_on, held.end_reason = "superseded", today, "重新评估"
    row = Grade(uscc=uscc, grade=data.grade, original_grade=data.grade, score=data.score,
                announced_on=data.announced_on, valid_from=valid_from, valid_until=valid_until, rule=rule,
                status="active", awarded_by=principal.actor, created_at=datetime.now(UTC))
    session.add(row)
    await _set_org_grade(session, org, data.grade, principal, f"评估等级 {data.grade}（{rule}）")
    await outbox.emit(session, GradeChanged(uscc=uscc, change=GradeChange.AWARDED, grade=data.grade,
                                            previous_grade=held.grade if held else None, valid_from=valid_from,
                                            valid_until=valid_until, rule=rule, changed_on=today))
    return row


async def downgrade(session: AsyncSession, uscc: str, data: Downgrade, principal: Principal, outbox: Outbox,
                    today: date) -> Grade:
    """EVAL-7: lower the grade during its validity; the validity stays."""
    require_role(principal, "staff", action_zh="降低评估等级", action_en="downgrade")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    held = await current(session, uscc)
    if held is None:
        raise WrongState("grade", "EVAL-7", "该组织没有有效的评估等级", "the organisation holds no grade")
    if data.grade >= held.grade:
        raise Refused([Problem("grade", "EVAL-7", f"降级后的等级应低于现等级{held.grade}",
                               f"the new grade must be below {held.grade}")])
    previous = held.grade
    held.grade = data.grade
    await _set_org_grade(session, org, data.grade, principal, f"降级（{data.basis.value}）：{data.reason}")
    await outbox.emit(session, GradeChanged(uscc=uscc, change=GradeChange.DOWNGRADED, grade=data.grade,
                                            previous_grade=previous, valid_from=held.valid_from,
                                            valid_until=held.valid_until, rule="EVAL-7", changed_on=today))
    return held


async def revoke(session: AsyncSession, uscc: str, data: Revoke, principal: Principal, outbox: Outbox,
                 today: date) -> Grade:
    """EVAL-7: cancel the grade; certificate and plaque are to be returned within 15 days."""
    require_role(principal, "staff", action_zh="撤销评估等级", action_en="revoke grades")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    held = await current(session, uscc)
    if held is None:
        raise WrongState("grade", "EVAL-7", "该组织没有有效的评估等级", "the organisation holds no grade")
    held.status, held.ended_on, held.end_reason = "revoked", today, f"{data.basis.value}: {data.reason}"
    await _set_org_grade(session, org, None, principal, f"撤销评估等级：{data.reason}")
    await outbox.emit(session, GradeChanged(uscc=uscc, change=GradeChange.REVOKED, grade=None,
                                            previous_grade=held.grade, valid_from=held.valid_from,
                                            valid_until=held.valid_until, rule="EVAL-7", changed_on=today))
    return held


async def _set_org_grade(session: AsyncSession, org: Organisation, grade: str | None, principal: Principal,
                         reason: str) -> None:
    before = org.grade
    org.grade = grade
    await organisation_service.record_history(session, org.uscc, "grade_changed", principal,
                                              before={"grade": before}, after={"grade": grade}, reason=reason)


async def expire(session: AsyncSession, as_of: date, outbox: Outbox) -> list[str]:
    """Daily job (EVAL-4, EVAL-8): grades whose validity ended before `as_of` expire; the current grade clears. Each
    expiry is dated by the rule, its last valid day (`valid_until`; the event takes effect the day after), not by
    the day the job noticed it: a late run or one after missed days dates it as a daily run would have."""
    rows = list((await session.scalars(select(Grade).where(Grade.status == "active", Grade.valid_until < as_of)
                                       .order_by(Grade.grade_id))).all())
    events = []
    for g in rows:
        g.status, g.ended_on, g.end_reason = "expired", g.valid_until, f"有效期至{g.valid_until.isoformat()}届满"
        org = await session.get(Organisation, g.uscc)
        if org is not None and org.grade == g.grade:
            await _set_org_grade(session, org, None, SYSTEM, g.end_reason)
        events.append(GradeChanged(uscc=g.uscc, change=GradeChange.EXPIRED, grade=None, previous_grade=g.grade,
                                   valid_from=g.valid_from, valid_until=g.valid_until, rule=g.rule,
                                   changed_on=g.valid_until))
    await outbox.emit_many(session, events)
    return [g.uscc for g in rows]
