"""One legacy row → a canonical record, or the reasons it cannot be imported (by rule id)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import orjson

from yishe_contracts.events.common import OrgType
from yishe_contracts.events.registry import OrganisationStatus
from yishe_contracts.identifiers import validate_division_code, validate_social_org_uscc

from ..kinds import ORG_TYPE_ALIASES, STATUS_LABELS, CommunityClass, DirectCategory
from ..name import rules as name_rules
from .schemas import RowError

ORG_TYPES = frozenset(t.value for t in OrgType)
CATEGORY_OF = {t.value: t.category for t in OrgType}
STATUSES = frozenset(s.value for s in OrganisationStatus)
CATEGORIES = frozenset(c.value for c in DirectCategory)
CLASSES = frozenset(c.value for c in CommunityClass)
STATUS_ALIASES = {label: status.value for status, label in STATUS_LABELS.items()} | {"撤销": "registration_cancelled",
                                                                                    "吊销": "certificate_revoked"}


@lru_cache(maxsize=8192)
def _division_problems(code: str) -> tuple:
    """DIV-1 for a division code: a file's rows share a few hundred codes (each checked once, not a million times)."""
    return tuple(validate_division_code(code))


@dataclass
class Record:
    n: int
    uscc: str
    key: str
    values: dict
    content_hash: str


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.replace("/", "-").replace(".", "-")[:10])
    except ValueError:
        return None


def validate(n: int, raw: dict[str, str], division_prefix: str, today: date) -> tuple[Record | None, list[RowError]]:
    errors: list[RowError] = []
    uscc = raw.get("uscc", "")

    def bad(field: str | None, rule: str | None, zh: str, en: str) -> None:
        errors.append(RowError(row=n, uscc=uscc or None, field=field, rule=rule, message_zh=zh, message=en))

    if "__error__" in raw:
        bad(None, "IMPORT-1", "该行不是有效的JSON对象", raw["__error__"])
        return None, errors
    for p in validate_social_org_uscc(uscc):
        bad(p.field, p.rule, p.message_zh, p.message_en)
    name = name_rules.canonical(raw.get("name", ""))
    if len(name) < 2:
        bad("name", "REG-6", "名称不能为空", "name is required")
    org_type = ORG_TYPE_ALIASES.get(raw.get("org_type", ""), raw.get("org_type", ""))
    if org_type not in ORG_TYPES:
        bad("org_type", "USCC-2", "类型应为社会团体、民办非企业单位（社会服务机构）或基金会",
            "org_type must be 社会团体, 民办非企业单位 (社会服务机构) or 基金会")
    elif len(uscc) >= 2 and uscc[1] != CATEGORY_OF[org_type]:
        bad("org_type", "USCC-2", f"统一社会信用代码第2位{uscc[1]!r}与类型“{org_type}”不符",
            f"USCC position 2 {uscc[1]!r} does not match org_type {org_type}")
    division = raw.get("division_code", "")
    for p in _division_problems(division):
        bad(p.field, p.rule, p.message_zh, p.message_en)
    if division_prefix and not division.startswith(division_prefix):
        bad("division_code", "AUTH-2", "该记录不在您的管辖范围内", "this record is outside your jurisdiction")
    status = raw.get("status") or "active"
    status = STATUS_ALIASES.get(status, status)
    if status not in STATUSES:
        bad("status", "IMPORT-1", "登记状态无法识别", f"unknown status {status!r}")
    registered = _date(raw.get("registration_date", ""))
    if registered is None or registered > today:
        bad("registration_date", "IMPORT-1", "成立登记日期应为不晚于今天的日期（YYYY-MM-DD）",
            "registration_date must be a date (YYYY-MM-DD) not in the future")
    funds = None
    if raw.get("activity_funds"):
        try:
            funds = Decimal(raw["activity_funds"].replace(",", ""))
            if funds < 0 or funds >= Decimal("1e12"):
                raise InvalidOperation
        except InvalidOperation:
            bad("activity_funds", "IMPORT-1", "活动资金应为非负金额", "activity_funds must be a non-negative amount")
    category = raw.get("category") or None
    if category and category not in CATEGORIES:
        bad("category", "REG-8", "直接登记类别无法识别", f"unknown direct-registration category {category!r}")
    community = raw.get("community_class") or None
    if community and community not in CLASSES:
        bad("community_class", "REG-12", "社区社会组织类型应为初创型、成长型或成熟型", "unknown community class")
    if errors:
        return None, errors
    values = {
        "uscc": uscc, "name": name, "org_type": org_type, "division_code": division,
        "address": raw.get("address", ""), "legal_rep_name": raw.get("legal_representative", ""),
        "business_scope": raw.get("business_scope", ""), "supervisory_unit": raw.get("supervisory_unit") or None,
        "status": status, "registration_date": registered.isoformat(),
        "activity_funds": str(funds.quantize(Decimal("0.01"))) if funds is not None else None,
        "sector": raw.get("sector") or None, "category": category, "community_class": community,
    }
    digest = hashlib.sha256(orjson.dumps(values, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return Record(n, uscc, name_rules.key(name), values, digest), []
