"""Tests for yishe_contracts.identifiers (RULES.md §2 USCC-1..11, DIV-1, ID-1)."""

import json
import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from yishe_contracts.identifiers import (
    USCC_CHARSET,
    USCC_WEIGHTS,
    IdentifierProblem,
    encode_sequence,
    gb11714_check_char,
    make_uscc,
    mask_id_number,
    mask_phone,
    normalise_name,
    uscc_check_char,
    validate_division_code,
    validate_id_number,
    validate_social_org_uscc,
    validate_uscc,
)

VALID_SOCIAL_ORG = "51330300MJ8A2T0116"


def _shared_dir() -> Path:
    override = os.environ.get("YISHE_SHARED_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2].parent / "shared"


def _vectors() -> list:
    path = _shared_dir() / "domain" / "uscc-examples.json"
    if not path.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{path} not found (set YISHE_SHARED_DIR)"))]
    return [pytest.param(v, id=v["code"] or "<empty>") for v in json.loads(path.read_text(encoding="utf-8"))]


def _id_check(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def _rules(problems: list[IdentifierProblem]) -> list[str]:
    return [p.rule for p in problems]


@pytest.mark.parametrize("vector", _vectors())
def test_shared_vector_validates_as_flagged_when_loaded_from_shared_dir(vector: dict) -> None:
    problems = validate_uscc(vector["code"])
    assert (problems == []) is vector["valid"], (vector, problems)
    if vector["valid"] and vector["code"][:2] in {"51", "52", "53", "59"}:
        assert validate_social_org_uscc(vector["code"]) == []


def test_weights_follow_powers_of_three_when_computed() -> None:
    assert tuple(pow(3, i, 31) for i in range(17)) == USCC_WEIGHTS
    assert len(USCC_CHARSET) == 31 and not set("IOSVZ") & set(USCC_CHARSET)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91330201MA282UF146"])
def test_third_party_code_passes_generic_but_fails_social_org_when_dept_is_9(code: str) -> None:
    assert validate_uscc(code) == []
    assert _rules(validate_social_org_uscc(code)) == ["USCC-2"]


@pytest.mark.parametrize("prefix", ["54", "55", "5A", "61", "15"])
def test_social_org_reports_uscc2_when_prefix_is_not_51_52_53_59(prefix: str) -> None:
    first17 = prefix + "330300MJ8A2T011"
    code = first17 + uscc_check_char(first17)
    assert validate_uscc(code) == []
    (problem,) = validate_social_org_uscc(code)
    assert problem.rule == "USCC-2" and "positions 1-2" in problem.message_en and "第1-2位" in problem.message_zh


def test_lowercase_is_refused_when_not_upper_cased() -> None:
    problems = validate_uscc("51330300mj8A2T0116")
    assert _rules(problems) == ["USCC-3"]
    assert "'m'" in problems[0].message_en and "9" in problems[0].message_en
    assert validate_uscc(VALID_SOCIAL_ORG.lower()) != []


def test_length_and_characters_reported_when_19_chars() -> None:
    problems = validate_uscc(VALID_SOCIAL_ORG + "1")
    assert _rules(problems) == ["USCC-1"]
    assert "19" in problems[0].message_zh and "18" in problems[0].message_en


def test_empty_code_reports_length_when_empty() -> None:
    assert _rules(validate_uscc("")) == ["USCC-1"]
    assert _rules(validate_social_org_uscc("")) == ["USCC-1"]


def test_leading_space_reports_length_and_character_when_present() -> None:
    problems = validate_uscc(" " + VALID_SOCIAL_ORG)
    assert _rules(problems) == ["USCC-1", "USCC-3"]  # 19 characters, ' ' at position 1
    assert "' '" in problems[1].message_en and "1" in problems[1].message_en


def test_illegal_characters_named_with_positions_when_several() -> None:
    problems = validate_uscc("51330300IJ8A2T01Z6")
    assert _rules(problems) == ["USCC-3"]
    assert "'I'@9" in problems[0].message_en and "'Z'@17" in problems[0].message_en
    assert "第9位'I'" in problems[0].message_zh and "第17位'Z'" in problems[0].message_zh


def test_letter_in_division_reported_when_positions_3_to_8_not_digits() -> None:
    code = "5133030AMJ8A2T0116"
    problems = validate_uscc(code)
    assert problems[0].rule == "USCC-1" and "8" in problems[0].message_en


def test_messages_name_position_and_rule_when_check_character_wrong() -> None:
    (problem,) = validate_uscc("51330300MJ8A2T0117")
    assert problem == IdentifierProblem(
        "USCC-5", "uscc",
        "统一社会信用代码校验码错误：第18位应为'6'，实为'7'",
        "USCC check character (position 18) should be '6', got '7'",
    )
    problems = validate_uscc("51330300MJ8A2T0216", field="org.uscc")
    assert _rules(problems)[0] == "USCC-6" and problems[0].field == "org.uscc"
    assert "position 17" in problems[0].message_en and "第17位" in problems[0].message_zh


def test_adjacent_transposition_detected_when_characters_differ() -> None:
    rng = random.Random(7)
    codes = [VALID_SOCIAL_ORG, "59330304MJ6K9L38XU", "52330381MJ7H8J2570"]
    codes += [make_uscc(category="1", division_code="330302", body8="".join(rng.choices(USCC_CHARSET, k=8)))
              for _ in range(50)]
    for code in codes:
        for i in range(17):
            if code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
                assert validate_uscc(swapped) != [], (code, i)


def test_gb11714_check_is_x_when_body_sums_to_ten() -> None:
    assert gb11714_check_char("MJ6K9L38") == "X"
    assert gb11714_check_char("MJ0D5E92") == "0"  # the 11 -> '0' case
    code = make_uscc(category="9", division_code="330304", body8="MJ6K9L38")
    assert code == "59330304MJ6K9L38XU" and validate_uscc(code) == []


def test_mod31_check_wraps_to_zero_when_sum_is_multiple_of_31() -> None:
    found = next(c for n in range(5000)
                 if (c := make_uscc(category="2", division_code="330381", body8="MJ" + encode_sequence(n, 6)))[-1]
                 == "0")
    assert validate_social_org_uscc(found) == []
    total = sum(USCC_CHARSET.index(ch) * w for ch, w in zip(found[:17], USCC_WEIGHTS, strict=True))
    assert total % 31 == 0 and uscc_check_char(found[:17]) == "0"


def test_round_trip_has_no_problems_when_bodies_random() -> None:
    rng = random.Random(20240501)
    divisions = ["330000", "330300", "330302", "330304", "330324", "330381", "330383", "100000", "110101"]
    for _ in range(1000):
        body = "".join(rng.choices(USCC_CHARSET, k=8))
        code = make_uscc(category=rng.choice("1239"), division_code=rng.choice(divisions), body8=body)
        assert len(code) == 18 and validate_social_org_uscc(code) == [], code


@pytest.mark.parametrize(
    "kwargs",
    [
        {"category": "4", "division_code": "330300", "body8": "MJ8A2T01"},
        {"category": "", "division_code": "330300", "body8": "MJ8A2T01"},
        {"category": "1", "division_code": "33030", "body8": "MJ8A2T01"},
        {"category": "1", "division_code": "990000", "body8": "MJ8A2T01"},
        {"category": "1", "division_code": "330300", "body8": "MJ8A2T0"},
        {"category": "1", "division_code": "330300", "body8": "MJ8A2TO1"},
        {"category": "1", "division_code": "330300", "body8": "mj8a2t01"},
    ],
)
def test_make_uscc_raises_when_inputs_malformed(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        make_uscc(**kwargs)


def test_check_char_helpers_raise_when_inputs_malformed() -> None:
    with pytest.raises(ValueError):
        uscc_check_char("51330300MJ8A2T01")
    with pytest.raises(ValueError):
        gb11714_check_char("mj8a2t01")


def test_encode_sequence_pads_and_limits_when_encoding() -> None:
    assert encode_sequence(0) == "000000"
    assert encode_sequence(30, 1) == "Y"
    assert encode_sequence(31, 2) == "10"
    assert encode_sequence(31**6 - 1) == "YYYYYY"
    with pytest.raises(ValueError):
        encode_sequence(31**6)
    with pytest.raises(ValueError):
        encode_sequence(-1)
    with pytest.raises(ValueError):
        encode_sequence(31, 1)
    seen = {encode_sequence(n, 3) for n in range(31**3)}
    assert len(seen) == 31**3 and all(set(s) <= set(USCC_CHARSET) for s in seen)


@pytest.mark.parametrize("code", ["330300", "330302", "110101", "100000", "330000", "500230"])
def test_division_code_accepted_when_structure_valid(code: str) -> None:
    assert validate_division_code(code) == []


@pytest.mark.parametrize("code", ["33030", "990000", "33030A", "330012", "3303021", "", "110301", "１１０１０１"])
def test_division_code_refused_when_structure_invalid(code: str) -> None:
    problems = validate_division_code(code, field="authority")
    assert _rules(problems) == ["DIV-1"] and problems[0].field == "authority"


def _valid_id(first17: str = "11010519491231002") -> str:
    return first17 + _id_check(first17)


def test_id_number_accepted_when_check_digit_matches() -> None:
    assert _valid_id() == "11010519491231002X"
    assert validate_id_number(_valid_id(), field="legal_rep.id") == []
    assert validate_id_number(_valid_id("33030219800101123"), field="x") == []


def _bad_ids() -> list[str]:
    good = _valid_id()
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    # tomorrow on the business calendar (Asia/Shanghai, what ID-1 checks against), not the machine's
    tomorrow = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)
    return [
        wrong_check,
        _valid_id("11010520230230002"),
        _valid_id(f"110105{tomorrow:%Y%m%d}002"),
        good[:17],
        good + "1",
        good[:17] + "x",
        "1101051949123A002X",
    ]


@pytest.mark.parametrize("value", _bad_ids())
def test_id_number_refused_without_echo_when_invalid(value: str) -> None:
    problems = validate_id_number(value, field="legal_rep.id")
    assert problems and all(p.rule == "ID-1" and p.field == "legal_rep.id" for p in problems)
    for p in problems:
        for text in (p.message_zh, p.message_en):
            assert value not in text and value[:17] not in text and value[6:14] not in text


def test_id_number_problem_names_position_when_date_or_check_wrong() -> None:
    (date_problem,) = validate_id_number(_valid_id("11010520230230002"), field="f")
    assert "7-14" in date_problem.message_en and "第7-14位" in date_problem.message_zh
    good = _valid_id()
    (check_problem,) = validate_id_number(good[:17] + "0", field="f")
    assert "position 18" in check_problem.message_en


def test_masking_keeps_ends_when_masking() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("123") == "***" and mask_phone("1234567") == "*******"


def test_normalise_name_equates_variants_when_width_space_and_case_differ() -> None:
    assert normalise_name("温州市　鹿城区ＡＢＣ协会") == normalise_name("温州市鹿城区abc协会") == "温州市鹿城区ABC协会"
    assert normalise_name(" 温州市\t鹿城区 abc\n协会 ") == "温州市鹿城区ABC协会"
    assert normalise_name("Straße") == "STRAßE"  # only ASCII letters are folded
