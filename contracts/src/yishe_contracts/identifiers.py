"""Identifier rules: unified social credit code (RULES.md §2, USCC-1..11), GB/T 2260 division codes (DIV-1),
mainland resident ID numbers (ID-1), masking and organisation-name normalisation. Stdlib only."""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # USCC-3: no I, O, S, V, Z; value = index
USCC_WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # USCC-4
GB11714_WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)  # USCC-6
SOCIAL_ORG_CATEGORIES = "1239"  # USCC-2: 51 社会团体, 52 民办非企业单位, 53 基金会, 59 其他
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
})
MUNICIPALITY_CODES = frozenset({"11", "12", "31", "50"})
ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643-1999
ID_CHECK_MAP = "10X98765432"

_DIGITS = "0123456789"


def _real_business_today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()


_business_today: Callable[[], date] = _real_business_today


def use_business_clock(today: Callable[[], date]) -> None:
    """Where the identifier rules read "today" (ID-1: a birth date not in the future). The kit installs its business
    clock here when it loads (`yishe_kit.clock`: Asia/Shanghai, the platform date in dev), so every process has one
    clock; without the kit, the real Asia/Shanghai date."""
    global _business_today
    _business_today = today

_GB11714_CHARSET = _DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # value = index (A=10 .. Z=35)
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_GB11714_VALUE = {c: i for i, c in enumerate(_GB11714_CHARSET)}
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True)
class IdentifierProblem:
    """One problem found in an identifier; `rule` is a RULES.md id such as "USCC-5"."""

    rule: str
    field: str
    message_zh: str
    message_en: str


# USCC-1/USCC-3/USCC-7 at once: 18 characters of the set, positions 3-8 digits (the shape every valid code has).
_USCC_SHAPE = re.compile(r"[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}")


def _gb11714_check(body8: str) -> str:
    total = sum(map(int.__mul__, map(_GB11714_VALUE.__getitem__, body8), GB11714_WEIGHTS))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def _uscc_check(first17: str) -> str:
    total = sum(map(int.__mul__, map(_USCC_VALUE.__getitem__, first17), USCC_WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def gb11714_check_char(body8: str) -> str:
    """USCC-6: GB 11714 mod-11 check character of an 8-character organisation-code body ('0'-'9' or 'X')."""
    if len(body8) != 8 or any(c not in _GB11714_VALUE for c in body8):
        raise ValueError("body8 must be 8 characters from 0-9 / A-Z")
    return _gb11714_check(body8)


def uscc_check_char(first17: str) -> str:
    """USCC-5: GB 32100 mod-31 check character for the first 17 characters (31 -> '0')."""
    if len(first17) != 17 or any(c not in _USCC_VALUE for c in first17):
        raise ValueError("first17 must be 17 characters from the USCC character set")
    return _uscc_check(first17)


def validate_uscc(code: str, *, field: str = "uscc") -> list[IdentifierProblem]:
    """Strict USCC validation (USCC-10): length (USCC-1), characters (USCC-3), digits at 3-8 (USCC-1/USCC-7),
    pos 17 (USCC-6), pos 18 (USCC-5). Any dept/category is accepted. Check characters are only verified when
    the length is 18 and every character is legal. Empty list = valid."""
    if not isinstance(code, str):
        return [IdentifierProblem("USCC-1", field, "统一社会信用代码必须是字符串", "USCC must be a string")]
    if (_USCC_SHAPE.fullmatch(code) and code[16] == _gb11714_check(code[8:16])
            and code[17] == _uscc_check(code[:17])):
        return []  # a valid code, checked in one pass (a bulk import checks a million); any fault: the reasons below
    problems: list[IdentifierProblem] = []
    if len(code) != 18:
        problems.append(IdentifierProblem(
            "USCC-1", field,
            f"统一社会信用代码应为18位，实为{len(code)}位",
            f"USCC must be exactly 18 characters, got {len(code)}",
        ))
    bad = [(i, c) for i, c in enumerate(code, start=1) if c not in _USCC_VALUE]
    if bad:
        listed = ", ".join(f"{c!r}@{i}" for i, c in bad)
        listed_zh = "、".join(f"第{i}位{c!r}" for i, c in bad)
        problems.append(IdentifierProblem(
            "USCC-3", field,
            f"统一社会信用代码含非法字符：{listed_zh}（只允许数字和除I、O、S、V、Z外的大写字母）",
            f"USCC contains illegal character(s) {listed} (position 1-based; allowed: digits and "
            "upper-case letters except I, O, S, V, Z)",
        ))
    non_digit = [i for i, c in enumerate(code[2:8], start=3) if c not in _DIGITS]
    if non_digit:
        pos = ", ".join(map(str, non_digit))
        problems.append(IdentifierProblem(
            "USCC-1", field,
            f"统一社会信用代码第3-8位（行政区划码）应全为数字，第{pos}位不是数字",
            f"USCC positions 3-8 (division code) must be digits; position(s) {pos} are not",
        ))
    if len(code) != 18 or bad:
        return problems
    org_check = gb11714_check_char(code[8:16])
    if code[16] != org_check:
        problems.append(IdentifierProblem(
            "USCC-6", field,
            f"统一社会信用代码组织机构代码校验码错误：第17位应为{org_check!r}，实为{code[16]!r}",
            f"USCC organisation-code check character (position 17) should be {org_check!r}, got {code[16]!r}",
        ))
    check = uscc_check_char(code[:17])
    if code[17] != check:
        problems.append(IdentifierProblem(
            "USCC-5", field,
            f"统一社会信用代码校验码错误：第18位应为{check!r}，实为{code[17]!r}",
            f"USCC check character (position 18) should be {check!r}, got {code[17]!r}",
        ))
    return problems


def validate_social_org_uscc(code: str, *, field: str = "uscc") -> list[IdentifierProblem]:
    """validate_uscc plus USCC-2: a social organisation's code starts with 51, 52, 53 or 59."""
    problems = validate_uscc(code, field=field)
    if isinstance(code, str) and len(code) >= 2 and (code[0] != "5" or code[1] not in SOCIAL_ORG_CATEGORIES):
        problems.append(IdentifierProblem(
            "USCC-2", field,
            f"社会组织的统一社会信用代码第1-2位应为51、52、53或59，实为{code[:2]!r}",
            f"a social organisation's USCC must start with 51, 52, 53 or 59 (positions 1-2), got {code[:2]!r}",
        ))
    return problems


def make_uscc(*, category: str, division_code: str, body8: str) -> str:
    """Build a dept-5 USCC: '5' + category (USCC-2) + division (DIV-1) + body8 + GB 11714 check (USCC-6) +
    GB 32100 check (USCC-5). Raises ValueError on malformed input."""
    if len(category) != 1 or category not in SOCIAL_ORG_CATEGORIES:
        raise ValueError(f"category must be one of {', '.join(SOCIAL_ORG_CATEGORIES)}")
    if validate_division_code(division_code):
        raise ValueError("division_code must be a valid 6-digit GB/T 2260 code")
    if len(body8) != 8 or any(c not in USCC_CHARSET for c in body8):
        raise ValueError("body8 must be 8 characters from the USCC character set")
    first17 = "5" + category + division_code + body8 + gb11714_check_char(body8)
    return first17 + uscc_check_char(first17)


def encode_sequence(n: int, width: int = 6) -> str:
    """Encode n >= 0 in base 31 over USCC_CHARSET, zero-padded to `width` (for bodies "MJ" + 6 chars, USCC-8)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError("n must be a non-negative integer")
    if width < 1 or n >= 31**width:
        raise ValueError(f"{n} does not fit in {width} base-31 characters")
    out = []
    for _ in range(width):
        n, r = divmod(n, 31)
        out.append(USCC_CHARSET[r])
    return "".join(reversed(out))


def validate_division_code(code: str, *, field: str = "division_code") -> list[IdentifierProblem]:
    """DIV-1, a GB/T 2260 structure check (not the full table): 6 ASCII digits; "100000" (national) or a real
    province-level prefix; prefecture part "00" only with county part "00"; municipalities (11, 12, 31, 50)
    only use prefecture parts 00, 01 (市辖区) and 02 (县)."""
    def problem(zh: str, en: str) -> list[IdentifierProblem]:
        return [IdentifierProblem("DIV-1", field, zh, en)]

    if not isinstance(code, str) or len(code) != 6 or any(c not in _DIGITS for c in code):
        return problem("行政区划代码应为6位数字", "division code must be exactly 6 ASCII digits")
    if code == "100000":
        return []
    province, prefecture, county = code[:2], code[2:4], code[4:]
    if province not in PROVINCE_CODES:
        return problem(f"行政区划代码前两位{province!r}不是省级代码", f"{province!r} is not a province-level code")
    if prefecture == "00" and county != "00":
        return problem("行政区划代码第3-4位为00时第5-6位也应为00",
                       "positions 5-6 must be 00 when the prefecture part (positions 3-4) is 00")
    if province in MUNICIPALITY_CODES and prefecture not in ("00", "01", "02"):
        return problem("直辖市行政区划代码第3-4位应为00、01或02",
                       "a municipality's prefecture part (positions 3-4) must be 00, 01 or 02")
    return []


def normalise_id_number(value: str) -> str:
    """ID-1: the canonical spelling of a resident ID number, so one person has one key (REG-2/REG-4): full-width
    digits and letters folded (NFKC), surrounding spaces dropped, a final check character `x` written `X`."""
    import unicodedata

    return unicodedata.normalize("NFKC", value).strip().upper()


def validate_id_number(value: str, *, field: str, today: date | None = None) -> list[IdentifierProblem]:
    """ID-1, mainland resident ID number (GB 11643-1999). Messages name positions only, never the value. The birth
    date may not be after `today` (default: the business clock, see `use_business_clock`)."""
    def problem(zh: str, en: str) -> IdentifierProblem:
        return IdentifierProblem("ID-1", field, zh, en)

    if not isinstance(value, str) or len(value) != 18:
        return [problem("居民身份证号码应为18位", "resident ID number must be 18 characters")]
    problems: list[IdentifierProblem] = []
    non_digit = [i for i, c in enumerate(value[:17], start=1) if c not in _DIGITS]
    if non_digit:
        pos = ", ".join(map(str, non_digit))
        problems.append(problem(f"居民身份证号码第1-17位应为数字，第{pos}位不是数字",
                                f"resident ID number positions 1-17 must be digits; position(s) {pos} are not"))
    if value[17] not in _DIGITS + "X":
        problems.append(problem("居民身份证号码第18位应为数字或X",
                                "resident ID number position 18 must be a digit or 'X'"))
    if problems:
        return problems
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        born = None
    if born is None or born > (today or _business_today()):
        problems.append(problem("居民身份证号码第7-14位不是有效的出生日期",
                                "resident ID number positions 7-14 are not a valid birth date"))
    check = ID_CHECK_MAP[sum(int(c) * w for c, w in zip(value[:17], ID_WEIGHTS, strict=True)) % 11]
    if value[17] != check:
        problems.append(problem("居民身份证号码第18位校验码错误",
                                "resident ID number check digit (position 18) is wrong"))
    return problems


def mask_id_number(value: str) -> str:
    """Keep the first 6 and last 4 characters, mask the rest with '*' (values of 10 or fewer: mask all)."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 characters, mask the rest with '*' (values of 7 or fewer: mask all)."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def normalise_name(name: str) -> str:
    """Comparison key for organisation names: NFKC (full-width -> half-width), drop all whitespace
    (incl. U+3000), fold ASCII letters to upper case."""
    text = unicodedata.normalize("NFKC", name)
    return "".join(c for c in text if not c.isspace()).translate(_ASCII_UPPER)
