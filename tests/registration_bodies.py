"""Valid direct registrations (`POST /api/registry/v1/organisations`) for the end-to-end tests: the registry applies
the application's rules to them (issue 12) — a REG-6 name (Chinese characters, the division's name first, a form
label), the kind's figures (REG-1 members and funds), a direct-registration category (REG-8) and a legal
representative whose ID number no other registration of the run holds (REG-2)."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from typing import Any

_HAN = "春夏秋冬梅兰竹菊松柏山川河海星辰日月风云金木水火土天地玄黄宇宙洪荒寒来暑往收藏闰余成岁律吕调阳"
_people = itertools.count(1)
_run = uuid.uuid4().int % 500  # another run against the same databases gets other people


def han_word(n: int = 6) -> str:
    """`n` random Chinese characters (REG-6 refuses letters and digits in names)."""
    value = uuid.uuid4().int
    return "".join(_HAN[(value >> (6 * i)) % len(_HAN)] for i in range(n))


def id_number(born: date, seq: int, region: str = "330302") -> str:
    """A valid GB 11643 resident ID number."""
    weights, checks = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), "10X98765432"
    body = f"{region}{born:%Y%m%d}{seq % 1000:03d}"
    return body + checks[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def unique_id_number() -> str:
    n = next(_people)
    return id_number(date(1950, 1, 1) + timedelta(days=_run * 40 + n), n)


def direct_registration(name: str, division_code: str = "330302", *, org_type: str = "社会团体",
                        **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name, "org_type": org_type, "division_code": division_code, "category": "公益慈善类",
        "address": "温州市鹿城区五马街1号", "business_scope": "社区志愿服务",
        "legal_representative": {"name": "陈一", "id_number": unique_id_number(), "phone": "13900139000"},
        "individual_members": 60, "activity_funds": "50000.00", "acknowledge_similar": True,
        "party_members": {"full_count": 0, "probationary_count": 0, "members": []},
    }
    if org_type == "基金会":
        body.update(activity_funds="2500000.00", directors=7, individual_members=0)
    elif org_type == "民办非企业单位":
        body.update(individual_members=0)
    body.update(overrides)
    return body
