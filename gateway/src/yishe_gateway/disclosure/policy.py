"""CODE-4, the one field-level disclosure policy of the gateway: one profile, four views.

Views: `public` (anyone, no login), `self` (an organisation's own account, for its own USCC only), `department`
(staff, supervisory unit, Party-building body, purchaser/finance; within their jurisdiction) and `internal`
(platform operators). Inside the department view a field may still differ by role (the audience is then the role).
Personal data (ID numbers, phone numbers, Party membership) is shown, masked or withheld (null) per audience;
the public view carries only the fields listed in PUBLIC_FIELDS, so a field a service adds later stays out of it
until it is listed here, and any key that looks personal (ID number, phone) is masked or withheld wherever it is.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from yishe_contracts.identifiers import mask_id_number, mask_phone

from ..errors import forbidden
from ..identity.principal import DEPARTMENT_ROLES, Identity, division_of

PUBLIC, SELF, DEPARTMENT, INTERNAL = "public", "self", "department", "internal"
VIEWS = (PUBLIC, SELF, DEPARTMENT, INTERNAL)
SECTIONS = ("organisation", "credit", "party", "procurement", "cultivation")
SHOW, MASK, HIDE = "show", "mask", "hide"

# The public scan (CODE-4 "Public"): registration facts, colour with its category reason, list entries (public
# under CR-14), grade, annual-report status, financial disclosures (DISC-1), procurement eligibility. No
# Party-building section.
PUBLIC_FIELDS: dict[str, tuple[str, ...] | None] = {
    "organisation": (
        "uscc", "name", "org_type", "division_code", "address", "legal_representative", "business_scope",
        "supervisory_unit", "status", "status_reason", "status_since", "suspended_until", "registration_date",
        "category", "sector", "grade", "grade_valid_from", "grade_valid_until", "annual_report",
        "annual_report_status", "annual_reports", "charity", "public_fundraising", "qualifications",
        "disclosures",  # DISC-1 (seeds 000, 001): yearly income and spending by source and the audit report
    ),
    "credit": ("colour", "colour_rule", "colour_reason", "abnormal_listed", "serious_listed", "list_entries"),
    "procurement": ("may_bid", "problems", "contracts"),
    "cultivation": ("community", "township_code", "platform"),
    "party": None,
}

_ALL_GOVERNMENT = {INTERNAL: SHOW, SELF: MASK, "staff": MASK, "supervisor": MASK, "party": MASK, "purchaser": MASK}
_PARTY_COUNTS = {INTERNAL: SHOW, SELF: SHOW, "staff": SHOW, "supervisor": SHOW, "party": SHOW}
_MEMBER_LIST = {INTERNAL: SHOW, SELF: SHOW, "party": SHOW}
_MEMBER_PERSONAL = {INTERNAL: SHOW, SELF: MASK, "party": MASK}

# field path ("[]" = each item of a list) → treatment per audience; an audience not named gets null.
RULES: dict[str, dict[str, str]] = {
    "organisation.legal_representative.id_number": _ALL_GOVERNMENT,
    "organisation.legal_representative.phone": _ALL_GOVERNMENT,
    "organisation.party_full_members": _PARTY_COUNTS,
    "organisation.party_probationary_members": _PARTY_COUNTS,
    "party.full_members": _PARTY_COUNTS,
    "party.probationary_members": _PARTY_COUNTS,
    "party.members": _MEMBER_LIST,
    "party.members[].id_number": _MEMBER_PERSONAL,
    "party.members[].phone": _MEMBER_PERSONAL,
    "credit.colour_history": {INTERNAL: SHOW, SELF: SHOW, "staff": SHOW, "supervisor": SHOW, "party": SHOW,
                              "purchaser": SHOW},
}
# Any other key that looks like personal data, wherever a service puts it: masked for government, null for public.
_PERSONAL_KEY = re.compile(r"id_number|id_card|identity|phone|mobile|telephone|birth|身份证|电话|手机|出生",
                           re.IGNORECASE)
_GUARD = _ALL_GOVERNMENT
# Event payloads of the change feed and webhooks: Party-membership counts only for these audiences.
EVENT_RULES: dict[str, dict[str, str]] = {
    key: _PARTY_COUNTS for key in ("party_full_members", "party_probationary_members", "full_members",
                                   "probationary_members")
}
# Never stored by the gateway at all (the registry event carries captured Party members: PARTY-5 personal data).
EVENT_WITHHELD = {"registry.organisation.registered.v1": ("party_members",)}


def best_view(identity: Identity, uscc: str, division: str | None = None) -> str:
    """The fullest view this caller may have of this organisation; `division`: where it is placed
    (jurisdiction.organisation_division; default its registering authority's division, USCC-3)."""
    if identity.role == "internal":
        return INTERNAL
    if identity.role == "org":
        return SELF if identity.org_uscc == uscc else PUBLIC
    if identity.role in DEPARTMENT_ROLES:
        return DEPARTMENT if identity.in_jurisdiction(division or division_of(uscc)) else PUBLIC
    return PUBLIC


def choose_view(identity: Identity, uscc: str, requested: str | None, division: str | None = None) -> str:
    """The view asked for (default: the fullest allowed); 403 when the caller may not see it (CODE-4)."""
    best = best_view(identity, uscc, division)
    if requested is None or requested == best:
        return best
    if requested == PUBLIC or (best == INTERNAL and requested in VIEWS):
        return requested
    raise forbidden("view_forbidden", f"角色 {identity.role} 无权查看该组织的“{requested}”视图",
                    f"role {identity.role} may not see the {requested} view of {uscc}")


def audience(view: str, role: str) -> str:
    return role if view == DEPARTMENT else view


def disclose(profile: dict[str, Any], view: str, role: str) -> dict[str, Any]:
    """The view of an assembled (internal) profile; the input is never modified."""
    who = audience(view, role)
    out: dict[str, Any] = {}
    for key, value in profile.items():
        if key not in SECTIONS or value is None:
            out[key] = value
            continue
        if view == PUBLIC:
            fields = PUBLIC_FIELDS.get(key)
            if fields is None:
                out[key] = None
                continue
            value = {k: value[k] for k in fields if k in value}
        out[key] = _walk(value, key, who)
    out["view"] = view
    return out


def disclose_event(subject: str, data: dict[str, Any], view: str, role: str) -> dict[str, Any]:
    """An event's payload for a feed reader or webhook subscriber (stored already without EVENT_WITHHELD)."""
    who = audience(view, role)
    out = {}
    for key, value in data.items():
        if key in EVENT_WITHHELD.get(subject, ()):
            continue
        rule = EVENT_RULES.get(key)
        out[key] = _treat(value, rule.get(who, HIDE)) if rule else _walk(value, f"event.{key}", who)
    return out


def for_storage(subject: str, data: dict[str, Any]) -> dict[str, Any]:
    withheld = EVENT_WITHHELD.get(subject)
    return {k: v for k, v in data.items() if k not in withheld} if withheld else dict(data)


@lru_cache(maxsize=8192)
def _step(path: str, key: str) -> tuple[str, dict[str, str] | None, bool]:
    """A key under `path`: its own path, its rule, whether its name looks personal (computed once per path)."""
    sub = f"{path}.{key}"
    return sub, RULES.get(sub), bool(_PERSONAL_KEY.search(key))


def _walk(value: Any, path: str, who: str) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            sub, rule, personal = _step(path, key)
            if rule is None and personal and isinstance(item, (str, int)):
                rule = _GUARD
            if rule is not None:
                out[key] = _treat(_walk(item, sub, who), rule.get(who, HIDE), key)
            elif isinstance(item, (dict, list)):
                out[key] = _walk(item, sub, who)
            else:
                out[key] = item
        return out
    if isinstance(value, list):
        sub = f"{path}[]"
        return [_walk(item, sub, who) for item in value]
    return value


def _treat(value: Any, treatment: str, key: str = "") -> Any:
    if value is None or treatment == SHOW:
        return value
    if treatment == HIDE:
        return None
    if not isinstance(value, str):
        return value if isinstance(value, list | dict) else None  # masking applies to strings only
    return mask_phone(value) if re.search(r"phone|mobile|telephone|电话|手机", key, re.IGNORECASE) else \
        mask_id_number(value)
