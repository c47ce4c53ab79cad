"""投诉举报 [P]: public intake (anonymous allowed), triage within 5 working days, handling deadline per kind,
assignment, outcome with a reward flag; a substantiated finding may create a credit record (CR-4)."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.identifiers import mask_phone
from yishe_kit.access import require_jurisdiction, require_role
from yishe_kit.errors import Conflict, InvalidInput, NotFound, Problem, require_social_org_uscc
from yishe_kit.principal import Principal

from ..context import Ctx
from ..profile import service as profile_service
from ..profile.colour import Alert
from ..record import service as record_service
from ..record.schemas import RecordCreate
from .models import Complaint
from .schemas import Assignment, ComplaintCreate, ComplaintRead, ComplaintTracking, Outcome, Triage

UNDER_VERIFICATION = ("accepted", "assigned")
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRTUWXY"


def overdue(c: Complaint, on: date) -> str | None:
    if c.status == "received" and on > c.triage_due:
        return "triage"
    if c.status in UNDER_VERIFICATION and c.handling_due and on > c.handling_due:
        return "handling"
    return None


def tracking(c: Complaint) -> ComplaintTracking:
    return ComplaintTracking(tracking_code=c.tracking_code, kind=c.kind, target_name=c.target_name,
                             received_on=c.received_on, status=c.status, handling_due=c.handling_due,
                             outcome=c.outcome, closed_on=c.closed_on)


def staff_read(c: Complaint, on: date, principal: Principal | None = None) -> ComplaintRead:
    """The complainant's identity only for the department handling the complaint: the registration authority's staff
    whose jurisdiction holds the organisation complained about (or the platform itself); hidden from others."""
    data = {k: getattr(c, k) for k in ComplaintRead.model_fields if hasattr(c, k)}
    data["complainant_phone"] = mask_phone(c.complainant_phone) if c.complainant_phone else None
    if principal is not None and principal.role not in ("staff", "internal"):
        data["complainant_name"] = data["complainant_phone"] = None
    return ComplaintRead(**data, overdue=overdue(c, on))


async def _visible(ctx: Ctx, complaints: list[Complaint]) -> list[Complaint]:
    """AUTH-2 for complaints: those against organisations in the caller's jurisdiction; a complaint naming no
    registered organisation (an illegal one) only to callers with the whole city."""
    return await profile_service.in_scope(ctx, complaints, lambda c: c.target_uscc)


async def receive(ctx: Ctx, body: ComplaintCreate) -> Complaint:
    """Anyone may complain or report; an illegal-organisation report names no registered code."""
    if body.target_uscc is not None:
        if body.kind == "illegal_org":
            raise InvalidInput("illegal_org_has_code", "an illegal organisation has no registered code", [Problem(
                "target_uscc", "USCC-1", "非法社会组织举报不应填写已登记社会组织的统一社会信用代码",
                "a report of an illegal organisation names no registered code")])
        await profile_service.require(ctx, require_social_org_uscc(body.target_uscc))
    today = ctx.today()
    complaint = Complaint(
        tracking_code="".join(secrets.choice(CODE_ALPHABET) for _ in range(12)), kind=body.kind,
        target_uscc=body.target_uscc, target_name=body.target_name, content=body.content,
        anonymous=body.complainant is None, complainant_name=body.complainant.name if body.complainant else None,
        complainant_phone=body.complainant.phone if body.complainant else None, channel=body.channel,
        received_on=today, status="received",
        triage_due=ctx.calendar.add_working_days(today, ctx.settings.complaint.triage_working_days), reward=False)
    ctx.session.add(complaint)
    await ctx.session.flush()
    return complaint


async def track(ctx: Ctx, code: str) -> ComplaintTracking:
    c = await ctx.session.scalar(select(Complaint).where(Complaint.tracking_code == code))
    if c is None:
        raise NotFound("complaint_not_found", "no complaint with this tracking code")
    return tracking(c)


async def _load(ctx: Ctx, complaint_id: int, statuses: tuple[str, ...]) -> Complaint:
    require_role(ctx.principal, "staff", "internal")
    c = await ctx.session.get(Complaint, complaint_id)
    if c is None:
        raise NotFound("complaint_not_found", f"no complaint {complaint_id}")
    if c.target_uscc:
        require_jurisdiction(ctx.principal, (await profile_service.require(ctx, c.target_uscc)).division_code)
    if c.status not in statuses:
        raise Conflict("complaint_wrong_stage", f"complaint {complaint_id} is {c.status}")
    return c


def _day(ctx: Ctx, day: date | None, after: date, field: str) -> date:
    day = ctx.not_after_today(day or ctx.today(), field, "P-COMPLAINT")
    if day < after:
        raise InvalidInput("date_order", f"{field} precedes the previous step", [Problem(
            field, "P-COMPLAINT", f"{field} 不能早于上一步（{after}）", f"{field} may not precede {after}")])
    return day


async def triage(ctx: Ctx, complaint_id: int, body: Triage) -> Complaint:
    """Accept (handling deadline set by kind) or reject."""
    c = await _load(ctx, complaint_id, ("received",))
    c.triaged_on = _day(ctx, body.triaged_on, c.received_on, "triaged_on")
    c.category, c.triage_note = body.category, body.note
    if body.accepted:
        c.status = "accepted"
        days = ctx.settings.complaint.handling_working_days.get(c.kind, 15)
        c.handling_due = ctx.calendar.add_working_days(c.received_on, days)
    else:
        c.status, c.closed_on = "rejected", c.triaged_on
    await _recolour(ctx, c)
    return c


async def assign(ctx: Ctx, complaint_id: int, body: Assignment) -> Complaint:
    c = await _load(ctx, complaint_id, UNDER_VERIFICATION)
    c.assigned_on = _day(ctx, body.assigned_on, c.triaged_on or c.received_on, "assigned_on")
    c.assignee, c.assigned_unit, c.status = body.assignee, body.unit, "assigned"
    await ctx.session.flush()
    return c


async def close(ctx: Ctx, complaint_id: int, body: Outcome) -> tuple[Complaint, list[dict]]:
    """The outcome; a substantiated finding about a registered organisation may become a credit record."""
    c = await _load(ctx, complaint_id, UNDER_VERIFICATION)
    problems = []
    if body.reward and not body.substantiated:
        problems.append(Problem("reward", "P-COMPLAINT", "举报不属实的，不予奖励",
                                "no reward for an unsubstantiated report"))
    if body.record and not (body.substantiated and c.target_uscc):
        problems.append(Problem("record", "CR-4", "只有查实且对象为已登记社会组织的，才形成信用记录",
                                "only a substantiated finding about a registered organisation becomes a record"))
    if problems:
        raise InvalidInput("invalid_outcome", "the outcome is inconsistent", problems)
    c.closed_on = _day(ctx, body.closed_on, c.assigned_on or c.triaged_on or c.received_on, "closed_on")
    c.outcome = "substantiated" if body.substantiated else "unsubstantiated"
    c.finding, c.reward, c.status = body.finding, body.reward, "closed"
    changes: list[dict] = []
    if body.record and c.target_uscc:
        record, changes = await record_service.create_by_staff(ctx, RecordCreate(
            uscc=c.target_uscc, category=body.record.category, kind="complaint_finding", title=body.record.title,
            formed_on=c.closed_on, details={"complaint_id": c.complaint_id, "finding": body.finding},
            penalty=body.record.penalty))
        c.record_id = record.record_id
    await _recolour(ctx, c)
    return c, changes


async def _recolour(ctx: Ctx, c: Complaint) -> None:
    await ctx.session.flush()
    if c.target_uscc:
        await profile_service.recolour(ctx, [c.target_uscc])


async def listing(ctx: Ctx, status: str | None, kind: str | None) -> list[ComplaintRead]:
    require_role(ctx.principal, "staff", "internal", "supervisor")
    stmt = select(Complaint)
    if status:
        stmt = stmt.where(Complaint.status == status)
    if kind:
        stmt = stmt.where(Complaint.kind == kind)
    today = ctx.today()
    found = list(await ctx.session.scalars(stmt.order_by(Complaint.complaint_id)))
    return [staff_read(c, today, ctx.principal) for c in await _visible(ctx, found)]


async def get(ctx: Ctx, complaint_id: int) -> ComplaintRead:
    require_role(ctx.principal, "staff", "internal", "supervisor")
    c = await ctx.session.get(Complaint, complaint_id)
    if c is None or not await _visible(ctx, [c]):  # outside the jurisdiction: as if it did not exist
        raise NotFound("complaint_not_found", f"no complaint {complaint_id}")
    return staff_read(c, ctx.today(), ctx.principal)


async def overdue_report(ctx: Ctx, as_of: date) -> list[dict]:
    rows = await ctx.session.scalars(select(Complaint).where(Complaint.status.in_(("received", *UNDER_VERIFICATION))))
    return [{"uscc": c.target_uscc or "", "what": "complaint_overdue", "rule": "P-COMPLAINT",
             "detail": f"投诉举报第{c.complaint_id}号 {stage} 逾期", "entry_id": None}
            for c in rows if (stage := overdue(c, as_of))]


async def alerts(session: AsyncSession, usccs: list[str]) -> dict[str, list[Alert]]:
    """CODE-3 yellow: a complaint about the organisation is under verification."""
    rows = await session.scalars(select(Complaint.target_uscc).where(
        Complaint.target_uscc.in_(usccs), Complaint.status.in_(UNDER_VERIFICATION)))
    return {u: [Alert("P-COMPLAINT", "投诉举报核查中")] for u in set(rows) if u}


async def counts(session: AsyncSession, usccs: list[str], since: date) -> dict[str, dict[str, int]]:
    """Risk factors: open complaints and those substantiated since a day."""
    out: dict[str, dict[str, int]] = {}
    rows = await session.execute(select(Complaint.target_uscc, Complaint.status, Complaint.outcome,
                                        Complaint.closed_on).where(Complaint.target_uscc.in_(usccs)))
    for uscc, status, outcome, closed_on in rows:
        d = out.setdefault(uscc, {"open": 0, "substantiated": 0})
        if status in ("received", *UNDER_VERIFICATION):
            d["open"] += 1
        if outcome == "substantiated" and closed_on and closed_on >= since:
            d["substantiated"] += 1
    return out
