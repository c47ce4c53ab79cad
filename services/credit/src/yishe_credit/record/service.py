"""Credit records in the five CR-4 classes, recorded within 5 working days (CR-5); penalties feed the lists."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.access import require_jurisdiction, require_role
from yishe_kit.errors import InvalidInput, Problem

from ..context import Ctx
from ..dates import add_years
from ..listing import service as listing_service
from ..listing.rules import TRIGGERS
from ..profile import service as profile_service
from ..profile.colour import Alert
from .models import AnnualReport, CreditRecord
from .schemas import RecordCreate, RecordRead

CATEGORIES = {"basic": "基础信息", "annual_report": "年报信息", "inspection": "行政检查信息",
              "penalty": "行政处罚信息", "other": "其他信息"}
PENALTY_TYPES = {"warning": "警告", "fine": "罚款", "suspension": "限期停止活动", "revocation": "吊销登记证书",
                 "confiscation": "没收违法所得或非法财产", "other": "其他行政处罚"}


async def add(ctx: Ctx, uscc: str, *, category: str, kind: str, title: str, formed_on: date, source: str,
              source_ref: str | None, details: dict | None = None, public: bool = True, **penalty) -> CreditRecord:
    """CR-4: one item in one of the five classes; CR-5: due 5 working days after it was formed, late flagged."""
    if source_ref is not None:
        existing = await ctx.session.scalar(select(CreditRecord).where(CreditRecord.uscc == uscc,
                                                                       CreditRecord.source_ref == source_ref))
        if existing is not None:  # the same fact recorded once
            return existing
    now = ctx.clock.now()
    due = ctx.calendar.add_working_days(formed_on, ctx.settings.recording.working_days)
    record = CreditRecord(
        uscc=uscc, category=category, kind=kind, title=title, details=details or {}, source=source,
        source_ref=source_ref, formed_on=formed_on, recorded_at=now, recording_due=due,
        recorded_late=ctx.today() > due, public=public,
        recorded_by=ctx.actor, corrected=False, **penalty,
    )
    ctx.session.add(record)
    await ctx.session.flush()
    return record


def _penalty_problems(body: RecordCreate, threshold: Decimal) -> list[Problem]:
    p = body.penalty
    if body.category != "penalty":
        return [Problem("penalty", "CR-4", "只有行政处罚信息才填写处罚内容",
                        "penalty details belong to the penalty class")] if p is not None else []
    if p is None:
        return [Problem("penalty", "CR-4", "行政处罚信息须写明处罚种类、决定书文号、依据和作出机关",
                        "a penalty record needs type, decision number, legal basis and deciding body")]
    if p.penalty_type == "fine" and p.fine_amount is None:
        return [Problem("penalty.fine_amount", "CR-6.5", f"罚款须写明金额（{threshold}元为两类名录的分界）",
                        f"a fine needs its amount ({threshold} separates the two lists)")]
    return []


async def create_by_staff(ctx: Ctx, body: RecordCreate) -> tuple[CreditRecord, list[dict]]:
    """Staff enter a record; a penalty lists the organisation where CR-6.5 / CR-12.3–12.5 / CR-12.7 say so."""
    require_role(ctx.principal, "staff", "internal")
    problems = _penalty_problems(body, ctx.settings.listing.small_fine_threshold)
    if problems:
        raise InvalidInput("invalid_record", "the record is incomplete", problems)
    profile = await profile_service.require(ctx, body.uscc)
    require_jurisdiction(ctx.principal, profile.division_code)
    formed_on = ctx.not_after_today(body.formed_on, "formed_on", "CR-5")
    penalty = {}
    if body.penalty is not None:
        p = body.penalty
        penalty = dict(penalty_type=p.penalty_type, fine_amount=p.fine_amount, decision_number=p.decision_number,
                       legal_basis=p.legal_basis, deciding_body=p.deciding_body)
    ref = f"staff:{body.penalty.decision_number}" if body.penalty else None
    record = await add(ctx, body.uscc, category=body.category, kind=body.kind or body.category, title=body.title,
                       formed_on=formed_on, source=f"staff:{ctx.principal.actor}", source_ref=ref,
                       details=body.details, public=body.public, **penalty)
    changes = await penalty_listings(ctx, profile, record) if record.category == "penalty" else []
    if record.category in ("basic", "annual_report", "other"):
        touch_activity(profile, formed_on)
    changes += await profile_service.recolour(ctx, [profile.uscc])
    return record, changes


def touch_activity(profile, on: date) -> None:
    """Zombie detection reads the last sign of life (a report, a change, a contract, a commendation)."""
    if profile.last_activity_on is None or on > profile.last_activity_on:
        profile.last_activity_on = on


def _is_small(record: CreditRecord, threshold: Decimal) -> bool:
    return record.penalty_type == "warning" or (
        record.penalty_type == "fine" and record.fine_amount is not None and record.fine_amount < threshold)


async def penalty_listings(ctx: Ctx, profile, record: CreditRecord) -> list[dict]:
    """CR-6.5 warning / small fine → abnormal; CR-12.4 large fine, CR-12.3 suspension, CR-12.7 revocation and
    CR-12.5 a second small penalty within three years → serious. Listed on the decision date."""
    threshold = ctx.settings.listing.small_fine_threshold
    on, uscc = record.formed_on, record.uscc
    evidence = [f"行政处罚决定书 {record.decision_number}（{on}，{record.deciding_body}）：{record.title}"]
    basis = record.legal_basis
    todo: list[tuple[str, str, list[str]]] = []
    if _is_small(record, threshold):
        todo.append(("CR-6.5", f"CR-6.5:{record.record_id}", evidence))
        window = ctx.settings.listing.repeat_penalty_years
        smalls = [r for r in await penalties(ctx.session, uscc, add_years(on, -window), on) if _is_small(r, threshold)]
        if len(smalls) >= ctx.settings.listing.repeat_penalty_count:
            todo.append(("CR-12.5", f"CR-12.5:{record.record_id}",
                         [f"{window}年内第{len(smalls)}次警告或小额罚款："] +
                         [f"{r.decision_number}（{r.formed_on}，{PENALTY_TYPES[r.penalty_type]}）" for r in smalls]))
    elif record.penalty_type == "fine":
        todo.append(("CR-12.4", f"CR-12.4:{record.record_id}", evidence))
    elif record.penalty_type == "suspension":
        todo.append(("CR-12.3", f"CR-12.3:{uscc}:{on}", evidence))
    elif record.penalty_type == "revocation":
        todo.append(("CR-12.7", f"CR-12.7:{uscc}:{on}", evidence))
    changes = []
    for trigger, key, ev in todo:
        _, change = await listing_service.list_entry(
            ctx, profile, TRIGGERS[trigger], listed_on=on, evidence=ev, ref=f"penalty:{record.record_id}",
            dedupe_key=key, legal_basis=basis)
        changes.append(change.as_dict())
    return changes


async def penalties(session: AsyncSession, uscc: str, after: date, until: date) -> list[CreditRecord]:
    """Penalty records decided in (after, until], corrected ones left out."""
    return list(await session.scalars(select(CreditRecord).where(
        CreditRecord.uscc == uscc, CreditRecord.category == "penalty", CreditRecord.corrected.is_(False),
        CreditRecord.formed_on > after, CreditRecord.formed_on <= until).order_by(CreditRecord.formed_on)))


async def penalised_since(session: AsyncSession, usccs: list[str], after: date, until: date) -> set[str]:
    rows = await session.scalars(select(CreditRecord.uscc).where(
        CreditRecord.uscc.in_(usccs), CreditRecord.category == "penalty", CreditRecord.corrected.is_(False),
        CreditRecord.formed_on > after, CreditRecord.formed_on <= until))
    return set(rows)


async def alerts(session: AsyncSession, usccs: list[str], as_of: date) -> dict[str, list[Alert]]:
    """CODE-3 yellow: the latest annual inspection result was 基本合格 or 不合格 (AR-4)."""
    latest: dict[str, AnnualReport] = {}
    rows = await session.scalars(select(AnnualReport).where(AnnualReport.uscc.in_(usccs),
                                                            AnnualReport.result.is_not(None)))
    for r in rows:
        if r.uscc not in latest or r.year > latest[r.uscc].year:
            latest[r.uscc] = r
    return {u: [Alert("AR-4", f"{r.year}年度检查结论为{r.result}")] for u, r in latest.items() if r.result != "合格"}


async def annual_report(session: AsyncSession, uscc: str, year: int) -> AnnualReport:
    row = await session.get(AnnualReport, (uscc, year))
    if row is None:
        row = AnnualReport(uscc=uscc, year=year)
        session.add(row)
    return row


async def list_for(ctx: Ctx, uscc: str, category: str | None) -> list[RecordRead]:
    """CR-14: public items for everyone; staff and the organisation itself see every item and its CR-5 timing."""
    profile = await profile_service.require(ctx, uscc)
    full = ctx.is_staff() or ctx.is_own_org(uscc)
    if ctx.is_staff():
        require_jurisdiction(ctx.principal, profile.division_code)
    stmt = select(CreditRecord).where(CreditRecord.uscc == uscc)
    if category:
        stmt = stmt.where(CreditRecord.category == category)
    if not full:
        stmt = stmt.where(CreditRecord.public.is_(True), CreditRecord.corrected.is_(False))
    rows = await ctx.session.scalars(stmt.order_by(CreditRecord.formed_on, CreditRecord.record_id))
    return [RecordRead.of(r, full=full) for r in rows]


async def late(ctx: Ctx, since: date | None) -> list[RecordRead]:
    """CR-5 alerts: items recorded more than 5 working days after they were formed."""
    require_role(ctx.principal, "staff", "internal", "supervisor")
    stmt = select(CreditRecord).where(CreditRecord.recorded_late.is_(True))
    if since:
        stmt = stmt.where(CreditRecord.formed_on >= since)
    rows = await profile_service.in_scope(ctx, await ctx.session.scalars(stmt.order_by(CreditRecord.record_id)),
                                          lambda r: r.uscc)
    return [RecordRead.of(r, full=True) for r in rows]
