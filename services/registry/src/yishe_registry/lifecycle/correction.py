"""HIST-2 [P]: a recoverable mistake (a change, a status decision) is undone by an authorised correction; the
mistaken entry stays in the trail and the correction is a new entry pointing at it."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.registry import OrganisationStatus
from yishe_kit.access import require_role
from yishe_kit.errors import Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..change.service import apply, emit_changed
from ..errors import Missing, Refused, WrongState
from ..organisation import service as organisation_service
from .schemas import CorrectionRequest, StatusRead
from .service import read, transition

STATUS_ACTIONS = ("status_changed", "deregistered", "simple_deregistered")
NOT_FIELDS = ("consent_date", "late", "leaders")


async def correct(session: AsyncSession, uscc: str, data: CorrectionRequest, principal: Principal, outbox: Outbox,
                  today: date) -> StatusRead:
    """Undo one recorded change or status decision, if nothing has changed it since."""
    require_role(principal, "staff", action_zh="更正登记事项", action_en="correct records")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    if data.authorised_by == principal.actor:
        raise Refused([Problem("authorised_by", "HIST-2", "更正须由经办人以外的负责人批准",
                               "a correction must be authorised by someone other than the actor")])
    entry = await organisation_service.history_entry(session, uscc, data.history_id)
    if entry is None:
        raise Missing("history_entry", data.history_id, "历史记录")
    trail = await organisation_service.history(session, uscc, principal)
    if any(h.action == "corrected" and (h.after or {}).get("history_id") == entry.history_id for h in trail):
        raise WrongState("history_id", "HIST-2", "该记录已更正过", "this entry was already corrected")
    later = [h for h in trail if h.history_id > entry.history_id and h.action in ("changed", *STATUS_ACTIONS)]
    note = {"history_id": entry.history_id, "authorised_by": data.authorised_by}
    if entry.action == "changed":
        fields = {k: v for k, v in (entry.before or {}).items() if k not in NOT_FIELDS}
        touched = [k for h in later if h.action == "changed" for k in (h.after or {}) if k in fields]
        if touched or not fields:
            raise WrongState("history_id", "HIST-2", "该变更之后相关事项又有变更，或无可恢复的事项，请办理新的变更登记",
                             "fields changed again since, or nothing to restore: register a new change")
        after = {k: (entry.after or {}).get(k) for k in fields}
        await apply(session, org, fields, principal, today, outbox)
        await organisation_service.record_history(session, uscc, "corrected", principal, before=after,
                                                  after={**fields, **note}, reason=data.reason)
        await emit_changed(session, outbox, uscc, after, fields, today)
        return read(org, message="已恢复变更前的登记事项（领导成员不随更正恢复）" if "leaders" in (entry.after or {})
                    else None)
    if entry.action in STATUS_ACTIONS:
        if later or org.status != (entry.after or {}).get("status"):
            raise WrongState("history_id", "HIST-2", "状态在该记录之后又有变化，不能更正",
                             "the status has changed since this entry")
        back = OrganisationStatus((entry.before or {}).get("status", "active"))
        await transition(session, org, back, rule="HIST-2", reason=data.reason, principal=principal, outbox=outbox,
                         today=today, decided_by=None, action="corrected", extra=note)
        return read(org)
    raise WrongState("history_id", "HIST-2", f"“{entry.action}”类记录不能通过更正撤销",
                     f"entries of type {entry.action} cannot be corrected")
