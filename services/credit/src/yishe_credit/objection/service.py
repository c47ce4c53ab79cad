"""CR-15 [P] workflow: accept within 5 working days, verify within 20, correct within 5 of confirming an error
(all configurable). An open objection is a CODE-3 early warning; a correction ends the wrong listing (CR-15)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.access import require_jurisdiction, require_role
from yishe_kit.errors import Conflict, InvalidInput, NotFound, Problem

from ..context import Ctx
from ..listing import removal
from ..listing import repository as listing_repo
from ..listing.models import ListingEntry
from ..profile import service as profile_service
from ..profile.colour import Alert
from ..record.models import CreditRecord
from .models import Objection
from .schemas import Acceptance, Correction, ObjectionCreate, ObjectionRead, Verification

OPEN = ("submitted", "accepted", "upheld")


def overdue_stage(o: Objection, on: date) -> str | None:
    if o.status == "submitted" and on > o.accept_due:
        return "acceptance"
    if o.status == "accepted" and o.verify_due and on > o.verify_due:
        return "verification"
    if o.status == "upheld" and o.correct_due and on > o.correct_due:
        return "correction"
    return None


def read(o: Objection, on: date) -> ObjectionRead:
    out = ObjectionRead.model_validate(o, from_attributes=True)
    out.overdue_stage = overdue_stage(o, on)
    return out


async def _target(ctx: Ctx, target_type: str, target_id: int, uscc: str) -> ListingEntry | CreditRecord:
    model = ListingEntry if target_type == "listing" else CreditRecord
    target = await ctx.session.get(model, target_id)
    if target is None or target.uscc != uscc:
        raise NotFound("objection_target_not_found", f"no {target_type} {target_id} of {uscc}")
    return target


async def submit(ctx: Ctx, body: ObjectionCreate) -> Objection:
    """The organisation (or staff on its behalf) objects to a list entry or a record."""
    if not ctx.is_own_org(body.uscc):
        require_role(ctx.principal, "staff", "internal")
    profile = await profile_service.require(ctx, body.uscc)
    if ctx.is_staff():
        require_jurisdiction(ctx.principal, profile.division_code)
    await _target(ctx, body.target_type, body.target_id, body.uscc)
    duplicate = await ctx.session.scalar(select(Objection).where(
        Objection.target_type == body.target_type, Objection.target_id == body.target_id,
        Objection.status.in_(OPEN)))
    if duplicate is not None:
        raise Conflict("objection_open", f"objection {duplicate.objection_id} on this item is still open")
    on = ctx.not_after_today(body.submitted_on or ctx.today(), "submitted_on", "CR-15")
    objection = Objection(
        uscc=body.uscc, target_type=body.target_type, target_id=body.target_id, reason=body.reason,
        evidence=body.evidence, submitted_on=on, submitted_by=ctx.actor, status="submitted",
        accept_due=ctx.calendar.add_working_days(on, ctx.settings.objection.accept_working_days))
    ctx.session.add(objection)
    await profile_service.recolour(ctx, [body.uscc])
    return objection


async def _load(ctx: Ctx, objection_id: int, status: str) -> Objection:
    require_role(ctx.principal, "staff", "internal")
    o = await ctx.session.get(Objection, objection_id)
    if o is None:
        raise NotFound("objection_not_found", f"no objection {objection_id}")
    require_jurisdiction(ctx.principal, (await profile_service.require(ctx, o.uscc)).division_code)
    if o.status != status:
        raise Conflict("objection_wrong_stage", f"objection {objection_id} is {o.status}, expected {status}")
    return o


def _not_before(day: date, earlier: date, field: str) -> date:
    if day < earlier:
        raise InvalidInput("date_order", f"{field} precedes the previous step", [Problem(
            field, "CR-15", f"{field} 不能早于上一步（{earlier}）", f"{field} may not precede {earlier}")])
    return day


async def accept(ctx: Ctx, objection_id: int, body: Acceptance) -> Objection:
    """Step 1: accept (verification due in 20 working days) or reject, within 5 working days."""
    o = await _load(ctx, objection_id, "submitted")
    on = _not_before(ctx.not_after_today(body.decided_on or ctx.today(), "decided_on", "CR-15"), o.submitted_on,
                     "decided_on")
    o.accepted_on, o.acceptance_note = on, body.note
    if body.accepted:
        o.status = "accepted"
        o.verify_due = ctx.calendar.add_working_days(on, ctx.settings.objection.verify_working_days)
    else:
        o.status = "rejected"
    await profile_service.recolour(ctx, [o.uscc])
    return o


async def verify(ctx: Ctx, objection_id: int, body: Verification) -> Objection:
    """Step 2: the finding; an error confirmed must be corrected within 5 working days."""
    o = await _load(ctx, objection_id, "accepted")
    on = _not_before(ctx.not_after_today(body.verified_on or ctx.today(), "verified_on", "CR-15"),
                     o.accepted_on or o.submitted_on, "verified_on")
    o.verified_on, o.upheld, o.finding = on, body.upheld, body.finding
    o.status = "upheld" if body.upheld else "dismissed"
    if body.upheld:
        o.correct_due = ctx.calendar.add_working_days(on, ctx.settings.objection.correct_working_days)
    await profile_service.recolour(ctx, [o.uscc])
    return o


async def correct(ctx: Ctx, objection_id: int, body: Correction) -> Objection:
    """Step 3: correct: a wrong listing is ended (CR-15); a wrong record is marked, with listings it caused."""
    o = await _load(ctx, objection_id, "upheld")
    on = _not_before(ctx.not_after_today(body.corrected_on or ctx.today(), "corrected_on", "CR-15"),
                     o.verified_on or o.submitted_on, "corrected_on")
    target = await _target(ctx, o.target_type, o.target_id, o.uscc)
    from ..publication import service as publication_service

    entries: list[ListingEntry] = []
    if isinstance(target, ListingEntry):
        entries = [target]
    else:
        target.corrected, target.correction_note = True, f"{on} 经异议（第{o.objection_id}号）更正：{body.correction}"
        ref = f"penalty:{target.record_id}"
        entries = [e for e in await listing_repo.active_entries(ctx.session, o.uscc) if e.ref == ref]
    for entry in entries:
        if entry.status == "active":
            await removal.remove_by_correction(ctx, entry, on, body.correction)
        await publication_service.end_for_entry(ctx, entry.entry_id, on, "CR-15", "经异议核实更正")
    o.status, o.corrected_on, o.correction = "corrected", on, body.correction
    await profile_service.recolour(ctx, [o.uscc])
    return o


async def get(ctx: Ctx, objection_id: int) -> ObjectionRead:
    o = await ctx.session.get(Objection, objection_id)
    if o is None or not (ctx.is_staff() or ctx.is_own_org(o.uscc)):
        raise NotFound("objection_not_found", f"no objection {objection_id}")
    return read(o, ctx.today())


async def listing(ctx: Ctx, status: str | None, overdue_on: date | None) -> list[ObjectionRead]:
    require_role(ctx.principal, "staff", "internal", "supervisor")
    stmt = select(Objection)
    if status:
        stmt = stmt.where(Objection.status == status)
    day = overdue_on or ctx.today()
    found = await profile_service.in_scope(ctx, await ctx.session.scalars(stmt.order_by(Objection.objection_id)),
                                           lambda o: o.uscc)
    rows = [read(o, day) for o in found]
    return [r for r in rows if r.overdue_stage] if overdue_on else rows


async def overdue(ctx: Ctx, as_of: date) -> list[dict]:
    """Daily job: objections past a CR-15 deadline (reported, not changed)."""
    rows = await ctx.session.scalars(select(Objection).where(Objection.status.in_(OPEN)))
    return [{"uscc": o.uscc, "what": "objection_overdue", "rule": "CR-15",
             "detail": f"异议第{o.objection_id}号 {stage} 逾期", "entry_id": None}
            for o in rows if (stage := overdue_stage(o, as_of))]


async def alerts(session: AsyncSession, usccs: list[str]) -> dict[str, list[Alert]]:
    """CODE-3 yellow: an objection under verification."""
    rows = await session.scalars(select(Objection.uscc).where(Objection.uscc.in_(usccs), Objection.status.in_(OPEN)))
    return {u: [Alert("CR-15", "异议核查中")] for u in set(rows)}
