"""Division names for division codes (GB/T 2260; townships GB/T 10114), for the public page (CODE-4 shows the
registering authority by name, not by code).

The table is `divisions.json` beside this module: every province, city and county of China and the townships of
浙江省, from the National Bureau of Statistics' 2023 division codes (its `source`, `as_of` and `via` say exactly
which release); `scripts/vendor_divisions.py` writes it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

# Statistical placeholders at the city level (a municipality's districts, a province's directly governed counties):
# never part of a name a person reads.
PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@cache
def table() -> dict[str, Any]:
    return json.loads((Path(__file__).with_name("divisions.json")).read_text(encoding="utf-8"))


def _name(code: str) -> str | None:
    name = table()["names"].get(code)
    return None if name in PLACEHOLDERS else name


def full_name(code: str | None) -> str | None:
    """`330302` → 温州市鹿城区, `330302006` → 温州市鹿城区五马街道, `330300` → 温州市, `330000` → 浙江省,
    `110105` → 北京市朝阳区; None for a code the table does not know (the caller shows the code)."""
    if not code or not code.isdigit() or len(code) not in (6, 9):
        return None
    county, township = code[:6], code[6:]
    if township and code not in table()["names"]:
        return None
    if county not in table()["names"]:
        return None
    province, city = county[:2] + "0000", county[:4] + "00"
    if county == province:
        return _name(province)
    parts = [_name(city) or _name(province)]
    if county != city:
        parts.append(_name(county))
    if township:
        parts.append(_name(code))
    return "".join(p for p in parts if p) or None
