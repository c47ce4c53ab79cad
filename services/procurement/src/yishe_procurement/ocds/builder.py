"""Builds one OCDS 1.1 release from a project's state: parties identified as CN-USCI + USCC, amounts in CNY."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ..config import OcdsSettings

METHOD = {"公开招标": "open", "邀请招标": "selective", "竞争性磋商": "selective", "竞争性谈判": "limited",
          "单一来源": "direct", "询价": "limited"}
TENDER_STATUS = {"planning": "planning", "tender": "active", "evaluation": "active", "awarded": "complete",
                 "contracted": "complete", "completed": "complete", "cancelled": "cancelled"}
SCHEME = "CN-USCI"


@dataclass
class Snapshot:
    """Everything a release shows, read from the domains at capture time."""

    project: Any
    amendments: list[Any] = field(default_factory=list)
    award: Any = None
    bids: list[Any] = field(default_factory=list)
    contract: Any = None
    milestones: list[Any] = field(default_factory=list)
    payments: list[Any] = field(default_factory=list)
    evaluations: list[Any] = field(default_factory=list)


def ts(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def day_start(day: date) -> str:
    return f"{day.isoformat()}T00:00:00+08:00"


def day_end(day: date) -> str:
    return f"{day.isoformat()}T23:59:59+08:00"


def value(amount: Decimal) -> dict[str, Any]:
    return {"amount": amount, "currency": "CNY"}


def org_id(uscc: str | None, name: str) -> str:
    """`CN-USCI-<USCC>`; a department without a known USCC gets a stable local id."""
    if uscc:
        return f"{SCHEME}-{uscc}"
    return "yishe-dept-" + hashlib.sha256(name.encode()).hexdigest()[:12]


def _party(name: str, uscc: str | None, roles: list[str]) -> dict[str, Any]:
    party: dict[str, Any] = {"id": org_id(uscc, name), "name": name, "roles": roles}
    if uscc:
        party["identifier"] = {"scheme": SCHEME, "id": uscc, "legalName": name}
    return party


def _ref(name: str, uscc: str | None) -> dict[str, str]:
    return {"id": org_id(uscc, name), "name": name}


def _parties(s: Snapshot) -> list[dict[str, Any]]:
    p = s.project
    parties = [_party(p.purchaser_department, p.purchaser_uscc, ["buyer", "procuringEntity", "payer"])]
    winner = s.award.uscc if s.award else None
    for b in s.bids:
        roles = ["tenderer"] + (["supplier", "payee"] if b.uscc == winner else [])
        parties.append(_party(b.org_name, b.uscc, roles))
    return parties


def _item(p: Any, classification_scheme: str) -> dict[str, Any]:
    return {"id": "1", "description": p.catalogue_item_name, "quantity": 1,
            "classification": {"scheme": classification_scheme, "id": p.catalogue_item_code,
                               "description": p.catalogue_item_name}}


def _tender(s: Snapshot, settings: OcdsSettings) -> dict[str, Any]:
    p = s.project
    tender: dict[str, Any] = {
        "id": p.code, "title": p.title, "status": TENDER_STATUS[p.status],
        "procuringEntity": _ref(p.purchaser_department, p.purchaser_uscc),
        "items": [_item(p, settings.classification_scheme)], "value": value(p.budget_amount),
        "procurementMethod": METHOD[p.method], "procurementMethodDetails": p.method,
        "mainProcurementCategory": "services", "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": "评审小组评分；同等条件下优先向3A及以上等级或纳入推荐目录的社会组织购买（PROC-9）",
        "eligibilityCriteria": "依法登记且状态正常、未列入活动异常名录和严重违法失信名单、按规定报送年度报告、"
                               "近三年无重大违法记录（PROC-4）；不得转包（PROC-8）",
        "contractPeriod": {"startDate": day_start(p.term_start), "endDate": day_end(p.term_end)},
    }
    if p.description:
        tender["description"] = p.description
    if p.published_at:
        tender["datePublished"] = ts(p.published_at)
        tender["tenderPeriod"] = {"startDate": ts(p.published_at), "endDate": day_end(p.tender_end)}
    if s.award:
        tender["numberOfTenderers"] = len(s.bids)
        tender["tenderers"] = [_ref(b.org_name, b.uscc) for b in s.bids]
        tender["awardPeriod"] = {"startDate": day_end(p.tender_end), "endDate": day_start(s.award.award_date)}
    if s.amendments:
        tender["amendments"] = [{
            "id": str(a.version), "date": ts(a.amended_at), "rationale": a.rationale,
            "description": "；".join(f"{k}: {v['before']} → {v['after']}" for k, v in a.changes.items())}
            for a in s.amendments]
    return tender


def _award(s: Snapshot) -> dict[str, Any]:
    a, p = s.award, s.project
    return {"id": a.award_id, "title": p.title, "status": "active", "date": day_start(a.award_date),
            "value": value(a.amount), "suppliers": [_ref(a.org_name, a.uscc)],
            "contractPeriod": {"startDate": day_start(p.term_start), "endDate": day_end(p.term_end)}}


def _contract(s: Snapshot, settings: OcdsSettings) -> dict[str, Any]:
    c, p = s.contract, s.project
    buyer, supplier = _ref(p.purchaser_department, p.purchaser_uscc), _ref(c.org_name, c.uscc)
    milestones = []
    for m in s.milestones:
        item = {"id": f"M{m.seq}", "title": m.title, "type": "payment", "dueDate": day_end(m.due_date),
                "status": "met" if m.status == "met" else "scheduled", "value": value(m.amount)}
        if m.date_met:
            item["dateMet"] = day_start(m.date_met)
        milestones.append(item)
    transactions = [{"id": f"P{t.payment_id}", "date": day_start(t.paid_on), "value": value(t.amount),
                     "payer": buyer, "payee": supplier}
                    for t in s.payments]
    reports = [{"id": f"E{e.evaluation_id}", "documentType": "finalAudit" if e.kind == "final"
                else "physicalProgressReport", "title": "绩效评价" + ("（结项）" if e.kind == "final" else "（中期）"),
                "description": f"{e.score}分（{e.result}）；评价方：{e.evaluator_name}"
                               f"（{'第三方' if e.evaluator_type == 'third_party' else '购买主体'}）",
                "datePublished": ts(e.recorded_at), "language": "zh"} for e in s.evaluations]
    contract: dict[str, Any] = {
        "id": c.contract_number, "awardID": c.award_id, "title": c.title, "description": c.content,
        "status": "active" if c.status == "active" else "terminated",
        "period": {"startDate": day_start(c.period_start), "endDate": day_end(c.period_end)},
        "value": value(c.price), "dateSigned": day_start(c.date_signed),
        "items": [_item(p, settings.classification_scheme)], "milestones": milestones,
        "documents": [{"id": f"{c.contract_number}-contract", "documentType": "contractSigned",
                       "title": "政府购买服务合同", "datePublished": ts(c.published_at), "language": "zh",
                       "description": f"数量：{c.quantity}；质量：{c.quality}；结算：{c.settlement}；"
                                      "不得转包（PROC-8）"}],
    }
    if transactions or reports:
        contract["implementation"] = {"transactions": transactions, "documents": reports}
    return contract


def build(s: Snapshot, *, release_id: str, at: datetime, tags: list[str], settings: OcdsSettings) -> dict[str, Any]:
    """One full release: everything known about the process at `at`."""
    p = s.project
    publisher: dict[str, Any] = {"name": settings.publisher_name}
    if settings.publisher_uid:
        publisher |= {"scheme": SCHEME, "uid": settings.publisher_uid}
    release: dict[str, Any] = {
        "ocid": p.ocid, "id": release_id, "date": ts(at), "tag": tags, "initiationType": "tender", "language": "zh",
        "publisher": publisher, "parties": _parties(s), "buyer": _ref(p.purchaser_department, p.purchaser_uscc),
        "planning": {"rationale": f"指导性目录 {p.catalogue_item_code} {p.catalogue_item_name}（PROC-6）",
                     "budget": {"id": f"{p.code}-budget", "description": p.budget_source,
                                "amount": value(p.budget_amount)}},
        "tender": _tender(s, settings),
    }
    if p.design_id:
        release["planning"]["budget"]["projectID"] = p.design_id
    if s.award:
        release["awards"] = [_award(s)]
    if s.contract:
        release["contracts"] = [_contract(s, settings)]
    return release
