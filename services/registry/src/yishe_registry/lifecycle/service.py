"""Status rules: allowed transitions with their rule ids, 简易注销 after a confirmed zombie and a public notice,
restoration, and corrections (HIST-2 [P])."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.common import OrgType
from yishe_contracts.events.registry import OrganisationStatus, OrganisationStatusChanged
from yishe_kit.access import require_role
from yishe_kit.errors import Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..audit import service as audit_service
from ..change.service import emit_changed
from ..config import RulesSettings
from ..errors import Refused, WrongState
from ..kinds import TERMINAL_STATUSES
from ..name import service as name_service
from ..organisation import service as organisation_service
from ..organisation.models import Organisation
from ..signal import service as signal_service
from .schemas import StatusAction, StatusRead, StatusRequest

A, S = OrganisationStatus.ACTIVE.value, OrganisationStatus.SUSPENDED.value
# 注销 also ends a registration that was revoked (吊销) or cancelled (撤销): the organisation still liquidates and
# deregisters, and that is what takes it off the serious list (CR-13).
DEREGISTRABLE = (A, S, OrganisationStatus.CERTIFICATE_REVOKED.value, OrganisationStatus.REGISTRATION_CANCELLED.value)
TRANSITIONS = {
    StatusAction.CANCEL_REGISTRATION: ((A, S), OrganisationStatus.REGISTRATION_CANCELLED),
    StatusAction.REVOKE_CERTIFICATE: ((A, S), OrganisationStatus.CERTIFICATE_REVOKED),
    StatusAction.SUSPEND: ((A,), OrganisationStatus.SUSPENDED),
    StatusAction.RESTORE: ((S,), OrganisationStatus.ACTIVE),
}
DEREGISTRATION_RULE = {OrgType.SOCIAL_GROUP.value: "REG-2", OrgType.PRIVATE_NON_ENTERPRISE.value: "REG-3",
                       OrgType.FOUNDATION.value: "REG-4"}


def read(org: Organisation, late: bool = False, message: str | None = None) -> StatusRead:
    return StatusRead(uscc=org.uscc, status=org.status, status_since=org.status_since,
                      suspended_until=org.suspended_until, notice_from=org.notice_from,
                      notice_until=org.notice_until, late=late, message=message)


async def transition(session: AsyncSession, org: Organisation, to: OrganisationStatus, *, rule: str, reason: str,
                     principal: Principal, outbox: Outbox, today: date, decided_by: str | None,
                     action: str = "status_changed", extra: dict | None = None,
                     suspended_until: date | None = None) -> None:
    """One status change: the row, the name claim (free once terminal), the trail, the event (with the end of a
    suspension)."""
    before = {"status": org.status, "status_since": org.status_since.isoformat() if org.status_since else None}
    if to in TERMINAL_STATUSES and org.status not in TERMINAL_STATUSES:
        await name_service.release_claim(session, org.name_normalised, "organisation", org.uscc)
    elif to not in TERMINAL_STATUSES and org.status in TERMINAL_STATUSES:
        await name_service.claim(session, org.name_normalised, org.name, "organisation", org.uscc, today, outbox)
    from_status = OrganisationStatus(org.status)
    org.status, org.status_since = to.value, today
    if to != OrganisationStatus.SUSPENDED:
        org.suspended_until = None
    elif suspended_until is not None:
        org.suspended_until = suspended_until
    await organisation_service.record_history(session, org.uscc, action, principal, before=before,
                                              after={"status": to.value, "rule": rule, **(extra or {})}, reason=reason)
    await outbox.emit(session, OrganisationStatusChanged(
        uscc=org.uscc, from_status=from_status, to_status=to, rule=rule, reason=reason, effective_date=today,
        decided_by=decided_by or principal.actor, suspended_until=org.suspended_until))


async def deregister(session: AsyncSession, uscc: str, liquidation_on: date, reason: str, decided_by: str | None,
                     principal: Principal, outbox: Outbox, rules: RulesSettings, today: date) -> StatusRead:
    """注销登记 after liquidation (REG-2/REG-3/REG-4) once the 清算审计 report is filed or exempted (TPA-3), also
    after 吊销/撤销 (CR-13: it ends that serious listing); filing later than 15 days after it is recorded as late."""
    require_role(principal, "staff", action_zh="办理注销登记", action_en="deregister organisations")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    organisation_service.require_status(org, *DEREGISTRABLE, action_zh="注销", action_en="deregister")
    if liquidation_on > today:
        raise Refused([Problem("liquidation_completed_on", "REG-2", "清算完毕日期不能晚于今天",
                               "liquidation cannot end in the future")])
    audit = await audit_service.require_for_deregistration(session, org)
    late = today > liquidation_on + timedelta(days=rules.deregistration_deadline_days)
    rule = DEREGISTRATION_RULE[org.org_type]
    await transition(session, org, OrganisationStatus.DEREGISTERED, rule=rule, reason=reason, principal=principal,
                     outbox=outbox, today=today, decided_by=decided_by, action="deregistered",
                     extra={"liquidation_completed_on": liquidation_on.isoformat(), "late": late,
                            "audit_engagement_id": audit.engagement_id, "audit": audit.status})
    return read(org, late, "清算完毕后超过15日申请注销（REG-2）" if late else None)


async def start_notice(session: AsyncSession, uscc: str, reason: str, principal: Principal, outbox: Outbox,
                       rules: RulesSettings, today: date) -> StatusRead:
    """简易注销 step 1: only for a zombie organisation confirmed by credit; a public notice of configured days."""
    require_role(principal, "staff", action_zh="发布简易注销公告", action_en="start simple deregistration")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    organisation_service.require_status(org, A, S, action_zh="简易注销", action_en="simply deregister")
    if await signal_service.zombie_since(session, uscc) is None:
        raise WrongState("uscc", "CR-16", "该组织未经信用部门确认为僵尸型社会组织，不适用简易注销",
                         "simple deregistration needs a zombie confirmation from credit")
    if org.notice_until and org.notice_until >= today:
        raise WrongState("notice_until", "CR-16", "简易注销公告期尚未结束", "a simple-deregistration notice is running")
    org.notice_from = today
    org.notice_until = today + timedelta(days=max(rules.simple_deregistration_notice_days - 1, 0))
    await organisation_service.record_history(session, uscc, "simple_deregistration_notice", principal,
                                              after={"notice_from": org.notice_from.isoformat(),
                                                     "notice_until": org.notice_until.isoformat()}, reason=reason)
    await emit_changed(session, outbox, uscc, {"simple_deregistration_notice": None},
                       {"simple_deregistration_notice": f"{org.notice_from}~{org.notice_until}"}, today)
    return read(org)


async def simple_deregister(session: AsyncSession, uscc: str, reason: str, decided_by: str | None,
                            principal: Principal, outbox: Outbox, today: date) -> StatusRead:
    """简易注销 step 2: after the notice has run its course (CR-16, Xuecheng: zombies are cleared)."""
    require_role(principal, "staff", action_zh="办理简易注销", action_en="simply deregister organisations")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    organisation_service.require_status(org, A, S, action_zh="简易注销", action_en="simply deregister")
    if await signal_service.zombie_since(session, uscc) is None:
        raise WrongState("uscc", "CR-16", "该组织未经信用部门确认为僵尸型社会组织",
                         "no zombie confirmation from credit")
    if org.notice_until is None or org.notice_until >= today:
        raise WrongState("notice_until", "CR-16", "须先发布简易注销公告并待公告期满",
                         "the simple-deregistration notice must have run its course")
    await transition(session, org, OrganisationStatus.SIMPLE_DEREGISTERED, rule="CR-16", reason=reason,
                     principal=principal, outbox=outbox, today=today, decided_by=decided_by,
                     action="simple_deregistered")
    return read(org)


async def change_status(session: AsyncSession, uscc: str, data: StatusRequest, principal: Principal,
                        outbox: Outbox, today: date) -> StatusRead:
    """撤销 / 吊销 / 限期停止活动 / 恢复, each from the statuses that allow it, with the rule it rests on."""
    require_role(principal, "staff", action_zh="变更登记状态", action_en="change registration status")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    allowed, to = TRANSITIONS[data.action]
    if org.status not in allowed:
        raise WrongState("status", data.rule, f"当前状态“{org.status}”不能执行{data.action.value}",
                         f"{data.action.value} is not allowed from status {org.status}")
    if data.action == StatusAction.SUSPEND and (data.until is None or data.until <= today):
            raise Refused([Problem("until", data.rule, "限期停止活动须写明截止日期（晚于今天）",
                                   "a suspension needs an end date after today")])
    await transition(session, org, to, rule=data.rule, reason=data.reason, principal=principal, outbox=outbox,
                     today=today, decided_by=data.decided_by,
                     extra={"until": data.until.isoformat()} if data.until else None,
                     suspended_until=data.until if data.action == StatusAction.SUSPEND else None)
    return read(org)


async def suspensions_ended(session: AsyncSession, as_of: date) -> list[str]:
    """Daily job: suspensions whose period is over, for the bureau to check and restore (not automatic)."""
    stmt = (select(Organisation.uscc).where(Organisation.status == S, Organisation.suspended_until < as_of)
            .order_by(Organisation.uscc).limit(1000))
    return list((await session.scalars(stmt)).all())
