"""Amounts are yuan as `Decimal` with 2 places end to end: JSON floats are refused, strings and integers accepted."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer

CENT = Decimal("0.01")
RATIO = Decimal("0.0001")


def _refuse_float(value: Any) -> Any:
    if isinstance(value, bool | float):
        raise ValueError('amounts are yuan decimals: send a string such as "380000.00" or an integer, not a JSON '
                         'number with a fraction (金额须为字符串或整数，不接受浮点数)')
    return value


def fmt(value: Decimal) -> str:
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP)}"


_yuan_out = PlainSerializer(fmt, return_type=str, when_used="json")
Yuan = Annotated[Decimal, BeforeValidator(_refuse_float), Field(ge=0, max_digits=14, decimal_places=2), _yuan_out]
PositiveYuan = Annotated[Decimal, BeforeValidator(_refuse_float), Field(gt=0, max_digits=14, decimal_places=2),
                         _yuan_out]
YuanOut = Annotated[Decimal, _yuan_out]
Score = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2),
                  PlainSerializer(fmt, return_type=str, when_used="json")]
Ratio = Annotated[Decimal, PlainSerializer(lambda d: f"{d.quantize(RATIO)}", return_type=str, when_used="json")]


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole to 4 places; None when there is no whole to divide."""
    if not whole:
        return None
    return (part / whole).quantize(RATIO, rounding=ROUND_HALF_UP)
