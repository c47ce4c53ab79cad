"""分色监管 colour (CODE-3, a [P] proposal): ordered rules over the current credit state; the first match wins."""

from __future__ import annotations

from dataclasses import dataclass

from yishe_contracts.events.common import Colour


@dataclass(frozen=True)
class CreditState:
    serious_listed: bool = False
    registration_revoked: bool = False
    abnormal_listed: bool = False
    early_warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ColourDecision:
    colour: Colour
    rule: str
    reason: str


def decide(state: CreditState) -> ColourDecision:
    """Red (serious list, CR-12) → orange (abnormal list, CR-6) → yellow (early warnings) → green."""
    if state.serious_listed:
        return ColourDecision(Colour.RED, "CODE-3/CR-12", "列入严重违法失信名单")
    if state.registration_revoked:
        return ColourDecision(Colour.RED, "CODE-3/CR-12", "登记证书被吊销或成立登记被撤销")
    if state.abnormal_listed:
        return ColourDecision(Colour.ORANGE, "CODE-3/CR-6", "列入活动异常名录")
    if state.early_warnings:
        return ColourDecision(Colour.YELLOW, "CODE-3", "预警：" + "；".join(state.early_warnings))
    return ColourDecision(Colour.GREEN, "CODE-3", "无异常信用记录")
