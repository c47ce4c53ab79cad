"""Joint review (REG-9): each step with actor, decision, opinion and time; notices of configurable length
(REG-11); rejection with reasons; authorised corrections that keep the trail."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.access import require_jurisdiction, require_role
from yishe_kit.errors import Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import RulesSettings
from ..errors import Refused, WrongState
from ..name import service as name_service
from ..trail import service as trail
from . import repository
from .models import Application, ApplicationStep
from .schemas import StepCorrection, StepDecision, StepName
from .service import derive_status, effective, emit, get, required_steps, set_status

STEP_ROLE = {StepName.SUPERVISORY_REVIEW: "supervisor", StepName.POLITICAL_REVIEW: "party"}
STEP_RULE = {StepName.SUPERVISORY_REVIEW: "REG-9", StepName.POLITICAL_REVIEW: "REG-9", StepName.INTERVIEW: "REG-9",
             StepName.LEADER_NOTICE: "REG-11", StepName.REGISTRATION_REVIEW: "REG-9", StepName.PUBLICITY: "REG-2"}
STEP_ZH = {StepName.SUPERVISORY_REVIEW: "业务主管单位审查", StepName.POLITICAL_REVIEW: "政治审查",
           StepName.INTERVIEW: "登记前谈话", StepName.LEADER_NOTICE: "负责人任职前公示",
           StepName.REGISTRATION_REVIEW: "登记管理机关审查", StepName.PUBLICITY: "登记前公示"}


def _notice_problems(step: StepName, body: StepDecision, rules: RulesSettings, today: date) -> list[Problem]:
    """REG-11 / REG-2: a notice covers at least the configured days and must be over before it is recorded."""
    days = rules.leader_notice_days if step == StepName.LEADER_NOTICE else rules.registration_publicity_days
    rule = STEP_RULE[step]
    if body.period_from is None or body.period_to is None:
        return [Problem("period_from", rule, "请填写公示起止日期", "give the notice period (period_from, period_to)")]
    problems = []
    length = (body.period_to - body.period_from).days + 1
    if length < days:
        problems.append(Problem("period_to", rule, f"公示期应不少于{days}天，实为{length}天",
                                f"the notice must last at least {days} days, got {length}"))
    if body.period_to >= today:
        problems.append(Problem("period_to", rule, "公示期尚未届满，届满后再记录结果",
                                "the notice period has not ended yet: record the result after it ends"))
    return problems


def _check_order(app: Application, steps: list[ApplicationStep], step: StepName) -> None:
    if step.value not in required_steps(app):
        raise WrongState("step", "REG-8", f"直接登记的社会组织无需{STEP_ZH[step]}",
                         f"{step.value} is not needed for a directly registered organisation")
    if step == StepName.PUBLICITY:
        if app.status != "publicity":
            raise WrongState("status", "REG-2", "登记管理机关审查通过后方可公示",
                             "publicity follows the authority's review")
        return
    if app.status != "under_review":
        raise WrongState("status", "REG-9", f"申请当前状态为{app.status}，不能记录审查意见",
                         f"the application is {app.status}: no review step can be recorded")
    if step == StepName.REGISTRATION_REVIEW:
        done = effective(steps)
        missing = [s for s in required_steps(app)
                   if s not in (StepName.REGISTRATION_REVIEW.value, StepName.PUBLICITY.value)
                   and not (s in done and done[s].decision == "approved")]
        if missing:
            zh = "、".join(STEP_ZH[StepName(s)] for s in missing)
            raise WrongState("step", "REG-9", f"联合审查尚未完成：{zh}",
                             f"joint review incomplete: {', '.join(missing)}")


async def record_step(session: AsyncSession, application_id: int, step: StepName, body: StepDecision,
                      principal: Principal, outbox: Outbox, rules: RulesSettings, today: date) -> Application:
    """REG-9/REG-11: one reviewer's decision with opinion and time; a rejection ends the application with reasons."""
    role = STEP_ROLE.get(step, "staff")
    require_role(principal, role, action_zh=f"记录{STEP_ZH[step]}", action_en=f"record {step.value}")
    app = await get(session, application_id)
    require_jurisdiction(principal, app.division_code)
    steps = await repository.steps(session, application_id)
    _check_order(app, steps, step)
    if step.value in effective(steps):
        raise WrongState("step", STEP_RULE[step], f"{STEP_ZH[step]}已有结论，如需改正请走更正程序",
                         f"{step.value} is already decided: use a correction")
    problems = []
    if body.decision == "rejected" and not body.reasons:
        problems.append(Problem("reasons", STEP_RULE[step], "不予通过须写明理由", "a rejection must give its reasons"))
    if step in (StepName.LEADER_NOTICE, StepName.PUBLICITY):
        problems += _notice_problems(step, body, rules, today)
    if problems:
        raise Refused(problems)
    row = ApplicationStep(application_id=application_id, step=step.value, decision=body.decision.value,
                          opinion=body.opinion, reasons=[r.model_dump() for r in body.reasons] or None,
                          period_from=body.period_from, period_to=body.period_to, actor=principal.actor,
                          actor_role=principal.role, at=datetime.now(UTC))
    session.add(row)
    await session.flush()
    await trail.record(session, "application", application_id, f"step:{step.value}", principal,
                       after={"decision": row.decision, "opinion": row.opinion}, reason=STEP_ZH[step])
    await _settle(session, app, [*steps, row], principal, outbox, today, step.value, row.decision, STEP_RULE[step])
    return app


async def _settle(session: AsyncSession, app: Application, steps: list[ApplicationStep], principal: Principal,
                  outbox: Outbox, today: date, step: str | None, decision: str | None, rule: str) -> None:
    status = derive_status(app, steps)
    if status == app.status:
        await emit(session, outbox, app, step=step, decision=decision, rule=rule)
        return
    if status == "rejected":
        app.decided_on = today
        await name_service.give_back(session, app.reservation_id, principal, outbox, today, "申请不予登记")
    elif app.status == "rejected":  # a corrected rejection: the application runs again with its name
        app.decided_on = None
        await name_service.take_for_application(session, app.reservation_id, app.application_id, principal,
                                                outbox, today)
    await set_status(session, outbox, app, status, principal, reason=f"{step or 'correction'}: {decision or ''}",
                     step=step, decision=decision, rule=rule)


async def correct_step(session: AsyncSession, application_id: int, body: StepCorrection, principal: Principal,
                       outbox: Outbox, today: date) -> Application:
    """HIST-2 [P]: an authorised correction supersedes a mistaken step (kept in the trail); status is re-derived."""
    require_role(principal, "staff", action_zh="更正审查记录", action_en="correct review steps")
    app = await get(session, application_id)
    require_jurisdiction(principal, app.division_code)
    if body.authorised_by == principal.actor:
        raise Refused([Problem("authorised_by", "HIST-2", "更正须由经办人以外的负责人批准",
                               "a correction must be authorised by someone other than the actor")])
    if app.status in ("registered", "withdrawn"):
        raise WrongState("status", "HIST-2", "已登记或已撤回的申请不能更正审查记录",
                         "a registered or withdrawn application cannot be corrected")
    steps = await repository.steps(session, application_id)
    row = next((s for s in steps if s.step_id == body.step_id and s.superseded_by is None), None)
    if row is None:
        raise WrongState("step_id", "HIST-2", "找不到可更正的审查记录", "no correctable step with this id")
    row.superseded_by = f"{principal.actor} ({body.authorised_by}): {body.reason}"[:200]
    await trail.record(session, "application", application_id, "step_corrected", principal,
                       before={"step_id": row.step_id, "step": row.step, "decision": row.decision},
                       after={"superseded": True, "authorised_by": body.authorised_by}, reason=body.reason)
    await _settle(session, app, steps, principal, outbox, today, row.step, "corrected", "HIST-2")
    return app
