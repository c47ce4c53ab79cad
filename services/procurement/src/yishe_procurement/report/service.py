"""PROC-9 / PROC-10 shares of new public-service purchase spending, by department, division or year."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.identifiers import validate_division_code, validate_social_org_uscc, validate_uscc
from yishe_kit.access import listing_prefix, require_jurisdiction, require_role
from yishe_kit.clock import now
from yishe_kit.errors import InvalidInput, identifier_problems
from yishe_kit.principal import Principal

from ..common.money import share
from ..config import Settings
from .models import PurchaseRecord
from .schemas import GroupBy, PurchaseRecordCreate, PurchaseRecordRead, ShareRow, SharesReport, SupplierKind


async def record_platform(session: AsyncSession, *, contract_id: str, department: str, division_code: str,
                          year: int, amount: Decimal, uscc: str, name: str, new_spending: bool,
                          platform_support: bool, signed_on: date) -> None:
    """A contract signed here counts as bought from a social organisation."""
    session.add(PurchaseRecord(record_id=str(uuid.uuid4()), source="platform", contract_id=contract_id,
                               department=department, division_code=division_code, year=year, amount=amount,
                               supplier_kind=SupplierKind.SOCIAL_ORGANISATION.value, supplier_id=uscc,
                               supplier_name=name, new_spending=new_spending, platform_support=platform_support,
                               signed_on=signed_on, created_at=now()))
    await session.flush()


async def record_external(session: AsyncSession, body: PurchaseRecordCreate,
                          principal: Principal) -> PurchaseRecordRead:
    """Purchases made outside this platform (enterprises, institutions, …) complete the PROC-9/10 denominators."""
    require_role(principal, "purchaser", "staff", "internal")
    problems = identifier_problems(validate_division_code(body.division_code))
    if body.supplier_id:
        check = validate_social_org_uscc if body.supplier_kind == SupplierKind.SOCIAL_ORGANISATION else validate_uscc
        problems += identifier_problems(check(body.supplier_id, field="supplier_id"))
    if problems:
        raise InvalidInput("invalid_identifier", "a code is malformed", problems)
    require_jurisdiction(principal, body.division_code)
    row = PurchaseRecord(record_id=str(uuid.uuid4()), source="external", contract_id=None, created_at=now(),
                         **body.model_dump() | {"supplier_kind": body.supplier_kind.value})
    session.add(row)
    await session.flush()
    return PurchaseRecordRead.model_validate(row, from_attributes=True)


def _row(key: str, records: list[PurchaseRecord], settings: Settings) -> ShareRow:
    total = sum((r.amount for r in records), Decimal(0))
    social = [r for r in records if r.supplier_kind == SupplierKind.SOCIAL_ORGANISATION.value]
    social_sum = sum((r.amount for r in social), Decimal(0))
    platform_sum = sum((r.amount for r in social if r.platform_support), Decimal(0))
    s1, s2 = share(social_sum, total), share(platform_sum, total)
    return ShareRow(key=key, total=total, social_org=social_sum, social_org_share=s1,
                    social_org_target_met=None if s1 is None else s1 >= settings.social_org_share_target,
                    platform=platform_sum, platform_share=s2,
                    platform_target_met=None if s2 is None else s2 >= settings.platform_share_target,
                    contracts=len(records))


async def shares(session: AsyncSession, principal: Principal, *, year: int | None, division_code: str | None,
                 group_by: GroupBy, settings: Settings) -> SharesReport:
    """PROC-9 (≥ 30 %) and PROC-10 (≥ 10 %) over new public-service purchase spending only."""
    require_role(principal, "staff", "purchaser", "supervisor", "internal")
    prefix = listing_prefix(principal, division_code, field="division_code")
    query = select(PurchaseRecord).where(PurchaseRecord.new_spending.is_(True))
    if year:
        query = query.where(PurchaseRecord.year == year)
    if prefix:
        query = query.where(PurchaseRecord.division_code.startswith(prefix))
    records = list(await session.scalars(query))
    groups: dict[str, list[PurchaseRecord]] = defaultdict(list)
    for r in records:
        key = {GroupBy.DEPARTMENT: r.department, GroupBy.DIVISION: r.division_code, GroupBy.YEAR: str(r.year)}
        groups[key[group_by]].append(r)
    return SharesReport(year=year, division_code=prefix or None, group_by=group_by,
                        social_org_target=settings.social_org_share_target,
                        platform_target=settings.platform_share_target,
                        rows=[_row(k, groups[k], settings) for k in sorted(groups)],
                        overall=_row("overall", records, settings))
