from __future__ import annotations

from yishe_credit.profile.colour import Alert, ColourOptions, CreditState, decide

WARN = (Alert("AR-1", "年度工作报告逾期未报"),)


def test_colour_rules_are_ordered_first_match_wins_when_several_hold() -> None:
    """CODE-3: red before orange before yellow before blue before green."""
    assert decide(CreditState(serious_listed=True, abnormal_listed=True)).colour == "red"
    assert decide(CreditState(suspended=True, abnormal_listed=True)).rule == "CODE-3/CR-12.3"
    assert decide(CreditState(abnormal_listed=True, early_warnings=WARN)).colour == "orange"
    assert decide(CreditState(early_warnings=WARN, valid_grade="5A")).colour == "yellow"
    assert decide(CreditState(valid_grade="3A")).colour == "blue"
    assert decide(CreditState()).colour == "green"


def test_blue_needs_grade_and_no_recent_penalty_when_optional_blue_enabled() -> None:
    assert decide(CreditState(valid_grade="2A")).colour == "green"
    assert decide(CreditState(valid_grade="4A", penalty_in_window=True)).colour == "green"
    assert decide(CreditState(valid_grade="3A"), ColourOptions(blue_min_grade="4A")).colour == "green"
    assert decide(CreditState(valid_grade="5A"), ColourOptions(blue_enabled=False)).colour == "green"


def test_three_colour_mode_folds_orange_and_blue_when_configured() -> None:
    three = ColourOptions(mode="three")
    assert decide(CreditState(abnormal_listed=True), three).colour == "yellow"
    assert decide(CreditState(valid_grade="5A"), three).colour == "green"
    assert decide(CreditState(serious_listed=True), three).colour == "red"


def test_reason_names_each_listing_reason_when_listed() -> None:
    decision = decide(CreditState(abnormal_listed=True, abnormal_reasons=("未报年报", "无法联系", "未报年报")))
    assert decision.reason == "列入活动异常名录：未报年报；无法联系"
