"""Pure name rules: canonical form, builder and validator per kind (REG-6, REG-7), the core used for similarity."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from yishe_contracts.identifiers import normalise_name
from yishe_kit.errors import Problem

from ..kinds import RESERVED_NAME_WORDS, form_labels, is_national

_HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff·（）]+$")
_FOUNDATION, _PNE = "基金会", "民办非企业单位"


def canonical(name: str) -> str:
    """Full-width letters/digits to half-width (NFKC), no whitespace, Chinese brackets （）."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(c for c in text if not c.isspace())
    return text.replace("(", "（").replace(")", "）")


def key(name: str) -> str:
    """The comparison key (contracts `normalise_name`): what uniqueness and similarity are decided on."""
    return normalise_name(name)


@dataclass(frozen=True)
class NameContext:
    org_type: str
    division_code: str
    community: bool = False
    township: str | None = None
    village: str | None = None


def division_prefixes(division_code: str, division_names: dict[str, str], community: bool) -> tuple[str, ...]:
    """REG-6: the division name a local name starts with; REG-7: a city district keeps the city name in front."""
    full = division_names.get(division_code)
    if not full:
        return ()
    city = division_names.get(division_code[:4] + "00")
    if city and city != full and full.startswith(city) and not community:
        return (full, full[len(city):])
    return (full,)


def _strip_prefix(text: str, prefixes: tuple[str, ...]) -> str | None:
    for p in sorted(prefixes, key=len, reverse=True):
        if text.startswith(p):
            return text[len(p):]
    return None


def validate(name: str, ctx: NameContext, division_names: dict[str, str]) -> list[Problem]:
    """REG-6/REG-7: characters, reserved words, division prefix, township segment, form label, a sector or 字号."""
    problems: list[Problem] = []
    rule = "REG-7" if ctx.community else "REG-6"
    text = canonical(name)

    def bad(zh: str, en: str, r: str = rule) -> None:
        problems.append(Problem("name", r, zh, en))

    if len(text) < 4:
        bad("名称过短", "the name is too short")
        return problems
    if not _HAN.match(text):
        bad("名称应当使用规范汉字（可含“·”和括号），不得含字母、数字或其他符号",
            "a name uses standard Chinese characters only (· and brackets allowed)", "REG-6")
    if not is_national(ctx.division_code) and any(w in text for w in RESERVED_NAME_WORDS):
        bad("地方社会组织名称不得使用“中国”“全国”“中华”等字词",
            "a local organisation's name may not use 中国/全国/中华", "REG-6")
    rest: str | None = text
    prefixes = division_prefixes(ctx.division_code, division_names, ctx.community)
    if prefixes:
        rest = _strip_prefix(text, prefixes)
        if rest is None:
            bad(f"名称应以行政区划名称“{prefixes[0]}”开头", f"the name must start with the division name {prefixes[0]}")
            loose = division_prefixes(ctx.division_code, division_names, False)  # go on after a short form
            rest = _strip_prefix(text, loose) or text
    if ctx.community:
        for seg, zh, en in ((ctx.township, "乡镇（街道）", "township/street"), (ctx.village, "村（社区）", "village")):
            if not seg:
                if en == "township/street":
                    bad("社区社会组织名称应包含乡镇（街道）名称",
                        "a community organisation's name includes its township")
                continue
            if rest.startswith(seg):
                rest = rest[len(seg):]
            else:
                bad(f"名称中行政区划之后应为{zh}名称“{seg}”", f"the {en} name {seg} must follow the division name")
    labels = form_labels(ctx.org_type, ctx.community)
    form = next((f for f in sorted(labels, key=len, reverse=True) if rest.endswith(f)), None)
    if form is None:
        bad(f"{ctx.org_type}名称应以组织形式结尾，如：{'、'.join(labels[:6])}",
            f"a {ctx.org_type} name ends with its organisational form, e.g. {', '.join(labels[:6])}")
    else:
        middle = rest[: len(rest) - len(form)]
        need = 1 if ctx.community else 2
        if len(middle) < need:
            what = "字号和行业（领域）" if ctx.org_type in (_FOUNDATION, _PNE) else "行业（领域）或会员组成"
            bad(f"名称应包含{what}", f"the name must contain its {'trade name and ' if need else ''}sector")
    return problems


@dataclass(frozen=True)
class NameParts:
    division_name: str
    township: str | None
    village: str | None
    trade_name: str | None
    sector: str | None
    form: str


def build(parts: NameParts, ctx: NameContext) -> tuple[str, list[Problem]]:
    """REG-6/REG-7 builder: division + [township [+ village]] + [字号] + sector + form; which parts are required."""
    problems: list[Problem] = []
    rule = "REG-7" if ctx.community else "REG-6"
    needs_trade = ctx.org_type in (_FOUNDATION, _PNE)
    if needs_trade and not parts.trade_name:
        problems.append(Problem("trade_name", rule, "基金会和民办非企业单位（社会服务机构）名称应包含字号",
                                "foundations and social service agencies need a trade name (字号)"))
    community_foundation = ctx.community and ctx.org_type == _FOUNDATION
    if not parts.sector and not community_foundation:
        problems.append(Problem("sector", rule, "名称应包含行业（领域）或业务范围",
                                "the name needs its sector or field"))
    if ctx.community and not parts.township:
        problems.append(Problem("township", "REG-7", "社区社会组织名称应包含乡镇（街道）名称",
                                 "a community organisation's name includes its township/street"))
    local = (parts.township, parts.village) if ctx.community else (None, None)
    segments = [parts.division_name, *local, parts.trade_name, parts.sector, parts.form]
    return canonical("".join(s for s in segments if s)), problems


def core(name_key: str, ctx: NameContext, division_names: dict[str, str]) -> str:
    """What distinguishes a name: without the division, township, village and the form label."""
    rest = _strip_prefix(name_key, division_prefixes(ctx.division_code, division_names, False)) or name_key
    for seg in (ctx.township, ctx.village):
        if seg and rest.startswith(key(seg)):
            rest = rest[len(key(seg)):]
    labels = form_labels(ctx.org_type, ctx.community)
    form = next((f for f in sorted(labels, key=len, reverse=True) if rest.endswith(f)), "")
    return rest[: len(rest) - len(form)] or rest


def bigrams(text: str) -> list[str]:
    return [text[i:i + 2] for i in range(len(text) - 1)] if len(text) > 1 else [text]


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the two cores' bigram multisets (1.0 = same core)."""
    if a == b:
        return 1.0
    ga, gb = Counter(bigrams(a)), Counter(bigrams(b))
    total = sum(ga.values()) + sum(gb.values())
    return 2 * sum((ga & gb).values()) / total if total else 0.0
