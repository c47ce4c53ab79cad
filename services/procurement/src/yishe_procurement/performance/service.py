"""绩效评价 (PROC-8): weighted score and band; third-party evaluators independent of the undertaker; the final one
needs the PLAT-1 follow-ups and closes the contract; every result is emitted for the credit record (CR-4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.procurement import PerformanceEvaluated
from yishe_contracts.identifiers import validate_uscc
from yishe_kit.access import require_jurisdiction, require_role
from yishe_kit.clock import now
from yishe_kit.errors import Conflict, InvalidInput, Problem, identifier_problems
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..common.money import cents
from ..config import Settings
from ..contract import service as contract_service
from ..contract.models import Contract
from ..followup import service as followup_service
from ..ocds import service as ocds_service
from ..project import service as project_service
from .models import PerformanceEvaluation
from .schemas import EvaluationCreate, EvaluationRead, EvaluatorType, Kind


def band(score: Decimal, settings: Settings) -> str:
    """[P] result bands (优秀 / 良好 / 合格 / 不合格), configurable."""
    for floor, label in sorted(settings.performance_bands, key=lambda b: b[0], reverse=True):
        if score >= floor:
            return label
    return settings.performance_bands[-1][1]


async def evaluate(session: AsyncSession, contract: Contract, body: EvaluationCreate, principal: Principal,
                   today: date, settings: Settings, outbox: Outbox) -> EvaluationRead:
    """Record a performance evaluation; a final one needs ≥ N follow-ups (PLAT-1) and completes the contract."""
    require_role(principal, "purchaser", "staff", "internal")
    require_jurisdiction(principal, contract.division_code)
    if contract.status != "active":
        raise Conflict("contract_not_active", f"合同状态为 {contract.status}; the contract is {contract.status}")
    problems = []
    weights = sum((i.weight for i in body.indicators), Decimal(0))
    if weights != 100:
        problems.append(Problem("indicators", "PROC-8", f"指标权重合计应为100，实为{weights}",
                                f"indicator weights must add up to 100, got {weights}"))
    if body.evaluator_type == EvaluatorType.THIRD_PARTY:
        if body.evaluator_uscc:
            problems += identifier_problems(validate_uscc(body.evaluator_uscc, field="evaluator_uscc"))
        if body.evaluator_uscc == contract.uscc:
            problems.append(Problem("evaluator_uscc", "PROC-8", "第三方评价机构不得是承接主体本身",
                                    "a third-party evaluator may not be the undertaker itself"))
    if not contract.date_signed <= body.evaluated_on <= today:
        problems.append(Problem("evaluated_on", "PROC-8", "评价日期应在签订之后且不晚于今天",
                                "evaluated_on must be after signing and not in the future"))
    if body.kind == Kind.FINAL:
        done = await followup_service.done_count(session, contract.contract_id)
        if done < settings.min_follow_ups:
            problems.append(Problem("kind", "PLAT-1",
                                    f"每个项目周期至少跟踪{settings.min_follow_ups}次，已完成{done}次",
                                    f"at least {settings.min_follow_ups} follow-ups per project cycle, {done} done"))
    if problems:
        raise InvalidInput("evaluation_refused", "the performance evaluation is refused", problems)
    score = cents(sum((i.weight * i.score for i in body.indicators), Decimal(0)) / 100)
    row = PerformanceEvaluation(
        contract_id=contract.contract_id, kind=body.kind.value, evaluator_type=body.evaluator_type.value,
        evaluator_name=body.evaluator_name, evaluator_uscc=body.evaluator_uscc,
        indicators=[i.model_dump(mode="json") for i in body.indicators], score=score, result=band(score, settings),
        evaluated_on=body.evaluated_on, recorded_at=now())
    session.add(row)
    if body.kind == Kind.FINAL:
        await contract_service.complete(session, contract, body.evaluated_on)
    await session.flush()
    project = await project_service.get(session, contract.project_id)
    await outbox.emit(session, PerformanceEvaluated(
        uscc=contract.uscc, ocid=project.ocid, contract_id=contract.contract_number, score=score, result=row.result,
        evaluator=body.evaluator_name, evaluated_on=body.evaluated_on))
    await ocds_service.capture(session, project.project_id, ["implementation"], settings)
    return EvaluationRead.model_validate(row, from_attributes=True)


async def for_contract(session: AsyncSession, contract_id: str) -> list[PerformanceEvaluation]:
    return list(await session.scalars(select(PerformanceEvaluation).where(
        PerformanceEvaluation.contract_id == contract_id).order_by(PerformanceEvaluation.evaluation_id)))


async def list_reads(session: AsyncSession, contract_id: str) -> list[EvaluationRead]:
    return [EvaluationRead.model_validate(e, from_attributes=True) for e in await for_contract(session, contract_id)]
