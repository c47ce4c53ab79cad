"""Disclosure rules: what is published (DISC-1), who must publish for which year (DISC-2: money received from
purchase contracts, 公益创投 and other grants, recorded donations), the deadline and the missing-disclosure finding
(DISC-3, the daily job), amounts never negative (DISC-4), figures taken from the annual report (DISC-5)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.registry import DisclosureMissing, DisclosurePublished
from yishe_kit.access import listing_prefix, require_org_or_roles, require_role
from yishe_kit.errors import Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import RulesSettings
from ..errors import Refused
from ..organisation import service as organisation_service
from ..organisation.models import OrganisationHistory
from ..organisation.schemas import OrganisationRead
from . import repository
from .exceptions import NoFiguresInReport
from .models import DisclosureDuty, FinancialDisclosure, FundingReceipt
from .schemas import SOURCES, BySource, DisclosureCreate, DisclosureRead, ReceiptCreate

RECORDED_KINDS = {"venture": "公益创投资助", "grant": "政府资助", "donation": "社会捐赠"}
KINDS = {"purchase": "政府购买服务", **RECORDED_KINDS}
SYSTEM = Principal(actor="daily-job", role="internal")


def deadline(year: int, rules: RulesSettings) -> date:
    """DISC-3 [P]: the disclosure on a year is due by a day of the next year (default 30 June)."""
    month, day = (int(x) for x in rules.disclosure_deadline.split("-"))
    return date(year + 1, month, day)


def amount_problems(values: BySource, field: str) -> list[Problem]:
    """DISC-4: no negative amounts."""
    return [Problem(f"{field}.{s}", "DISC-4", "金额不能为负数", "an amount cannot be negative")
            for s in SOURCES if getattr(values, s) < 0]


async def record_receipt(session: AsyncSession, *, uscc: str, division_code: str, kind: str, amount: Decimal,
                         received_on: date, source_ref: str, description: str | None, actor: str,
                         rules: RulesSettings) -> FundingReceipt | None:
    """DISC-2: money received makes the year's disclosure due (once per source reference)."""
    if await repository.receipt(session, uscc, source_ref) is not None:
        return None
    row = FundingReceipt(uscc=uscc, kind=kind, year=received_on.year, amount=amount, received_on=received_on,
                         source_ref=source_ref, description=description, recorded_by=actor,
                         recorded_at=datetime.now(UTC))
    session.add(row)
    duty = await repository.duty(session, uscc, row.year)
    if duty is None:
        published = await repository.disclosure(session, uscc, row.year)
        duty = DisclosureDuty(uscc=uscc, division_code=division_code, year=row.year, reasons=[kind],
                              deadline=deadline(row.year, rules),
                              disclosed_on=published.published_on if published else None)
        session.add(duty)
    elif kind not in duty.reasons:
        duty.reasons = [*duty.reasons, kind]
    await session.flush()
    return row


async def add_receipt(session: AsyncSession, uscc: str, data: ReceiptCreate, principal: Principal,
                      rules: RulesSettings, today: date) -> FundingReceipt | None:
    """Staff record a grant (公益创投 or other) or a donation; it makes the year's disclosure due (DISC-2)."""
    require_role(principal, "staff", "internal", action_zh="登记资金收入", action_en="record funding")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    problems = []
    if data.kind not in RECORDED_KINDS:
        problems.append(Problem("kind", "DISC-2", "资金类型应为：" + "、".join(f"{k}（{v}）" for k, v in
                                                                           RECORDED_KINDS.items()),
                                f"kind is one of {', '.join(RECORDED_KINDS)}"))
    if data.amount < 0:
        problems.append(Problem("amount", "DISC-4", "金额不能为负数", "an amount cannot be negative"))
    if data.received_on > today:
        problems.append(Problem("received_on", "DISC-2", "收到日期不能晚于今天", "received_on cannot be in the future"))
    if problems:
        raise Refused(problems)
    return await record_receipt(session, uscc=uscc, division_code=org.division_code, kind=data.kind,
                                amount=data.amount, received_on=data.received_on,
                                source_ref=f"{data.kind}:{data.reference}", description=data.description,
                                actor=principal.actor, rules=rules)


async def publish(session: AsyncSession, uscc: str, year: int, data: DisclosureCreate, principal: Principal,
                  outbox: Outbox, today: date, source: str = "organisation") -> FinancialDisclosure:
    """DISC-1: the organisation (its own account) or staff publish a year's income and spending by source and the
    audit report; a correction replaces it (revision + 1); the year's duty is met."""
    require_org_or_roles(principal, uscc, "staff", action_zh="公开财务信息", action_en="publish disclosures")
    await organisation_service.get_for_staff(session, uscc, principal)
    problems = amount_problems(data.income, "income") + amount_problems(data.spending, "spending")
    if year > today.year:
        problems.append(Problem("year", "DISC-1", "不能公开未来年度的财务信息", "a future year cannot be disclosed"))
    if problems:
        raise Refused(problems)
    row = await repository.disclosure(session, uscc, year)
    if row is None:
        row = FinancialDisclosure(uscc=uscc, year=year, revision=0)
        session.add(row)
    row.income = {s: f"{getattr(data.income, s):.2f}" for s in SOURCES}
    row.spending = {s: f"{getattr(data.spending, s):.2f}" for s in SOURCES}
    row.total_income, row.total_spending = data.income.total(), data.spending.total()
    row.audit_report_ref, row.source, row.published_on = data.audit_report_ref, source, today
    row.published_by, row.revision = principal.actor, (row.revision or 0) + 1
    duty = await repository.duty(session, uscc, year)
    if duty is not None and duty.disclosed_on is None:
        duty.disclosed_on = today
    await session.flush()
    await organisation_service.record_history(session, uscc, "disclosure_published", principal,
                                              after={"year": year, "revision": row.revision, "source": source},
                                              reason=f"{year}年度财务信息公开")
    await outbox.emit(session, DisclosurePublished(uscc=uscc, year=year, total_income=row.total_income,
                                                   total_spending=row.total_spending, source=source,
                                                   audit_report_ref=row.audit_report_ref, published_on=today))
    return row


async def publish_from_annual_report(session: AsyncSession, uscc: str, year: int, principal: Principal,
                                     outbox: Outbox, today: date) -> FinancialDisclosure:
    """DISC-5: the figures by source the organisation gave in its submitted annual report are published."""
    from ..annual_report import service as annual_report_service  # annual reports feed this domain, not back

    report = await annual_report_service.submitted_figures(session, uscc, year)
    if report is None:
        raise NoFiguresInReport(year)
    income, spending = report
    return await publish(session, uscc, year, DisclosureCreate(income=income, spending=spending), principal, outbox,
                         today, source="annual_report")


def to_read(row: FinancialDisclosure) -> DisclosureRead:
    return DisclosureRead(year=row.year, income=row.income, spending=row.spending, total_income=row.total_income,
                          total_spending=row.total_spending, audit_report_ref=row.audit_report_ref,
                          source=row.source, published_on=row.published_on, revision=row.revision)


async def public(session: AsyncSession, uscc: str) -> list[DisclosureRead]:
    """What the 一社一码 public view shows (CODE-4): money by source, never personal data."""
    return [to_read(r) for r in await repository.disclosures(session, uscc)]


async def attach(session: AsyncSession, read: OrganisationRead) -> OrganisationRead:
    """DISC-1: the published disclosures belong to the organisation's profile (route and read model alike)."""
    read.disclosures = [d.model_dump(mode="json") for d in await public(session, read.uscc)]
    return read


async def public_listing(session: AsyncSession, uscc: str) -> list[DisclosureRead]:
    await organisation_service.get(session, uscc)
    return await public(session, uscc)


async def duties(session: AsyncSession, uscc: str, principal: Principal) -> list[DisclosureDuty]:
    require_org_or_roles(principal, uscc, "staff", "internal", action_zh="查看公开义务", action_en="see duties")
    await organisation_service.get_for_staff(session, uscc, principal)
    return await repository.duties(session, uscc)


async def receipts(session: AsyncSession, uscc: str, principal: Principal) -> list[FundingReceipt]:
    require_org_or_roles(principal, uscc, "staff", "internal", action_zh="查看资金收入", action_en="see funding")
    await organisation_service.get_for_staff(session, uscc, principal)
    return await repository.receipts(session, uscc)


async def mark_missing(session: AsyncSession, as_of: date, outbox: Outbox) -> list[str]:
    """DISC-3 (daily job): a disclosure due and not published by its deadline is a finding (once), with an event."""
    marked: list[str] = []
    now = datetime.now(UTC)
    while rows := await repository.overdue(session, as_of, 1000):
        for duty in rows:
            duty.missing_on = as_of
            session.add(OrganisationHistory(
                uscc=duty.uscc, action="disclosure_missing", actor=SYSTEM.actor, actor_role=SYSTEM.role, at=now,
                before=None, after={"year": duty.year, "deadline": duty.deadline.isoformat()},
                reason="接受捐赠、政府资助或购买服务资金，未按期公开财务信息（DISC-3）"))
            marked.append(f"{duty.uscc}/{duty.year}")
        await session.flush()
        await outbox.emit_many(session, [DisclosureMissing(
            uscc=d.uscc, division_code=d.division_code, year=d.year, reasons=list(d.reasons), deadline=d.deadline,
            as_of=as_of) for d in rows])
    return marked


async def missing(session: AsyncSession, principal: Principal, division: str | None) -> list[DisclosureDuty]:
    """DISC-3: the missing disclosures staff act on, within their jurisdiction."""
    require_role(principal, "staff", "internal", action_zh="查看未公开名单", action_en="see missing disclosures")
    return await repository.missing(session, listing_prefix(principal, division), 5000)
