"""Contracts: PROC-7 content and term, published at signing; milestones and payments; PROC-8 no subcontracting."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.procurement import ContractAwarded
from yishe_kit.clock import now
from yishe_kit.db import flush_or_conflict
from yishe_kit.errors import Conflict, InvalidInput, NotFound, Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..bidder import service as bidder_service
from ..config import Settings
from ..disclosure import service as disclosure_service
from ..evaluation import service as evaluation_service
from ..followup import service as followup_service
from ..ocds import service as ocds_service
from ..project import service as project_service
from ..project.models import Project
from ..project.rules import term_problems
from ..project.schemas import MultiYear
from ..report import service as report_service
from .models import Contract, Milestone, Payment
from .schemas import ContractCreate, ContractRead, MilestoneMet, MilestoneRead, PaymentCreate, PaymentRead

CONTENT = {"content": ("服务内容", "content"), "quantity": ("服务数量", "quantity"), "quality": ("质量标准", "quality"),
           "settlement": ("资金结算方式", "settlement method"),
           "rights_obligations": ("双方权利义务", "rights and obligations"), "liability": ("违约责任", "liability")}


def _content_problems(body: ContractCreate, price: Decimal, award_amount: Decimal) -> list[Problem]:
    """PROC-7: content, term, quantity, quality, price, settlement, rights/obligations and liability are stated."""
    problems = [Problem(f, "PROC-7", f"合同须载明{zh}", f"the contract must state the {en}")
                for f, (zh, en) in CONTENT.items() if not (getattr(body, f) or "").strip()]
    if price > award_amount:
        problems.append(Problem("price", "PROC-7", f"合同价格不得高于中标金额 {award_amount} 元",
                                f"the price may not exceed the awarded {award_amount} yuan"))
    total = sum((m.amount for m in body.milestones), Decimal(0))
    if total != price:
        problems.append(Problem("milestones", "PROC-7", f"支付节点合计 {total} 元，应等于合同价格 {price} 元",
                                f"milestones add up to {total}, not the price {price}"))
    if body.subcontracting_allowed:
        problems.append(Problem("subcontracting_allowed", "PROC-8", "承接主体不得转包",
                                "subcontracting is not allowed"))
    if body.purchaser_guarantees_financing:
        problems.append(Problem("purchaser_guarantees_financing", "PROC-8",
                                "购买主体不得以任何形式为承接主体融资提供担保",
                                "the purchaser may not guarantee the undertaker's financing in any form"))
    return problems


async def sign(session: AsyncSession, project_id: str, body: ContractCreate, principal: Principal, today: date,
               settings: Settings, outbox: Outbox) -> ContractRead:
    """PROC-7: the written contract, published at signing; schedules follow-ups (PLAT-1) and disclosures (PROC-12)."""
    project = await project_service.get(session, project_id)
    project_service.require_purchaser(principal, project)
    if project.status != "awarded":
        raise Conflict("project_not_awarded", f"项目状态为 {project.status}，授标后方可签订合同; a contract follows an "
                                              f"award, the project is {project.status}")
    award = await evaluation_service.get_award(session, project_id)
    price = body.price or award.amount
    start, end = body.period_start or project.term_start, body.period_end or project.term_end
    multi = MultiYear(**project.multi_year) if project.multi_year else None
    problems = _content_problems(body, price, award.amount) + term_problems(start, end, multi, settings)
    if not award.award_date <= body.date_signed <= today:
        problems.append(Problem("date_signed", "PROC-7", "签订日期应在授标之后且不晚于今天",
                                "date_signed must be on or after the award date and not in the future"))
    if any(m.due_date < start for m in body.milestones):
        problems.append(Problem("milestones", "PROC-7", "支付节点不得早于服务期限开始",
                                "a milestone is due before the term starts"))
    if problems:
        raise InvalidInput("contract_refused", "the contract does not meet PROC-7 / PROC-8", problems)
    contract = Contract(
        contract_id=str(uuid.uuid4()), contract_number=f"HT-{project.code}", project_id=project_id,
        award_id=award.award_id, uscc=award.uscc, division_code=project.division_code, org_name=award.org_name,
        title=project.title, content=body.content,
        quantity=body.quantity, quality=body.quality, price=price, settlement=body.settlement,
        rights_obligations=body.rights_obligations, liability=body.liability, period_start=start, period_end=end,
        date_signed=body.date_signed, status="active", published_at=now())
    session.add(contract)
    await flush_or_conflict(session, "already_contracted", "项目已签订合同; the project already has a contract")
    session.add_all([Milestone(contract_id=contract.contract_id, seq=n, title=m.title, due_date=m.due_date,
                               amount=m.amount, status="scheduled") for n, m in enumerate(body.milestones, start=1)])
    await project_service.set_status(session, project, "contracted")
    await _consequences(session, project, contract, settings)
    await outbox.emit(session, ContractAwarded(
        uscc=contract.uscc, ocid=project.ocid, contract_id=contract.contract_number, title=contract.title,
        amount=contract.price, purchaser=project.purchaser_department, awarded_on=award.award_date))
    await ocds_service.capture(session, project_id, ["contract"], settings)
    return await read(session, contract.contract_id, today, settings)


async def _consequences(session: AsyncSession, project: Project, contract: Contract, settings: Settings) -> None:
    """What a signed contract brings: profile count, share record (PROC-9/10), follow-ups (PLAT-1), PROC-12."""
    await bidder_service.count_contract(session, contract.uscc)
    await report_service.record_platform(
        session, contract_id=contract.contract_id, department=project.purchaser_department,
        division_code=project.division_code, year=project.budget_year, amount=contract.price, uscc=contract.uscc,
        name=contract.org_name, new_spending=project.new_spending, platform_support=project.platform_support,
        signed_on=contract.date_signed)
    await followup_service.schedule(session, contract_id=contract.contract_id, division_code=project.division_code,
                                    start=contract.period_start, end=contract.period_end, n=settings.min_follow_ups)
    await disclosure_service.open_obligations(session, contract_id=contract.contract_id, uscc=contract.uscc,
                                              division_code=project.division_code, start=contract.period_start,
                                              end=contract.period_end, settings=settings)


async def _milestones(session: AsyncSession, contract_id: str) -> list[Milestone]:
    return list(await session.scalars(select(Milestone).where(Milestone.contract_id == contract_id)
                                      .order_by(Milestone.seq)))


async def _payments(session: AsyncSession, contract_id: str) -> list[Payment]:
    return list(await session.scalars(select(Payment).where(Payment.contract_id == contract_id)
                                      .order_by(Payment.paid_on, Payment.payment_id)))


async def _milestone(session: AsyncSession, contract_id: str, seq: int) -> Milestone:
    m = await session.scalar(select(Milestone).where(Milestone.contract_id == contract_id, Milestone.seq == seq))
    if m is None:
        raise NotFound("milestone_not_found", f"contract {contract_id} has no milestone {seq}")
    return m


async def meet_milestone(session: AsyncSession, contract_id: str, seq: int, body: MilestoneMet,
                         principal: Principal, today: date, settings: Settings) -> ContractRead:
    """The purchaser confirms a milestone's service was delivered (pay per quantity and quality, PROC-8)."""
    contract, project = await _contract_and_project(session, contract_id)
    project_service.require_purchaser(principal, project)
    milestone = await _milestone(session, contract_id, seq)
    if milestone.status == "met":
        raise Conflict("milestone_met", f"节点已于 {milestone.date_met} 确认; milestone already met on "
                                        f"{milestone.date_met}")
    if not contract.date_signed <= body.date_met <= today:
        raise InvalidInput("date_met_out_of_range", "date_met is outside the contract so far", [Problem(
            "date_met", "PROC-8", "确认日期应在签订之后且不晚于今天",
            "date_met must be after signing, not in the future")])
    milestone.status, milestone.date_met, milestone.note = "met", body.date_met, body.note
    await session.flush()
    await ocds_service.capture(session, project.project_id, ["implementation"], settings)
    return await read(session, contract_id, today, settings)


async def pay(session: AsyncSession, contract_id: str, body: PaymentCreate, principal: Principal, today: date,
              settings: Settings) -> ContractRead:
    """PROC-8: pay the undertaker itself, for a met milestone, never beyond the milestone or the price."""
    contract, project = await _contract_and_project(session, contract_id)
    project_service.require_purchaser(principal, project)
    milestone = await _milestone(session, contract_id, body.milestone_seq)
    payments = await _payments(session, contract_id)
    paid_here = sum((p.amount for p in payments if p.milestone_id == milestone.milestone_id), Decimal(0))
    problems = []
    if body.payee_uscc != contract.uscc:
        problems.append(Problem("payee_uscc", "PROC-8", "款项只能支付给承接主体本身（不得转包）",
                                "payment goes to the undertaker itself only (no subcontracting)"))
    if milestone.status != "met":
        problems.append(Problem("milestone_seq", "PROC-8", "节点服务尚未确认完成，不能支付",
                                "the milestone is not confirmed as delivered"))
    if paid_here + body.amount > milestone.amount:
        problems.append(Problem("amount", "PROC-7", f"超过节点金额（剩余 {milestone.amount - paid_here} 元）",
                                f"exceeds the milestone ({milestone.amount - paid_here} yuan left)"))
    if body.paid_on > today or body.paid_on < contract.date_signed:
        problems.append(Problem("paid_on", "PROC-8", "支付日期应在签订之后且不晚于今天",
                                "paid_on must be after signing and not in the future"))
    if problems:
        raise InvalidInput("payment_refused", "the payment is refused", problems)
    session.add(Payment(contract_id=contract_id, milestone_id=milestone.milestone_id, amount=body.amount,
                        paid_on=body.paid_on, payee_uscc=body.payee_uscc, voucher=body.voucher, recorded_at=now()))
    await session.flush()
    await ocds_service.capture(session, project.project_id, ["implementation"], settings)
    return await read(session, contract_id, today, settings)


async def complete(session: AsyncSession, contract: Contract, on: date) -> None:
    """The final performance evaluation closes the contract and its project."""
    contract.status, contract.completed_on = "completed", on
    await project_service.set_status(session, await project_service.get(session, contract.project_id), "completed")


async def get(session: AsyncSession, contract_id: str) -> Contract:
    contract = await session.get(Contract, contract_id)
    if contract is None:
        raise NotFound("contract_not_found", f"no contract {contract_id}")
    return contract


async def find_for_project(session: AsyncSession, project_id: str) -> Contract | None:
    return await session.scalar(select(Contract).where(Contract.project_id == project_id))


async def _contract_and_project(session: AsyncSession, contract_id: str) -> tuple[Contract, Project]:
    contract = await get(session, contract_id)
    return contract, await project_service.get(session, contract.project_id)


async def milestones_and_payments(session: AsyncSession, contract_id: str) -> tuple[list[Milestone], list[Payment]]:
    return await _milestones(session, contract_id), await _payments(session, contract_id)


async def read(session: AsyncSession, contract_id: str, on: date, settings: Settings) -> ContractRead:
    """The published contract (PROC-7) with milestones, payments, follow-ups and disclosures."""
    contract, project = await _contract_and_project(session, contract_id)
    milestones, payments = await milestones_and_payments(session, contract_id)
    by_id = {m.milestone_id: m for m in milestones}
    paid = {m.milestone_id: sum((p.amount for p in payments if p.milestone_id == m.milestone_id), Decimal(0))
            for m in milestones}
    return ContractRead(
        **{f: getattr(contract, f) for f in ("contract_id", "contract_number", "project_id", "award_id", "uscc",
                                             "org_name", "title", "content", "quantity", "quality", "price",
                                             "settlement", "rights_obligations", "liability", "period_start",
                                             "period_end", "date_signed", "status", "published_at", "completed_on")},
        ocid=project.ocid, purchaser_department=project.purchaser_department,
        paid_total=sum(paid.values(), Decimal(0)),
        milestones=[MilestoneRead(seq=m.seq, title=m.title, due_date=m.due_date, amount=m.amount, status=m.status,
                                  date_met=m.date_met, paid=paid[m.milestone_id]) for m in milestones],
        payments=[PaymentRead(payment_id=p.payment_id, milestone_seq=by_id[p.milestone_id].seq, amount=p.amount,
                              paid_on=p.paid_on, payee_uscc=p.payee_uscc, voucher=p.voucher) for p in payments],
        follow_ups=await followup_service.summary(session, contract_id, on, settings.min_follow_ups),
        disclosures=await disclosure_service.for_contract(session, contract_id, on))


async def search(session: AsyncSession, *, uscc: str | None, status: str | None) -> list[Contract]:
    query = select(Contract)
    if uscc:
        query = query.where(Contract.uscc == uscc)
    if status:
        query = query.where(Contract.status == status)
    return list(await session.scalars(query.order_by(Contract.date_signed.desc()).limit(500)))
