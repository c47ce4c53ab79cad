"""The demo city as data: deterministic (one seed), so a re-run produces the same bytes and the registry's import
recognises its own content hash (nothing is written twice)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from yishe_contracts.identifiers import encode_sequence, make_uscc

from . import wenzhou, words

SEED = 20261202
CATEGORY = {"社会团体": "1", "民办非企业单位": "2", "基金会": "3"}


@dataclass
class Org:
    uscc: str
    name: str
    org_type: str
    division_code: str
    registration_date: date
    address: str
    legal_representative: str
    business_scope: str
    supervisory_unit: str | None
    sector: str
    status: str = "active"
    community_class: str | None = None
    activity_funds: int = 30000

    def row(self) -> dict:
        """One JSON Lines row of the registry's import (IMPORT-1 columns)."""
        return {
            "uscc": self.uscc, "name": self.name, "org_type": self.org_type, "division_code": self.division_code,
            "address": self.address, "legal_representative": self.legal_representative,
            "business_scope": self.business_scope, "supervisory_unit": self.supervisory_unit or "",
            "status": self.status, "registration_date": self.registration_date.isoformat(),
            "activity_funds": str(self.activity_funds), "sector": self.sector,
            "community_class": self.community_class or "",
        }


@dataclass
class Filing:
    """A community organisation filed (备案) with its township: no USCC, a filing number issued by the registry."""

    division_code: str
    township_code: str
    township: str
    village: str
    sector: str
    form: str
    community_class: str
    leader: str
    members: int
    business_scope: str


@dataclass
class City:
    orgs: list[Org] = field(default_factory=list)
    filings: list[Filing] = field(default_factory=list)


def person(rng: random.Random) -> str:
    return rng.choice(words.SURNAMES) + "".join(rng.sample(words.GIVEN, rng.choice((1, 2))))


def _address(rng: random.Random, division: str) -> str:
    town = rng.choice(list(wenzhou.TOWNSHIPS[division].values()) or ["城区"]) if division != "330300" else ""
    base = wenzhou.FULL_NAMES[division] if division != "330300" else "温州市鹿城区"
    city = base if base.startswith("温州市") else "温州市" + base
    return f"{city}{town}{rng.choice(wenzhou.ROADS)}{rng.randint(1, 399)}号"


def _town_word(town: str) -> str:
    """五马街道 → 五马, 藤桥镇 → 藤桥, 青街畲族乡 → 青街畲族."""
    for suffix in ("街道", "镇", "乡"):
        if town.endswith(suffix):
            return town[: -len(suffix)]
    return town


def _registration_date(rng: random.Random) -> date:
    # Most organisations are a few years old; a tail goes back to 2000 (the reform era of Wenzhou's chambers).
    years = min(int(rng.expovariate(1 / 6)), 25)
    return date(2025, 12, 31) - timedelta(days=365 * years + rng.randint(0, 364))


def build(total: int = 3000, filings_per_township: int = 4) -> City:
    """`total` registered organisations spread over the city and its counties by weight, plus community
    organisations filed with each township."""
    rng = random.Random(SEED)
    city = City()
    names: set[str] = set()
    divisions = list(wenzhou.WEIGHTS)
    weights = [wenzhou.WEIGHTS[d] for d in divisions]
    seq = 0
    while len(city.orgs) < total:
        division = "330300" if rng.random() < 0.08 else rng.choices(divisions, weights)[0]
        kind = rng.choices(["社会团体", "民办非企业单位", "基金会"], [45, 50, 5])[0]
        brand = rng.choice(words.BRANDS) if rng.random() < 0.7 else ""
        community_class = None
        if kind == "社会团体":
            sector, forms = rng.choice(words.GROUP_SECTORS)
            form = rng.choice(forms)
            if rng.random() < 0.12 and division != "330300":
                community_class = "成熟型"  # registered community organisations (社区社会组织, REG-12)
        elif kind == "民办非企业单位":
            sector, forms = rng.choice(words.SERVICE_SECTORS)
            form = rng.choice(forms)
            if rng.random() < 0.10 and division != "330300":
                community_class = "成熟型"
        else:
            sector, form = rng.choice(words.FOUNDATION_SECTORS)
            if sector == "社区发展":  # a community development foundation carries its township's name
                towns = list((wenzhou.TOWNSHIPS.get(division) or {}).values())
                brand = _town_word(rng.choice(towns)) if towns else rng.choice(words.BRANDS)
        if kind != "社会团体" and not brand:
            brand = rng.choice(words.BRANDS)  # REG-6: a 民办非 or a foundation needs a 字号
        name = f"{wenzhou.FULL_NAMES[division]}{brand}{sector}{form}"
        if name in names:
            continue
        names.add(name)
        seq += 1
        body8 = "5" + encode_sequence(seq, 7)  # legacy organisation-code bodies; issued codes use "MJ" (USCC-8)
        uscc = make_uscc(category=CATEGORY[kind], division_code=division, body8=body8)
        registered = _registration_date(rng)
        status = "active" if rng.random() > 0.03 else rng.choice(["deregistered", "注销"])
        funds = {"基金会": rng.choice([2_000_000, 4_000_000, 8_000_000])}.get(kind, rng.choice([30000, 50000, 100000]))
        city.orgs.append(Org(
            uscc=uscc, name=name, org_type=kind, division_code=division, registration_date=registered,
            address=_address(rng, division), legal_representative=person(rng),
            business_scope=f"{sector}服务、交流、培训、咨询", supervisory_unit=rng.choice(words.SUPERVISORS)
            if kind != "基金会" else None, sector=sector, status="deregistered" if status != "active" else "active",
            community_class=community_class, activity_funds=funds))
    for division, towns in wenzhou.TOWNSHIPS.items():
        for code, town in towns.items():
            seen: set[str] = set()
            while len(seen) < filings_per_township:
                sector, form = rng.choice(words.COMMUNITY_KINDS)
                village = rng.choice(wenzhou.VILLAGE_WORDS) + rng.choice(wenzhou.VILLAGE_SUFFIXES)
                if village + sector + form in seen:
                    continue
                seen.add(village + sector + form)
                city.filings.append(Filing(
                    division_code=division, township_code=code, township=town, village=village, sector=sector,
                    form=form, community_class=rng.choice(["初创型", "成长型", "成长型"]), leader=person(rng),
                    members=rng.randint(8, 80), business_scope=f"{sector}，服务社区居民"))
    return city
