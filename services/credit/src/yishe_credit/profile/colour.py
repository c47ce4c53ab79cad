"""分色监管 colour (CODE-3, a [P] proposal): ordered rules over the current credit state; the first match wins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from yishe_contracts.events.common import Colour

GRADE_ORDER = {"1A": 1, "2A": 2, "3A": 3, "4A": 4, "5A": 5}


@dataclass(frozen=True)
class Alert:
    """One early-warning condition (CODE-3 yellow) with the rule it rests on."""

    rule: str
    reason: str
    until: date | None = None  # when the condition ends, where the rules give a date


@dataclass(frozen=True)
class CreditState:
    serious_listed: bool = False
    serious_reasons: tuple[str, ...] = ()
    serious_until: date | None = None  # earliest removal from the serious list (CR-13), if a date
    registration_revoked: bool = False  # 吊销 / 撤销 (CR-12.7)
    suspended: bool = False  # currently under 限期停止活动 (CR-12.3)
    abnormal_listed: bool = False
    abnormal_reasons: tuple[str, ...] = ()
    abnormal_until: date | None = None  # automatic removal (CR-10) when nothing is to be performed
    early_warnings: tuple[Alert, ...] = ()
    valid_grade: str | None = None  # the grade in force on the day, if any
    grade_until: date | None = None
    penalty_in_window: bool = False  # an administrative penalty within the blue look-back window


@dataclass(frozen=True)
class ColourDecision:
    colour: Colour
    rule: str
    reason: str
    until: date | None = None


@dataclass(frozen=True)
class ColourOptions:
    mode: str = "five"
    blue_enabled: bool = True
    blue_min_grade: str = "3A"


def _reasons(prefix: str, reasons: tuple[str, ...]) -> str:
    return prefix + ("：" + "；".join(dict.fromkeys(reasons)) if reasons else "")


def decide(state: CreditState, options: ColourOptions = ColourOptions()) -> ColourDecision:
    """CODE-3: red (CR-12) → orange (CR-6) → yellow (early warning) → blue (EVAL-6, optional) → green."""
    decision = _decide_five(state, options)
    if options.mode == "three":  # 红/黄/绿: orange folds into yellow, blue into green
        folded = {Colour.ORANGE: Colour.YELLOW, Colour.BLUE: Colour.GREEN}.get(decision.colour, decision.colour)
        decision = ColourDecision(folded, decision.rule, decision.reason, decision.until)
    return decision


def _decide_five(state: CreditState, options: ColourOptions) -> ColourDecision:
    if state.serious_listed:
        return ColourDecision(Colour.RED, "CODE-3/CR-12", _reasons("列入严重违法失信名单", state.serious_reasons),
                              state.serious_until)
    if state.registration_revoked:
        return ColourDecision(Colour.RED, "CODE-3/CR-12.7", "登记证书被吊销或成立登记被撤销")
    if state.suspended:
        return ColourDecision(Colour.RED, "CODE-3/CR-12.3", "正在限期停止活动")
    if state.abnormal_listed:
        return ColourDecision(Colour.ORANGE, "CODE-3/CR-6", _reasons("列入活动异常名录", state.abnormal_reasons),
                              state.abnormal_until)
    if state.early_warnings:
        first = state.early_warnings[0]
        ends = [w.until for w in state.early_warnings]
        return ColourDecision(Colour.YELLOW, f"CODE-3/{first.rule}",
                              "预警：" + "；".join(dict.fromkeys(w.reason for w in state.early_warnings)),
                              max(ends) if ends and None not in ends else None)
    if (options.blue_enabled and state.valid_grade is not None and not state.penalty_in_window
            and GRADE_ORDER[state.valid_grade] >= GRADE_ORDER[options.blue_min_grade]):
        return ColourDecision(Colour.BLUE, "CODE-3/EVAL-6",
                              f"评估等级{state.valid_grade}有效且近年无行政处罚", state.grade_until)
    return ColourDecision(Colour.GREEN, "CODE-3", "无异常信用记录")
