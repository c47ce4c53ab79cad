"""The bidder read model fed by registry and credit events, and PROC-4 eligibility / PROC-9 preference from it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.credit import ColourChanged, CreditList, CreditProfileOpened, ListingAction, ListingChanged
from yishe_contracts.events.registry import (
    AnnualReportReviewed,
    AnnualReportSubmitted,
    GradeChange,
    GradeChanged,
    OrganisationChanged,
    OrganisationRegistered,
    OrganisationStatus,
    OrganisationStatusChanged,
)
from yishe_kit.access import require_role
from yishe_kit.errors import NotFound, require_social_org_uscc
from yishe_kit.principal import Principal

from ..config import Settings
from . import eligibility, repository
from .models import Bidder
from .schemas import BidderRead, Eligibility, EligibilityProblem, RecommendationSet

MAJOR_STATUSES = {  # PROC-4 item 6 "major violation": the CR-12 registration outcomes
    OrganisationStatus.SUSPENDED: "限期停止活动",
    OrganisationStatus.CERTIFICATE_REVOKED: "吊销登记证书",
    OrganisationStatus.REGISTRATION_CANCELLED: "撤销成立登记",
}


def _newer(stored: datetime | None, at: datetime) -> bool:
    return stored is None or at >= stored


def _touch(bidder: Bidder | repository.BidderRow) -> None:
    bidder.updated_at = datetime.now(UTC)


async def record_registration(session: AsyncSession, event: OrganisationRegistered, at: datetime) -> None:
    """Registration facts; the status only if no later status change has been applied."""
    _apply_registration(await repository.load_or_new(session, event.uscc), event, at)
    await session.flush()


async def record_registrations(session: AsyncSession, items: list[tuple[OrganisationRegistered, datetime]]) -> None:
    """`record_registration` for a batch (set-based: one read, the new rows in one statement, the changes in one
    more), each event applied in order: the same rows as taking them one by one."""
    rows = await repository.rows_or_new(session, [event.uscc for event, _ in items])
    for event, at in items:
        _apply_registration(rows[event.uscc], event, at)
    await repository.write_rows(session, rows.values())


def _apply_registration(bidder: Bidder | repository.BidderRow, event: OrganisationRegistered, at: datetime) -> None:
    bidder.name, bidder.org_type, bidder.division_code = event.name, event.org_type.value, event.division_code
    bidder.registration_date = event.registration_date
    if _newer(bidder.status_at, at):
        bidder.registration_status, bidder.status_at = event.status, at
    _touch(bidder)


async def record_change(session: AsyncSession, event: OrganisationChanged, at: datetime) -> None:
    """A change registration: keep the fields procurement shows (name, division, type)."""
    bidder = await repository.load_or_new(session, event.uscc)
    for field, column in (("name", "name"), ("division_code", "division_code"), ("org_type", "org_type")):
        after = event.changes.get(field, {}).get("after")
        if isinstance(after, str) and after:
            setattr(bidder, column, after)
    _touch(bidder)
    await session.flush()


async def record_status(session: AsyncSession, event: OrganisationStatusChanged, at: datetime) -> None:
    """Status changes; suspension, revocation and cancellation are major violations for PROC-4 item 6."""
    bidder = await repository.load_or_new(session, event.uscc)
    if _newer(bidder.status_at, at):
        bidder.registration_status, bidder.status_at = event.to_status.value, at
        bidder.status_reason = event.reason[:500]
    if event.to_status in MAJOR_STATUSES:
        await repository.add_violation(session, uscc=event.uscc, kind=event.to_status.value, rule=event.rule,
                                       reason=f"{MAJOR_STATUSES[event.to_status]}：{event.reason}",
                                       occurred_on=event.effective_date)
    _touch(bidder)
    await session.flush()


async def record_credit_profile(session: AsyncSession, event: CreditProfileOpened, at: datetime) -> None:
    _apply_credit_profile(await repository.load_or_new(session, event.uscc), event, at)
    await session.flush()


async def record_credit_profiles(session: AsyncSession, items: list[tuple[CreditProfileOpened, datetime]]) -> None:
    """`record_credit_profile` for a batch, set-based like `record_registrations`."""
    rows = await repository.rows_or_new(session, [event.uscc for event, _ in items])
    for event, at in items:
        _apply_credit_profile(rows[event.uscc], event, at)
    await repository.write_rows(session, rows.values())


def _apply_credit_profile(bidder: Bidder | repository.BidderRow, event: CreditProfileOpened, at: datetime) -> None:
    if _newer(bidder.colour_at, at):
        bidder.credit_colour, bidder.colour_reason, bidder.colour_at = event.colour.value, event.colour_reason[:500], at
    if _newer(bidder.lists_at, at):
        bidder.abnormal_listed, bidder.serious_listed, bidder.lists_at = (event.abnormal_listed,
                                                                          event.serious_listed, at)
    if bidder.name is None:
        bidder.name = event.name
    _touch(bidder)


async def record_listing(session: AsyncSession, event: ListingChanged, at: datetime) -> None:
    """CR-6 / CR-12 list state after the change; a serious listing is a major violation (PROC-4 item 6)."""
    bidder = await repository.load_or_new(session, event.uscc)
    if _newer(bidder.lists_at, at):
        bidder.abnormal_listed, bidder.serious_listed, bidder.lists_at = (event.abnormal_listed,
                                                                          event.serious_listed, at)
        if event.action != ListingAction.REMOVED:
            reason = f"{event.reason}（{event.trigger}，{event.listed_on}，{event.decided_by}）"[:500]
            if event.list_type == CreditList.ABNORMAL:
                bidder.abnormal_reason = reason
            else:
                bidder.serious_reason = reason
        if not bidder.abnormal_listed:
            bidder.abnormal_reason = None
        if not bidder.serious_listed:
            bidder.serious_reason = None
    if event.list_type == CreditList.SERIOUS and event.action != ListingAction.REMOVED:
        await repository.add_violation(session, uscc=event.uscc, kind="serious_list", rule=event.trigger,
                                       reason=f"列入严重违法失信名单：{event.reason}", occurred_on=event.listed_on)
    _touch(bidder)
    await session.flush()


async def record_colour(session: AsyncSession, event: ColourChanged, at: datetime) -> None:
    bidder = await repository.load_or_new(session, event.uscc)
    if _newer(bidder.colour_at, at):
        bidder.credit_colour, bidder.colour_reason, bidder.colour_at = event.to_colour.value, event.reason[:500], at
    _touch(bidder)
    await session.flush()


async def record_report_submitted(session: AsyncSession, event: AnnualReportSubmitted) -> None:
    row = await repository.report(session, event.uscc, event.year)
    row.submitted_at, row.late = event.submitted_at, event.late
    await repository.load_or_new(session, event.uscc)
    await session.flush()


async def record_report_reviewed(session: AsyncSession, event: AnnualReportReviewed) -> None:
    row = await repository.report(session, event.uscc, event.year)
    if row.reviewed_on is None or event.reviewed_on >= row.reviewed_on:
        row.result, row.reviewed_on = event.result.value, event.reviewed_on
    await repository.load_or_new(session, event.uscc)
    await session.flush()


async def record_grade(session: AsyncSession, event: GradeChanged) -> None:
    """EVAL-3/4/7/8: the grade now in force (none after revocation or expiry); feeds PROC-9 preference."""
    bidder = await repository.load_or_new(session, event.uscc)
    if bidder.grade_on is None or event.changed_on >= bidder.grade_on:
        gone = event.change in (GradeChange.REVOKED, GradeChange.EXPIRED)
        bidder.grade = None if gone else event.grade
        bidder.grade_valid_from = None if gone else event.valid_from
        bidder.grade_valid_until = None if gone else event.valid_until
        bidder.grade_on = event.changed_on
    _touch(bidder)
    await session.flush()


async def eligibility_on(session: AsyncSession, uscc: str, on: date, settings: Settings) -> Eligibility:
    """PROC-4 conditions and PROC-9 preference of an organisation on a date, from the local read model."""
    bidder = await session.get(Bidder, uscc)
    reports = await repository.reports(session, uscc) if bidder else []
    violations = await repository.violations(session, uscc) if bidder else []
    return eligibility.evaluate(uscc, bidder, reports, violations, on, settings.eligibility, settings.preference)


async def get(session: AsyncSession, uscc: str, on: date, settings: Settings) -> BidderRead:
    """Whether the organisation may bid today (PROC-4), its preference (PROC-9) and its contract count."""
    bidder = await session.get(Bidder, require_social_org_uscc(uscc))
    if bidder is None:
        raise NotFound("bidder_not_found", f"采购服务未收到该组织信息; procurement knows no organisation {uscc}")
    result = await eligibility_on(session, uscc, on, settings)
    problems = [EligibilityProblem(rule=c.rule, message_zh=c.message_zh, message=c.message, code=c.code)
                for c in result.conditions if not c.met]
    return BidderRead(
        uscc=bidder.uscc, name=bidder.name, registration_status=bidder.registration_status,
        credit_colour=bidder.credit_colour, abnormal_listed=bidder.abnormal_listed,
        serious_listed=bidder.serious_listed, may_bid=not problems, problems=problems, updated_at=bidder.updated_at,
        contracts=bidder.contracts or 0, grade=result.preference.grade, recommended=bool(bidder.recommended),
        preferred=result.preference.preferred, conditions=result.conditions,
    )


async def set_recommended(session: AsyncSession, uscc: str, body: RecommendationSet, on: date,
                          principal: Principal, settings: Settings) -> BidderRead:
    """PROC-9: staff keep the recommended catalogue (推荐目录) of organisations."""
    require_role(principal, "staff", "internal")
    bidder = await repository.load_or_new(session, require_social_org_uscc(uscc))
    bidder.recommended, bidder.recommended_basis = body.recommended, body.basis
    bidder.recommended_on = on if body.recommended else None
    _touch(bidder)
    await session.flush()
    return await get(session, uscc, on, settings)


async def count_contract(session: AsyncSession, uscc: str) -> None:
    """A signed contract counts for the organisation's profile (`contracts`)."""
    bidder = await repository.load_or_new(session, uscc)
    bidder.contracts = (bidder.contracts or 0) + 1
    await session.flush()
