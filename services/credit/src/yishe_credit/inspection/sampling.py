"""Reproducible stratified sampling: members ranked by SHA-256(seed | stratum | uscc), the first ⌈n·ratio⌉ drawn.
Independent of Python's `random` implementation, so the draw can be re-done anywhere from the published seed."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Member:
    uscc: str
    org_type: str
    division_code: str


def stratum_of(m: Member, division_digits: int) -> str:
    return f"{m.org_type}|{m.division_code[:division_digits]}"


def _rank(seed: str, *parts: str) -> str:
    return hashlib.sha256("|".join((seed, *parts)).encode("utf-8")).hexdigest()


def draw(population: list[Member], seed: str, ratio: Decimal, division_digits: int
         ) -> tuple[list[tuple[Member, str]], list[dict]]:
    """(sampled members with their stratum, per-stratum counts); at least one per non-empty stratum."""
    strata: dict[str, list[Member]] = {}
    for m in population:
        strata.setdefault(stratum_of(m, division_digits), []).append(m)
    chosen: list[tuple[Member, str]] = []
    summary = []
    for key in sorted(strata):
        members = sorted(strata[key], key=lambda m: _rank(seed, key, m.uscc))
        k = min(len(members), max(1, math.ceil(len(members) * ratio)))
        chosen += [(m, key) for m in members[:k]]
        summary.append({"stratum": key, "population": len(members), "sampled": k})
    return chosen, summary


def pick_inspectors(inspector_ids: list[int], seed: str, uscc: str, n: int) -> list[int]:
    """The n inspectors ranked first for this organisation under the seed."""
    return sorted(inspector_ids, key=lambda i: _rank(seed, "inspector", uscc, str(i)))[:n]
