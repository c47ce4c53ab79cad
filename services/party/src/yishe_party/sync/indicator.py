"""The Party-building indicator for grade evaluation (三同步: 评估时同步将党建工作纳入重要指标, PARTY-5) [P] points."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.party import FormationRoute
from yishe_kit import clock
from yishe_kit.access import require_jurisdiction, require_role
from yishe_kit.principal import Principal

from ..config import Settings
from ..coverage import service as coverage_service
from ..party_org import service as party_org_service
from ..record import service as record_service
from ..roles import OVERSIGHT_READERS
from . import service as sync_service
from .schemas import EvaluationIndicator, IndicatorItem


def _item(points: dict[str, int], key: str, label: str, met: bool, rule: str, detail: str | None = None,
          share: float = 1.0) -> IndicatorItem:
    full = points.get(key, 0)
    return IndicatorItem(key=key, label=label, met=met, points=round(full * share) if met else 0, max_points=full,
                         rule=rule, detail=detail)


async def indicator(session: AsyncSession, uscc: str, principal: Principal, settings: Settings, *,
                    evaluation_year: int | None) -> EvaluationIndicator:
    """PARTY-5: the indicator an evaluation uses; called with `evaluation_year` by an evaluator it also ticks the
    evaluation step of the checklist (the indicator was supplied to that year's evaluation)."""
    require_role(principal, *OVERSIGHT_READERS, action_zh="获取党建评估指标")
    record = await record_service.get_or_404(session, uscc)
    require_jurisdiction(principal, record.division_code)
    today = clock.today()
    snap = await coverage_service.snapshot(session, today, [uscc])
    points = settings.indicator_points
    route = FormationRoute(record.route)
    met = snap.requirement_met(record)
    work = uscc in snap.organisations or uscc in snap.work
    items = [_item(points, "coverage", "党的组织和工作覆盖（按组建路径）", met or work, record.route_rule,
                   detail=None if met else ("仅实现工作覆盖" if work else "未覆盖"), share=1.0 if met else 0.5)]
    items.append(_item(points, "capture", "党员信息采集（三同步）", record.capture_task_status == "done", "PARTY-5"))
    latest = await sync_service.latest_steps(session, uscc)
    charter, report = latest.get("charter"), latest.get("annual_report")
    items.append(_item(points, "charter_clause", "章程载入党建内容", bool(charter and charter.status == "done"),
                       "PARTY-11", detail=f"章程第{charter.period}版" if charter else "尚无章程核准记录"))
    items.append(_item(points, "annual_report_section", "年度报告含党建工作部分",
                       bool(report and report.status == "done"), "PARTY-5",
                       detail=f"{report.period}年度" if report else "尚无年度报告"))
    org = await party_org_service.read_by_id(session, record.party_org_id) if record.party_org_id else None
    cross = bool(org and org.cross_appointment and org.cross_appointment.cross_appointed)
    items.append(_item(points, "cross_appointment", "双向进入、交叉任职", cross, "PARTY-11"))
    level = org.assessments[-1].level if org and org.assessments else None
    items.append(_item(points, "secretary_level", "党组织书记“双强红领”评定", level is not None, "PARTY-9",
                       detail=f"{level}级" if level else None, share=1.0 if level and level <= 3 else 0.5))
    out = EvaluationIndicator(uscc=uscc, as_of=today, evaluation_year=evaluation_year, route=route.value,
                              score=sum(i.points for i in items), max_score=sum(i.max_points for i in items),
                              items=items)
    if evaluation_year is not None and principal.is_any("staff", "internal"):
        await sync_service.record_step(session, uscc=uscc, step="evaluation", period=str(evaluation_year), done=True,
                                       rule="PARTY-5", detail=f"党建指标 {out.score}/{out.max_score}",
                                       occurred_on=today, by=principal.actor)
    return out
