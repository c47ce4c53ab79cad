"""JSON with exact decimal numbers: OCDS amounts are JSON numbers, written from `Decimal` without a float step."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def dumps(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    if isinstance(value, float):
        raise TypeError("floats are not written: use Decimal")
    return json.dumps(value, ensure_ascii=False)


def loads(text: str | bytes) -> Any:
    return json.loads(text, parse_float=Decimal)
