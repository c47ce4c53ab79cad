"""Application rules: submission with every condition by rule id, reading, listing overdue, withdrawal, events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.registry import ApplicationChanged, ApplicationStatus
from yishe_kit.access import listing_prefix, require_jurisdiction, require_role
from yishe_kit.errors import Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import RulesSettings
from ..errors import Missing, Refused, WrongState
from ..filing import service as filing_service
from ..name import service as name_service
from ..organisation.conditions import legal_rep_problems
from ..trail import service as trail
from . import conditions, repository
from .models import Application, ApplicationStep
from .schemas import ApplicationCreate, ApplicationPage, ApplicationRead, StepName, StepRead

OPEN = repository.OPEN


def required_steps(app: Application) -> list[str]:
    """REG-9: supervisory review unless directly registered (REG-8); political review, interview, leaders' notice
    (REG-11), the authority's review, then publicity."""
    steps = [] if (app.category or app.community_class) else [StepName.SUPERVISORY_REVIEW.value]
    return [*steps, StepName.POLITICAL_REVIEW.value, StepName.INTERVIEW.value, StepName.LEADER_NOTICE.value,
            StepName.REGISTRATION_REVIEW.value, StepName.PUBLICITY.value]


def effective(steps: list[ApplicationStep]) -> dict[str, ApplicationStep]:
    """The decision in force per step: the latest one not superseded by a correction."""
    return {s.step: s for s in steps if s.superseded_by is None}


def derive_status(app: Application, steps: list[ApplicationStep]) -> str:
    if app.status in ("registered", "withdrawn"):
        return app.status
    done = effective(steps)
    if any(s.decision == "rejected" for s in done.values()):
        return "rejected"
    if _approved(done, StepName.PUBLICITY):
        return "approved"
    if _approved(done, StepName.REGISTRATION_REVIEW):
        return "publicity"
    return "under_review"


def _approved(done: dict[str, ApplicationStep], step: StepName) -> bool:
    return step.value in done and done[step.value].decision == "approved"


def to_read(app: Application, steps: list[ApplicationStep], today: date) -> ApplicationRead:
    done = effective(steps)
    required = required_steps(app)
    return ApplicationRead(
        application_id=app.application_id, status=app.status, name=app.name, org_type=app.org_type,
        division_code=app.division_code, community_class=app.community_class, category=app.category,
        sector=app.sector, supervisory_unit=app.supervisory_unit, reservation_id=app.reservation_id,
        received_on=app.received_on, decision_due=app.decision_due,
        overdue=app.status in OPEN and today > app.decision_due, days_left=(app.decision_due - today).days,
        required_steps=required,
        pending_steps=[s for s in required if not (s in done and done[s].decision == "approved")],
        steps=[StepRead.model_validate(s) for s in steps], uscc=app.uscc, filing_no=app.filing_no,
        created_at=app.created_at)


async def get(session: AsyncSession, application_id: int) -> Application:
    app = await repository.get(session, application_id)
    if app is None:
        raise Missing("application", application_id, "登记申请")
    return app


async def read(session: AsyncSession, application_id: int, principal: Principal, today: date) -> ApplicationRead:
    """Applications are for the bureau, the supervisory unit and the Party-building body (within their
    jurisdiction, AUTH-2), not the public."""
    require_role(principal, "staff", "supervisor", "party", "internal", action_zh="查看登记申请",
                 action_en="read applications")
    app = await get(session, application_id)
    require_jurisdiction(principal, app.division_code)
    return to_read(app, await repository.steps(session, application_id), today)


async def listing(session: AsyncSession, principal: Principal, today: date, *, status: str | None,
                  division: str | None, overdue: bool, cursor: int | None, limit: int) -> ApplicationPage:
    """REG-2: overdue applications (60-day clock run out) are visible with `overdue=true`."""
    require_role(principal, "staff", "supervisor", "party", "internal", action_zh="查看登记申请",
                 action_en="read applications")
    division = listing_prefix(principal, division)
    apps = await repository.page(session, status=status, division=division, overdue_as_of=today if overdue else None,
                                 cursor=cursor, limit=limit + 1)
    steps = await repository.steps_for(session, [a.application_id for a in apps[:limit]])
    return ApplicationPage(items=[to_read(a, steps[a.application_id], today) for a in apps[:limit]],
                           next_cursor=apps[limit - 1].application_id if len(apps) > limit else None)


async def check(session: AsyncSession, data: ApplicationCreate, rules: RulesSettings, today: date) -> list[Problem]:
    """All conditions of registration by rule id, including those that need the database."""
    problems = conditions.check(data, rules, today)
    res = await name_service.get(session, data.name_reservation_id)
    given = {"org_type": data.org_type.value, "division_code": data.division_code,
             "community_class": data.community_class.value if data.community_class else None}
    kept = {"org_type": res.org_type, "division_code": res.division_code, "community_class": res.community_class}
    for f in given:
        if given[f] != kept[f]:
            problems.append(Problem(f, "REG-6", f"申请的{f}与名称预留不一致（预留为{kept[f]}）",
                                    f"{f} {given[f]} differs from the name reservation ({kept[f]})"))
    if res.status != "reserved" or res.expires_on < today:
        problems.append(Problem("name_reservation_id", "REG-6", "名称预留已失效、已使用或已释放",
                                "the name reservation has expired, been used or released"))
    problems += await legal_rep_problems(session, data.legal_representative, data.org_type.value)
    if data.filing_no:
        problems += await filing_service.upgrade_problems(session, data.filing_no, data.division_code)
    return problems


async def submit(session: AsyncSession, data: ApplicationCreate, principal: Principal, outbox: Outbox,
                 rules: RulesSettings, today: date) -> Application:
    """受理: a complete application that meets every condition starts joint review and the 60-day clock (REG-2)."""
    require_role(principal, "staff", action_zh="受理登记申请", action_en="accept applications")
    require_jurisdiction(principal, data.division_code)
    problems = await check(session, data, rules, today)
    if problems:
        raise Refused(problems, code="conditions_not_met")
    res = await name_service.get(session, data.name_reservation_id)
    received = data.received_on or today
    app = Application(
        status="under_review", reservation_id=res.reservation_id, name=res.name, org_type=data.org_type.value,
        division_code=data.division_code, community_class=data.community_class, category=data.category,
        sector=data.sector or res.sector, supervisory_unit=data.supervisory_unit, address=data.address,
        business_scope=data.business_scope, purpose=data.purpose, legal_rep=data.legal_representative.model_dump(),
        individual_members=data.individual_members, unit_members=data.unit_members,
        activity_funds=data.activity_funds, public_fundraising=data.public_fundraising,
        community_development_foundation=data.community_development_foundation, directors=data.directors,
        commitment_route=data.commitment_route, leaders=[ld.model_dump(mode="json") for ld in data.leaders],
        founders=data.founders,
        party_members=data.party_members.model_dump(mode="json") if data.party_members else None,
        charter_text=data.charter_text, filing_no=data.filing_no, received_on=received,
        decision_due=received + timedelta(days=rules.statutory_decision_days),
        created_by=principal.actor, created_at=datetime.now(UTC))
    session.add(app)
    await session.flush()
    await name_service.take_for_application(session, res.reservation_id, app.application_id, principal, outbox, today)
    await trail.record(session, "application", app.application_id, "submitted", principal,
                       after={"status": app.status, "name": app.name, "decision_due": app.decision_due.isoformat()},
                       reason="受理设立登记申请")
    await emit(session, outbox, app, step=None, decision=None, rule="REG-2")
    return app


async def withdraw(session: AsyncSession, application_id: int, principal: Principal, outbox: Outbox, today: date,
                   reason: str) -> Application:
    """The applicant withdraws; the name goes back to `reserved` until it expires."""
    require_role(principal, "staff", action_zh="撤回登记申请", action_en="withdraw applications")
    app = await get(session, application_id)
    require_jurisdiction(principal, app.division_code)
    if app.status not in OPEN and app.status != "rejected":
        raise WrongState("status", "REG-2", "该申请已办结，不能撤回", "the application is closed")
    await name_service.give_back(session, app.reservation_id, principal, outbox, today, "申请撤回")
    await set_status(session, outbox, app, "withdrawn", principal, reason=reason, step=None, decision=None,
                     rule="REG-2")
    return app


async def set_status(session: AsyncSession, outbox: Outbox, app: Application, status: str, principal: Principal, *,
                     reason: str, step: str | None, decision: str | None, rule: str) -> None:
    before = app.status
    app.status = status
    await trail.record(session, "application", app.application_id, f"status:{status}", principal,
                       before={"status": before}, after={"status": status}, reason=reason)
    await emit(session, outbox, app, step=step, decision=decision, rule=rule)


async def emit(session: AsyncSession, outbox: Outbox, app: Application, *, step: str | None, decision: str | None,
               rule: str, overdue: bool = False) -> None:
    await outbox.emit(session, ApplicationChanged(
        application_id=app.application_id, name=app.name, org_type=app.org_type, division_code=app.division_code,
        status=ApplicationStatus(app.status), step=step, decision=decision, rule=rule,
        decision_due=app.decision_due, overdue=overdue, uscc=app.uscc, changed_at=datetime.now(UTC)))


async def mark_overdue(session: AsyncSession, as_of: date, outbox: Outbox) -> list[int]:
    """Daily job, REG-2: applications still open after their 60-day decision date are marked once."""
    system = Principal(actor="daily-job", role="internal")
    marked = []
    for app in await repository.newly_overdue(session, as_of):
        app.overdue_marked_on = as_of
        await trail.record(session, "application", app.application_id, "overdue", system,
                           after={"decision_due": app.decision_due.isoformat(), "as_of": as_of.isoformat()},
                           reason="超过法定审查期限")
        await emit(session, outbox, app, step=None, decision=None, rule="REG-2", overdue=True)
        marked.append(app.application_id)
    return marked
