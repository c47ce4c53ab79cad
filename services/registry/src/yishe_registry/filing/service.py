"""Filing rules (REG-12, REG-7): only startup and growing community organisations are filed, with their township;
a community name; a filing number instead of a USCC; upgrade to registration later."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.registry import FilingChanged, FilingStatus
from yishe_contracts.identifiers import mask_phone
from yishe_kit.access import jurisdiction_prefix, require_jurisdiction, require_role
from yishe_kit.errors import Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import RulesSettings
from ..errors import Missing, Refused, WrongState
from ..kinds import CommunityClass
from ..name import service as name_service
from ..name.schemas import NameRequest
from ..organisation.service import phone_problems
from ..trail import service as trail
from .models import Filing, FilingSequence
from .schemas import FilingChange, FilingCreate, FilingPage, FilingRead

MATURE_HINT = "成熟型社区社会组织可申请登记（REG-12）：请办理名称预留并提交设立登记申请，备案号可随申请带入"


def _within(principal: Principal, f: Filing) -> bool:
    """AUTH-2: a caller limited to a prefix (a county, or a township's 9-digit code) covers filings under it."""
    prefix = jurisdiction_prefix(principal)
    return f.township_code.startswith(prefix)


def to_read(f: Filing, principal: Principal) -> FilingRead:
    read = FilingRead.model_validate(f, from_attributes=True)
    staff = principal.is_any("staff", "internal") and _within(principal, f)
    read.leader_phone = mask_phone(f.leader_phone) if f.leader_phone and staff else None
    read.hint = MATURE_HINT if f.community_class == CommunityClass.MATURE and f.status == "filed" else None
    return read


async def _next_no(session: AsyncSession, township_code: str) -> str:
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    stmt = (dialect.insert(FilingSequence).values(township_code=township_code, next_value=1)
            .on_conflict_do_update(index_elements=[FilingSequence.township_code],
                                   set_={"next_value": FilingSequence.next_value + 1})
            .returning(FilingSequence.next_value))
    seq = int((await session.execute(stmt)).scalar_one())
    return f"BA{township_code}{seq:05d}"


async def get(session: AsyncSession, filing_no: str) -> Filing:
    row = await session.get(Filing, filing_no)
    if row is None:
        raise Missing("filing", filing_no, "备案")
    return row


async def file(session: AsyncSession, data: FilingCreate, principal: Principal, outbox: Outbox,
               rules: RulesSettings, today: date) -> Filing:
    """REG-12: a township/street user files a startup or growing community organisation (mature ones register)."""
    require_role(principal, "staff", action_zh="办理社区社会组织备案", action_en="file community organisations")
    require_jurisdiction(principal, data.township_code)
    problems: list[Problem] = []
    if data.community_class == CommunityClass.MATURE:
        problems.append(Problem("community_class", "REG-12", "成熟型社区社会组织应申请登记，不再备案",
                                "a mature community organisation registers instead of filing"))
    if not data.township_code.startswith(data.division_code):
        problems.append(Problem("township_code", "REG-12", "乡镇（街道）代码应以所属县级行政区划代码开头",
                                "the township code must start with its county division code"))
    resolved = name_service.resolve(NameRequest(
        org_type=data.org_type, division_code=data.division_code, community_class=data.community_class,
        township=data.township, village=data.village, name=data.name, sector=data.sector, form=data.form), rules)
    problems += resolved.problems + phone_problems(data.leader.phone, "leader.phone")
    if problems:
        raise Refused(problems)
    filing_no = await _next_no(session, data.township_code)
    await name_service.claim(session, resolved.key, resolved.name, "filing", filing_no, today, outbox)
    row = Filing(filing_no=filing_no, name=resolved.name, name_normalised=resolved.key, org_type=data.org_type.value,
                 community_class=data.community_class.value, division_code=data.division_code,
                 township_code=data.township_code, township=data.township, village=data.village, address=data.address,
                 business_scope=data.business_scope, leader_name=data.leader.name, leader_phone=data.leader.phone,
                 members=data.members, guiding_party_org=data.guiding_party_org, status="filed", filed_on=today,
                 filed_by=principal.actor, updated_at=datetime.now(UTC))
    session.add(row)
    await session.flush()
    await trail.record(session, "filing", filing_no, "filed", principal,
                       after={"name": row.name, "community_class": row.community_class,
                              "township_code": row.township_code}, reason="乡镇（街道）备案")
    await _emit(session, outbox, row, FilingStatus.FILED, today)
    return row


async def change(session: AsyncSession, filing_no: str, data: FilingChange, principal: Principal, outbox: Outbox,
                 today: date) -> Filing:
    """备案变更: class, scope, leader, members; a mature organisation is told it may now register."""
    require_role(principal, "staff", action_zh="办理备案变更", action_en="change filings")
    row = await get(session, filing_no)
    require_jurisdiction(principal, row.township_code)
    if row.status != "filed":
        raise WrongState("status", "REG-12", "该备案已注销或已登记", "the filing is cancelled or registered")
    problems = phone_problems(data.leader.phone, "leader.phone") if data.leader else []
    if problems:
        raise Refused(problems)
    updates = {"community_class": data.community_class.value if data.community_class else None,
               "business_scope": data.business_scope, "members": data.members, "address": data.address,
               "guiding_party_org": data.guiding_party_org,
               "leader_name": data.leader.name if data.leader else None}
    if data.leader:
        row.leader_phone = data.leader.phone
    before, after = {}, {}
    for k, v in updates.items():
        if v is not None and getattr(row, k) != v:
            before[k], after[k] = getattr(row, k), v
            setattr(row, k, v)
    row.updated_at = datetime.now(UTC)
    await trail.record(session, "filing", filing_no, "changed", principal, before=before, after=after,
                       reason=data.reason)
    await _emit(session, outbox, row, FilingStatus.CHANGED, today)
    return row


async def cancel(session: AsyncSession, filing_no: str, reason: str, principal: Principal, outbox: Outbox,
                 today: date) -> Filing:
    """注销备案: the name is free again."""
    require_role(principal, "staff", action_zh="注销备案", action_en="cancel filings")
    row = await get(session, filing_no)
    require_jurisdiction(principal, row.township_code)
    if row.status != "filed":
        raise WrongState("status", "REG-12", "该备案已注销或已登记", "the filing is cancelled or registered")
    row.status, row.updated_at = "cancelled", datetime.now(UTC)
    await name_service.release_claim(session, row.name_normalised, "filing", filing_no)
    await trail.record(session, "filing", filing_no, "cancelled", principal, before={"status": "filed"},
                       after={"status": "cancelled"}, reason=reason)
    await _emit(session, outbox, row, FilingStatus.CANCELLED, today)
    return row


async def listing(session: AsyncSession, principal: Principal, *, township: str | None, division: str | None,
                  status: str | None, cursor: str | None, limit: int) -> FilingPage:
    stmt = select(Filing)
    prefix = jurisdiction_prefix(principal)
    if prefix:  # AUTH-2: a scoped caller's list holds its own jurisdiction's filings (the township code carries it)
        stmt = stmt.where(Filing.township_code.startswith(prefix, autoescape=True))
    if township:
        stmt = stmt.where(Filing.township_code.startswith(township, autoescape=True))
    if division:
        stmt = stmt.where(Filing.division_code.startswith(division, autoescape=True))
    if status:
        stmt = stmt.where(Filing.status == status)
    if cursor:
        stmt = stmt.where(Filing.filing_no > cursor)
    rows = list((await session.scalars(stmt.order_by(Filing.filing_no).limit(limit + 1))).all())
    return FilingPage(items=[to_read(r, principal) for r in rows[:limit]],
                      next_cursor=rows[limit - 1].filing_no if len(rows) > limit else None)


async def upgrade_problems(session: AsyncSession, filing_no: str, division_code: str) -> list[Problem]:
    """REG-12: a filed organisation that has matured may register; its filing must be live and in this division."""
    row = await session.get(Filing, filing_no)
    if row is None or row.status != "filed" or row.division_code != division_code:
        return [Problem("filing_no", "REG-12", "备案号不存在、已注销或不属于该行政区划",
                        "the filing does not exist, is closed, or belongs to another division")]
    return []


async def mark_registered(session: AsyncSession, filing_no: str, uscc: str, principal: Principal, outbox: Outbox,
                          today: date) -> None:
    row = await get(session, filing_no)
    row.status, row.uscc, row.updated_at = "registered", uscc, datetime.now(UTC)
    await name_service.release_claim(session, row.name_normalised, "filing", filing_no)
    await trail.record(session, "filing", filing_no, "registered", principal, before={"status": "filed"},
                       after={"status": "registered", "uscc": uscc}, reason="成熟后依法登记")
    await _emit(session, outbox, row, FilingStatus.REGISTERED, today)


async def _emit(session: AsyncSession, outbox: Outbox, row: Filing, status: FilingStatus, today: date) -> None:
    await outbox.emit(session, FilingChanged(
        filing_no=row.filing_no, name=row.name, community_class=row.community_class, division_code=row.division_code,
        township_code=row.township_code, status=status, uscc=row.uscc, changed_on=today))
