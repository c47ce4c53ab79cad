from __future__ import annotations

from fastapi import APIRouter, Query, Response

from yishe_kit.principal import PrincipalDep

from ..deps import OutboxDep, RulesDep, SessionDep, TodayDep
from . import service
from .schemas import EngagementCreate, EngagementRead, ExemptionCreate, FeeReport, ReportFile

router = APIRouter(tags=["audit"])
_errors: dict = {400: {"description": "TPA-1 occasion, TPA-4 fee or dates, TPA-5 severity"},
           403: {"description": "role or jurisdiction (AUTH-1/2)"}, 404: {"description": "organisation or engagement"},
           409: {"description": "TPA-7 already reported or exempted"}}


@router.post("/organisations/{uscc}/audits", status_code=201, response_model=EngagementRead, responses=_errors)
async def commission_audit(uscc: str, data: EngagementCreate, session: SessionDep, principal: PrincipalDep,
                           today: TodayDep) -> EngagementRead:
    """Commission a third-party audit paid by the authority (双随机, evaluation, 离任审计, 清算审计)."""
    return service.to_read(await service.commission(session, uscc, data, principal, today), [])


@router.post("/organisations/{uscc}/audits/exemptions", status_code=201, response_model=EngagementRead,
             responses=_errors)
async def record_audit_exemption(uscc: str, data: ExemptionCreate, session: SessionDep, principal: PrincipalDep,
                                 outbox: OutboxDep, rules: RulesDep, today: TodayDep) -> EngagementRead:
    """A documented exemption (reason, who): the waiting step goes ahead without an audit (TPA-2, TPA-3)."""
    row, completed = await service.exempt(session, uscc, data, principal, outbox, rules, today)
    return service.to_read(row, [], completed)


@router.post("/organisations/{uscc}/audits/{engagement_id}/report", response_model=EngagementRead,
             responses=_errors)
async def file_audit_report(uscc: str, engagement_id: int, data: ReportFile, session: SessionDep,
                            principal: PrincipalDep, outbox: OutboxDep, rules: RulesDep,
                            today: TodayDep) -> EngagementRead:
    """File the audit report with its findings; adverse ones go to credit (TPA-5), a waiting change completes."""
    row, findings, completed = await service.file_report(session, uscc, engagement_id, data, principal, outbox,
                                                         rules, today)
    return service.to_read(row, findings, completed)


@router.get("/organisations/{uscc}/audits", response_model=list[EngagementRead], responses=_errors)
async def list_audits(uscc: str, session: SessionDep, principal: PrincipalDep) -> list[EngagementRead]:
    """The organisation's audit engagements, exemptions, reports and findings."""
    return await service.listing(session, uscc, principal)


@router.get("/audits/fees", response_model=FeeReport, responses={
    200: {"content": {"text/csv": {}}, "description": "JSON, or CSV (BOM, Chinese headers) with format=csv"},
    403: {"description": "staff or internal, within jurisdiction"}})
async def audit_fees(session: SessionDep, principal: PrincipalDep, year: int | None = Query(None, ge=2000, le=2100),
                     division: str | None = Query(None, pattern=r"^\d{2,9}$"),
                     format: str = Query("json", pattern="^(json|csv)$")) -> FeeReport | Response:
    """Audit fees the authority pays, per year and division (TPA-6), as JSON or CSV."""
    report = await service.fees(session, principal, year, division)
    if format == "csv":
        return Response(service.fees_csv(report), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": "attachment; filename=audit-fees.csv"})
    return report
