"""USCC-1..6 checked against an independent implementation: python-stdnum's `stdnum.cn.uscc` (GB 32100 length,
format and mod-31 check character). Every code our issuer makes is valid to stdnum, and whatever stdnum rejects our
validator rejects too (ours is stricter: it also checks the GB 11714 organisation-code character, USCC-6)."""

from __future__ import annotations

import random

from stdnum.cn import uscc as stdnum_uscc

from yishe_contracts.identifiers import (
    SOCIAL_ORG_CATEGORIES,
    USCC_CHARSET,
    encode_sequence,
    make_uscc,
    validate_social_org_uscc,
    validate_uscc,
)

DIVISIONS = ("330302", "330303", "330304", "330305", "330324", "330381", "110101", "310104", "440305", "500103")


def issued(rng: random.Random, n: int) -> list[str]:
    codes = []
    for i in range(n):
        body8 = rng.choice(["MJ", "MA", "G0", ""]).ljust(2, rng.choice(USCC_CHARSET))
        body8 += encode_sequence(rng.randrange(31 ** (8 - len(body8))), 8 - len(body8)) if i % 2 else \
            "".join(rng.choice(USCC_CHARSET) for _ in range(8 - len(body8)))
        codes.append(make_uscc(category=rng.choice(SOCIAL_ORG_CATEGORIES), division_code=rng.choice(DIVISIONS),
                               body8=body8))
    return codes


def test_every_issued_uscc_is_valid_to_stdnum_when_generated_in_bulk() -> None:
    """USCC-5 (GB 32100 check character) and USCC-1/3 (length, characters): 5,000 codes from our issuer."""
    rng = random.Random(32100)
    codes = issued(rng, 5000)
    assert len(set(codes)) > 4900
    invalid = [c for c in codes if not stdnum_uscc.is_valid(c)]
    assert invalid == []
    assert all(validate_social_org_uscc(c) == [] for c in codes)


def test_our_validator_rejects_every_code_stdnum_rejects_when_codes_are_mutated() -> None:
    """USCC-1/3/5: one character changed, swapped, dropped or added; stdnum's verdict 'invalid' is always ours."""
    rng = random.Random(11714)
    alphabet = USCC_CHARSET + "IOSVZ-*"
    rejected_by_stdnum = 0
    for code in issued(rng, 2000):
        i = rng.randrange(18)
        mutations = [code[:i] + rng.choice(alphabet) + code[i + 1:],
                     code[:i] + code[i + 1:],
                     code[:i] + rng.choice(USCC_CHARSET) + code[i:],
                     code[:i] + code[(i + 1) % 18] + code[i] + code[i + 2:] if i < 17 else code[::-1]]
        for mutated in mutations:
            if not stdnum_uscc.is_valid(mutated):
                rejected_by_stdnum += 1
                assert validate_uscc(mutated) != [], mutated
            if validate_uscc(mutated) == []:
                assert stdnum_uscc.is_valid(mutated), mutated
    assert rejected_by_stdnum > 6000  # the mutations do exercise the rejections
