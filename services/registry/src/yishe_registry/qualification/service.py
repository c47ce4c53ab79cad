"""Qualification rules (QUAL-1..QUAL-4 [P]/[M], EVAL-6) and major-matter filings (PARTY-5 reminders given here)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.common import OrgType
from yishe_contracts.events.registry import (
    MatterFiled,
    PartyReminderOccasion,
    QualificationChange,
    QualificationChanged,
    QualificationKind,
)
from yishe_kit.access import require_org_or_roles, require_organisation_in_scope, require_role
from yishe_kit.errors import Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import RulesSettings
from ..errors import Missing, Refused, WrongState
from ..organisation import service as organisation_service
from ..organisation.leaders import add_years
from ..signal import service as signal_service
from .models import MatterFiling, Qualification
from .schemas import MatterCreate, QualificationGrant

RULE = {QualificationKind.CHARITY: "QUAL-1", QualificationKind.PUBLIC_FUNDRAISING: "QUAL-2",
        QualificationKind.TAX_EXEMPTION: "QUAL-3", QualificationKind.PRETAX_DEDUCTION: "QUAL-4"}
LABEL = {QualificationKind.CHARITY: "慈善组织认定", QualificationKind.PUBLIC_FUNDRAISING: "公开募捐资格",
         QualificationKind.TAX_EXEMPTION: "免税资格", QualificationKind.PRETAX_DEDUCTION: "公益性捐赠税前扣除资格"}


def valid_until(kind: QualificationKind, valid_from: date, rules: RulesSettings) -> date | None:
    """QUAL-4: pre-tax deduction 3 years; QUAL-3: tax exemption 5 years [M]; the others do not expire."""
    years = {QualificationKind.PRETAX_DEDUCTION: rules.pretax_deduction_years,
             QualificationKind.TAX_EXEMPTION: rules.tax_exemption_years}.get(kind)
    return add_years(valid_from, years) - timedelta(days=1) if years else None


async def active(session: AsyncSession, uscc: str, kind: QualificationKind, on: date) -> Qualification | None:
    stmt = select(Qualification).where(Qualification.uscc == uscc, Qualification.kind == kind.value,
                                       Qualification.status == "active", Qualification.valid_from <= on)
    return await session.scalar(stmt.limit(1))


async def grant(session: AsyncSession, uscc: str, data: QualificationGrant, principal: Principal, outbox: Outbox,
                rules: RulesSettings, today: date) -> Qualification:
    """QUAL-2: public fundraising needs charity status and 2 years' registration [M]; QUAL-4 / EVAL-6: pre-tax
    deduction needs a grade of 3A or above for foundations and social groups."""
    require_role(principal, "staff", action_zh="登记资格认定", action_en="grant qualifications")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    organisation_service.require_status(org, "active", action_zh="认定资格", action_en="qualify")
    kind, problems = data.kind, []
    if data.granted_on > today:
        problems.append(Problem("granted_on", RULE[kind], "认定日期不能晚于今天", "granted_on is in the future"))
    if await active(session, uscc, kind, data.granted_on):
        raise WrongState("kind", RULE[kind], f"已具有有效的{LABEL[kind]}", f"already holds a valid {kind.value}")
    if kind == QualificationKind.PUBLIC_FUNDRAISING:
        if not await active(session, uscc, QualificationKind.CHARITY, data.granted_on):
            problems.append(Problem("kind", "QUAL-2", "须先认定为慈善组织", "public fundraising needs charity status"))
        if add_years(org.registration_date, rules.public_fundraising_min_registered_years) > data.granted_on:
            problems.append(Problem("granted_on", "QUAL-2",
                                    f"依法登记满{rules.public_fundraising_min_registered_years}年方可取得公开募捐资格",
                                    f"public fundraising needs {rules.public_fundraising_min_registered_years} "
                                    "years since registration"))
    graded = org.grade is not None and int(org.grade[0]) >= rules.pretax_deduction_min_grade
    needs_grade = org.org_type != OrgType.PRIVATE_NON_ENTERPRISE.value
    if kind == QualificationKind.PRETAX_DEDUCTION and needs_grade and not graded:
        least = rules.pretax_deduction_min_grade
        problems.append(Problem("kind", "EVAL-6", f"评估等级{least}A以上方可申请税前扣除资格",
                                f"pre-tax deduction needs a grade of {least}A or above"))
    if problems:
        raise Refused(problems)
    start = data.valid_from or data.granted_on
    row = Qualification(uscc=uscc, kind=kind.value, document_no=data.document_no, granted_on=data.granted_on,
                        valid_from=start, valid_until=valid_until(kind, start, rules), status="active",
                        granted_by=principal.actor)
    session.add(row)
    await organisation_service.record_history(session, uscc, "qualification_granted", principal,
                                              after={"kind": kind.value, "valid_until": row.valid_until.isoformat()
                                                     if row.valid_until else None}, reason=LABEL[kind])
    await outbox.emit(session, QualificationChanged(uscc=uscc, qualification=kind, change=QualificationChange.GRANTED,
                                                    valid_from=start, valid_until=row.valid_until, rule=RULE[kind],
                                                    changed_on=today))
    await session.flush()
    return row


async def revoke(session: AsyncSession, uscc: str, qualification_id: int, reason: str, principal: Principal,
                 outbox: Outbox, today: date) -> Qualification:
    require_role(principal, "staff", action_zh="取消资格", action_en="revoke qualifications")
    await organisation_service.get_for_staff(session, uscc, principal)
    row = await session.get(Qualification, qualification_id)
    if row is None or row.uscc != uscc:
        raise Missing("qualification", qualification_id, "资格")
    if row.status != "active":
        raise WrongState("status", RULE[QualificationKind(row.kind)], "该资格已失效", "the qualification is not active")
    row.status, row.ended_on, row.end_reason = "revoked", today, reason
    await organisation_service.record_history(session, uscc, "qualification_revoked", principal,
                                              before={"kind": row.kind, "status": "active"},
                                              after={"status": "revoked"}, reason=reason)
    await outbox.emit(session, QualificationChanged(
        uscc=uscc, qualification=QualificationKind(row.kind), change=QualificationChange.REVOKED,
        valid_from=row.valid_from, valid_until=row.valid_until, rule=RULE[QualificationKind(row.kind)],
        changed_on=today))
    return row


async def listing(session: AsyncSession, uscc: str) -> list[Qualification]:
    await organisation_service.get(session, uscc)
    stmt = select(Qualification).where(Qualification.uscc == uscc).order_by(Qualification.qualification_id)
    return list((await session.scalars(stmt)).all())


async def expire(session: AsyncSession, as_of: date, outbox: Outbox) -> list[str]:
    """Daily job: qualifications past their validity (e.g. pre-tax deduction after 3 years) expire, dated by their
    last valid day (the event takes effect the day after), however late the job runs."""
    rows = list((await session.scalars(select(Qualification).where(
        Qualification.status == "active", Qualification.valid_until.is_not(None),
        Qualification.valid_until < as_of))).all())
    system = Principal(actor="daily-job", role="internal")
    events = []
    for row in rows:
        row.status, row.ended_on, row.end_reason = "expired", row.valid_until, f"有效期至{row.valid_until}届满"
        await organisation_service.record_history(session, row.uscc, "qualification_expired", system,
                                                  before={"kind": row.kind, "status": "active"},
                                                  after={"status": "expired"}, reason=row.end_reason)
        kind = QualificationKind(row.kind)
        events.append(QualificationChanged(uscc=row.uscc, qualification=kind, change=QualificationChange.EXPIRED,
                                           valid_from=row.valid_from, valid_until=row.valid_until, rule=RULE[kind],
                                           changed_on=row.valid_until))
    await outbox.emit_many(session, events)
    return [f"{r.uscc}:{r.kind}" for r in rows]


async def file_matter(session: AsyncSession, uscc: str, data: MatterCreate, principal: Principal, outbox: Outbox,
                      today: date) -> tuple[MatterFiling, list[str]]:
    """重大事项备案 by the organisation or the bureau; PARTY-5 (Xuecheng) reminders are given at filing."""
    require_org_or_roles(principal, uscc, "staff", action_zh="办理重大事项备案", action_en="file major matters")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    organisation_service.require_status(org, "active", "suspended", action_zh="备案", action_en="file matters for")
    if data.occurred_on > today + timedelta(days=366):
        raise Refused([Problem("occurred_on", "REG-2", "事项日期不合理", "occurred_on is too far ahead")])
    row = MatterFiling(uscc=uscc, matter_type=data.matter_type.value, summary=data.summary,
                       occurred_on=data.occurred_on, filed_on=today, filed_by=principal.actor,
                       filed_at=datetime.now(UTC))
    session.add(row)
    await session.flush()
    await organisation_service.record_history(session, uscc, "matter_filed", principal,
                                              after={"filing_id": row.filing_id, "matter_type": row.matter_type},
                                              reason=data.summary[:200])
    await outbox.emit(session, MatterFiled(uscc=uscc, filing_id=row.filing_id, matter_type=row.matter_type,
                                           occurred_on=row.occurred_on, filed_on=today))
    reminders = await signal_service.deliver_reminders(session, uscc, principal, PartyReminderOccasion.MATTER,
                                                       outbox, today)
    return row, reminders


async def matters(session: AsyncSession, uscc: str, principal: Principal) -> list[MatterFiling]:
    organisation_service.require_not_public(principal)
    org = await organisation_service.get(session, uscc)
    require_organisation_in_scope(principal, org.uscc, org.division_code)
    stmt = select(MatterFiling).where(MatterFiling.uscc == uscc).order_by(MatterFiling.filing_id)
    return list((await session.scalars(stmt)).all())
