"""风险预警 [P]: score = Σ weight × value over explainable factors (weights configurable), capped; ranked."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from yishe_kit.access import jurisdiction_prefix, require_role

from ..context import Ctx
from ..dates import add_months, add_years
from ..profile import service as profile_service
from ..record.models import AnnualReport, CreditRecord
from .schemas import Factor, RiskScore

FACTORS = {  # factor → (label, rule)
    "overdue_annual_reports": ("逾期未报年度工作报告（年数）", "AR-1"),
    "annual_report_not_passed": ("最近年度检查基本合格或不合格", "AR-4"),
    "complaints_open": ("在办投诉举报", "P-COMPLAINT"),
    "complaints_substantiated_12m": ("近12个月查实的投诉举报", "P-COMPLAINT"),
    "penalties_3y": ("近3年行政处罚（次）", "CR-4"),
    "grade_expired": ("评估等级已过有效期", "EVAL-4"),
    "leader_changes_12m": ("近12个月负责人变更（次）", "REG-2"),
    "unsigned_mailings": ("近12个月专用信函无人签收（次）", "CR-7"),
    "rectification_overdue": ("逾期未整改（项）", "CR-6.3"),
    "abnormal_listed": ("列入活动异常名录", "CR-6"),
    "serious_listed": ("列入严重违法失信名单", "CR-12"),
}


async def scores(ctx: Ctx, as_of: date, uscc: str | None = None) -> list[RiskScore]:
    """Every active organisation in the caller's jurisdiction, highest score first."""
    from ..complaint import service as complaint_service
    from ..inspection import service as inspection_service
    from ..mailing import service as mailing_service

    require_role(ctx.principal, "staff", "internal", "supervisor")
    profiles = [p for p in await profile_service.all_profiles(ctx.session, jurisdiction_prefix(ctx.principal))
                if p.registration_status == "active" and (uscc is None or p.uscc == uscc)]
    ids = [p.uscc for p in profiles]
    year_ago = add_months(as_of, -12)
    values: dict[str, dict[str, float]] = {u: dict.fromkeys(FACTORS, 0.0) for u in ids}
    latest: dict[str, AnnualReport] = {}
    for r in await ctx.session.scalars(select(AnnualReport).where(AnnualReport.uscc.in_(ids))):
        if r.overdue_on and r.overdue_on <= as_of and r.submitted_on is None:
            values[r.uscc]["overdue_annual_reports"] += 1
        if r.result and (r.uscc not in latest or r.year > latest[r.uscc].year):
            latest[r.uscc] = r
    for u, r in latest.items():
        values[u]["annual_report_not_passed"] = float(r.result != "合格")
    for u, c in (await complaint_service.counts(ctx.session, ids, year_ago)).items():
        values[u]["complaints_open"], values[u]["complaints_substantiated_12m"] = c["open"], c["substantiated"]
    rows = await ctx.session.execute(select(CreditRecord.uscc, CreditRecord.category, CreditRecord.kind,
                                            CreditRecord.formed_on).where(
        CreditRecord.uscc.in_(ids), CreditRecord.corrected.is_(False),
        CreditRecord.formed_on > add_years(as_of, -3), CreditRecord.formed_on <= as_of))
    for u, category, kind, formed_on in rows:
        if category == "penalty":
            values[u]["penalties_3y"] += 1
        if kind == "leader_change" and formed_on > year_ago:
            values[u]["leader_changes_12m"] += 1
    for u, n in (await mailing_service.unsigned_count(ctx.session, ids, year_ago)).items():
        values[u]["unsigned_mailings"] = n
    for u, n in (await inspection_service.overdue_counts(ctx.session, ids, as_of)).items():
        values[u]["rectification_overdue"] = n
    rules = ctx.settings.risk
    out = []
    for p in profiles:
        v = values[p.uscc]
        v["grade_expired"] = float(bool(p.grade and p.grade_valid_until and p.grade_valid_until < as_of))
        v["abnormal_listed"], v["serious_listed"] = float(p.abnormal_listed), float(p.serious_listed)
        factors = [Factor(factor=f, label=FACTORS[f][0], value=v[f], weight=rules.weights.get(f, 0.0),
                          points=v[f] * rules.weights.get(f, 0.0), rule=FACTORS[f][1]) for f in FACTORS if v[f]]
        score = min(rules.cap, sum(f.points for f in factors))
        out.append(RiskScore(uscc=p.uscc, org_name=p.org_name, division_code=p.division_code, colour=p.colour,
                             score=score, warning=score >= rules.warning_threshold,
                             factors=sorted(factors, key=lambda f: -f.points), as_of=as_of))
    return sorted(out, key=lambda s: (-s.score, s.uscc))
