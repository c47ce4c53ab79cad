"""Charter rules: versions, approval with the PARTY-11 check, the event."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.registry import CharterApproved, CharterRejected, CharterSubmitted, PartyReminderOccasion
from yishe_kit.access import require_org_or_roles, require_role
from yishe_kit.errors import Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import RulesSettings
from ..errors import Missing, Refused, WrongState
from ..organisation import service as organisation_service
from ..signal import service as signal_service
from .models import Charter


def has_party_clause(text: str, rules: RulesSettings) -> bool:
    """PARTY-11: the charter carries a Party-building clause."""
    return any(k in text for k in rules.party_clause_keywords)


async def versions(session: AsyncSession, uscc: str) -> list[Charter]:
    await organisation_service.get(session, uscc)
    stmt = select(Charter).where(Charter.uscc == uscc).order_by(Charter.version)
    return list((await session.scalars(stmt)).all())


async def _version(session: AsyncSession, uscc: str, version: int) -> Charter:
    row = await session.scalar(select(Charter).where(Charter.uscc == uscc, Charter.version == version))
    if row is None:
        raise Missing("charter", f"{uscc} v{version}", "章程版本")
    return row


async def _add(session: AsyncSession, uscc: str, text: str, principal: Principal, rules: RulesSettings) -> Charter:
    current = await session.scalar(select(func.max(Charter.version)).where(Charter.uscc == uscc)) or 0
    row = Charter(uscc=uscc, version=current + 1, text=text, party_building_clause=has_party_clause(text, rules),
                  status="submitted", submitted_by=principal.actor, submitted_at=datetime.now(UTC))
    session.add(row)
    await session.flush()
    return row


async def submit(session: AsyncSession, uscc: str, text: str, reason: str | None, principal: Principal,
                 outbox: Outbox, rules: RulesSettings, today: date) -> tuple[Charter, list[str]]:
    """A new charter version (修改章程) from the organisation or the bureau; PARTY-5 reminders are given here."""
    require_org_or_roles(principal, uscc, "staff", action_zh="报送章程", action_en="submit charters")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    organisation_service.require_status(org, "active", action_zh="报送章程", action_en="submit a charter for")
    row = await _add(session, uscc, text, principal, rules)
    await organisation_service.record_history(session, uscc, "charter_submitted", principal,
                                              after={"version": row.version, "party_building_clause":
                                                     row.party_building_clause}, reason=reason or "报送章程")
    await outbox.emit(session, CharterSubmitted(uscc=uscc, version=row.version,
                                                party_building_clause=row.party_building_clause, submitted_on=today))
    reminders = await signal_service.deliver_reminders(session, uscc, principal, PartyReminderOccasion.CHARTER,
                                                       outbox, today)
    return row, reminders


async def approve(session: AsyncSession, uscc: str, version: int, opinion: str | None, principal: Principal,
                  outbox: Outbox, rules: RulesSettings, today: date) -> Charter:
    """章程核准: only a version with the Party-building clause is approved (PARTY-11); the last one is superseded."""
    require_role(principal, "staff", action_zh="核准章程", action_en="approve charters")
    await organisation_service.get_for_staff(session, uscc, principal)
    row = await _version(session, uscc, version)
    if row.status != "submitted":
        raise WrongState("version", "PARTY-11", "该章程版本已处理", "this charter version was already decided")
    if not row.party_building_clause:
        raise Refused([Problem("text", "PARTY-11", "章程未载明党的建设有关内容，不予核准",
                               "the charter lacks the Party-building clause and cannot be approved")])
    await _approve(session, row, opinion, principal, outbox, today)
    return row


async def reject(session: AsyncSession, uscc: str, version: int, opinion: str | None, principal: Principal,
                 outbox: Outbox, today: date) -> Charter:
    require_role(principal, "staff", action_zh="核准章程", action_en="decide charters")
    await organisation_service.get_for_staff(session, uscc, principal)
    row = await _version(session, uscc, version)
    if row.status != "submitted":
        raise WrongState("version", "PARTY-11", "该章程版本已处理", "this charter version was already decided")
    row.status, row.decided_by, row.decided_on, row.opinion = "rejected", principal.actor, today, opinion
    await organisation_service.record_history(session, uscc, "charter_rejected", principal,
                                              after={"version": version}, reason=opinion)
    await outbox.emit(session, CharterRejected(uscc=uscc, version=version,
                                               party_building_clause=row.party_building_clause, rejected_on=today))
    return row


async def approve_initial(session: AsyncSession, uscc: str, text: str, principal: Principal, outbox: Outbox,
                          rules: RulesSettings, today: date) -> Charter:
    """At registration the application's charter (checked for PARTY-11 at submission) becomes version 1."""
    row = await _add(session, uscc, text, principal, rules)
    await _approve(session, row, "随设立登记核准", principal, outbox, today)
    return row


async def _approve(session: AsyncSession, row: Charter, opinion: str | None, principal: Principal, outbox: Outbox,
                   today: date) -> None:
    previous = await session.scalars(select(Charter).where(Charter.uscc == row.uscc, Charter.status == "approved"))
    for old in previous:
        old.status = "superseded"
    row.status, row.decided_by, row.decided_on, row.opinion = "approved", principal.actor, today, opinion
    await organisation_service.record_history(session, row.uscc, "charter_approved", principal,
                                              after={"version": row.version, "party_building_clause": True},
                                              reason=opinion or "章程核准")
    await outbox.emit(session, CharterApproved(uscc=row.uscc, version=row.version,
                                               party_building_clause=row.party_building_clause, approved_on=today))
