"""The cultivation part of `make demo` (services/cultivation through the gateway): target sets from the seeds'
profiles, a service platform per township with its assessments, incubation bases with residents, and a year and a
half of community organisations' activities (some organisations left without any, so the inactive list has names)."""

from __future__ import annotations

import asyncio
import json
import random
import time
from datetime import date, timedelta
from typing import Any

from . import generate, wenzhou

Loader = Any  # scripts/demo.py's Loader: staff / party / purchaser callers, the city, step() / done(), summary

C = "/api/cultivation/v1"
KINDS = ["volunteer", "culture_sports", "public_service", "mutual_aid", "governance", "training"]
TITLES = {"volunteer": "志愿服务日", "culture_sports": "邻里文体汇", "public_service": "公益集市",
          "mutual_aid": "邻里互助", "governance": "民主议事会", "training": "骨干能力培训"}
ACTIVITY_PART = 500  # rows per import request: the service answers up to 500 at once (longer files become jobs)
THIS_YEAR, LAST_YEAR = 2026, 2025


async def load(loader: Loader) -> None:
    staff = loader.staff
    probe = await staff.client.get(f"{C}/targets/indicators", headers={"Authorization": f"Bearer {staff.token}"})
    if probe.status_code != 200:
        print(f"  · 培育发展服务未响应（{probe.status_code}），跳过平台、活动、孵化与目标")
        return
    rubric = [(item["code"], int(item["points"])) for item in (await staff.call("GET", f"{C}/platforms/rubric")).json()]
    await caught_up(loader)
    await targets(loader)
    await platforms(loader, rubric)
    await incubation(loader)
    await activities(loader)


async def caught_up(loader: Loader, limit_s: float = 180.0) -> None:
    """Cultivation learns organisations and filings from registry's events: wait until it knows the community
    organisations the demo made (or stops learning more) before platforms and activities refer to them."""
    t = loader.step("等待培育发展服务同步登记与备案事件")
    expected = len(loader.city.filings) + sum(1 for o in loader.active if o.community_class)
    started, seen, still = time.perf_counter(), -1, 0
    while time.perf_counter() - started < limit_s:
        known = len((await loader.staff.call("GET", f"{C}/community-organisations",
                                             params={"division": "3303"})).json())
        if known >= expected:
            break
        still = still + 1 if known == seen else 0
        if still >= 5:
            break
        seen = known
        await asyncio.sleep(2)
    loader.done(t, f"已同步 {known} / {expected} 家社区社会组织")


async def targets(loader: Loader) -> None:
    """The seeds' Wenzhou profile (3303) and Longgang's (330383) for the years they name; 2026 carries the 2025
    targets on; each county gets the 2026 share targets and its weighted part of the city's counts (demo data)."""
    t = loader.step("发展目标（温州、龙港方案与各县 2026 年度目标）")
    staff = loader.staff
    existing = (await staff.call("GET", f"{C}/targets/sets")).json()
    have = {(s["division_code"], s["year"]) for s in existing}
    profiles = {p["code"]: p for p in (await staff.call("GET", f"{C}/targets/profiles")).json()}
    made = 0

    async def make(body: dict) -> None:
        nonlocal made
        if (body["division_code"], body["year"]) in have:
            return
        await staff.call("POST", f"{C}/targets/sets", json=body, refusable=True)
        made += 1

    for code, division in (("wenzhou", "3303"), ("longgang", "330383")):
        profile = profiles.get(code)
        if not profile:
            continue
        years = sorted(int(y) for y in profile["years"])
        for year in years:
            await make({"division_code": division, "year": year, "profile": code,
                        "label": f"{profile['label']}（{year}年）"})
        last = {k: v for k, v in profile["years"][str(years[-1])].items()}
        await make({"division_code": division, "year": THIS_YEAR, "targets": last,
                    "label": f"{profile['label']}（{THIS_YEAR}年，延续{years[-1]}年目标）"})
    city = profiles.get("wenzhou", {}).get("years", {}).get("2025", {})
    total = sum(wenzhou.WEIGHTS.values())
    for division, name in wenzhou.COUNTIES.items():
        if division == "330383":
            continue  # 龙港 has its own profile above
        share = wenzhou.WEIGHTS[division] / total
        own = {k: v for k, v in city.items() if k in ("healthy_share", "platforms_in_operation",
                                                      "county_activity_strict", "county_activity_lenient")}
        for k in ("grade_4a5a", "charities", "community_foundations"):
            if k in city:
                own[k] = [city[k][0], max(1, round(float(city[k][1]) * share))]
        await make({"division_code": division, "year": THIS_YEAR, "targets": own,
                    "label": f"{name}{THIS_YEAR}年目标（演示：市级目标按县（市、区）分解）"})
    loader.done(t, f"新建 {made} 套，已有 {len(have)} 套")


async def platforms(loader: Loader, rubric: list[tuple[str, int]]) -> None:
    """A 社会组织服务中心 per township: a local social-work organisation runs most; a few are run by an
    organisation from elsewhere that passes PLAT-1 (≥ 2 years, ≥ 3A); 2025 and 2026 assessments on the rubric."""
    rng = random.Random(generate.SEED + 20)
    staff = loader.staff
    t = loader.step("乡镇（街道）社会组织服务平台与年度评估")
    existing = {p["township_code"]: p for p in (await staff.call("GET", f"{C}/platforms")).json()}
    by_county: dict[str, list[generate.Org]] = {}
    for o in loader.active:
        if o.org_type == "民办非企业单位" and o.sector in ("社会工作", "社区", "公益", "家庭"):
            by_county.setdefault(o.division_code, []).append(o)
    graded = [o for o, grade, day in loader._graded() if day < "2025-01-01"]
    made = assessed = 0
    for county, towns in wenzhou.TOWNSHIPS.items():
        for code, town in towns.items():
            if code in existing:
                continue
            local = by_county.get(county) or []
            if local and rng.random() < 0.85:
                operator = rng.choice(local)
            else:
                outside = [o for o in graded if o.division_code != county and o.registration_date.year <= 2022]
                operator = rng.choice(outside) if outside else None
            body = {"township_code": code, "name": f"{wenzhou.FULL_NAMES[county]}{town}社会组织服务中心",
                    "operator_uscc": operator.uscc if operator else None,
                    "space_m2": str(rng.choice([180, 260, 320, 360, 450, 600])),
                    "full_time_social_workers": rng.randint(0, 4), "physical_operation": rng.random() < 0.82,
                    "operating_since": f"{rng.randint(2019, 2024)}-0{rng.randint(1, 9)}-01"}
            r = await staff.call("POST", f"{C}/platforms", json=body, refusable=True)
            if r.status_code != 201:
                body["operator_uscc"] = None  # the operator was refused (PLAT-1): the township runs it itself
                r = await staff.call("POST", f"{C}/platforms", json=body, refusable=True)
                if r.status_code != 201:
                    continue
            made += 1
            existing[code] = r.json()
    for p in existing.values():
        if p.get("latest_year"):
            continue
        quality = rng.uniform(0.62, 0.97)  # one platform's level; its two years differ a little
        for year, day in ((LAST_YEAR, "2025-12-15"), (THIS_YEAR, "2026-11-20")):
            level = min(1.0, quality + (rng.uniform(0, 0.06) if year == THIS_YEAR else 0))
            items = [{"code": c, "score": str(round(points * min(1.0, rng.uniform(level - 0.08, level + 0.08)), 1)),
                      "evidence": [f"https://mzj.wenzhou.gov.cn/pt/{p['township_code']}/{year}/{c}.pdf"]}
                     for c, points in rubric]
            await staff.call("PUT", f"{C}/platforms/{p['platform_id']}/assessments/{year}", refusable=True,
                             json={"items": items, "assessor": "温州市民政局评估组", "assessed_on": day})
            assessed += 1
    loader.done(t, f"新建平台 {made} 个，评估 {assessed} 次")
    loader.summary["服务平台"] = str(len(existing))


async def incubation(loader: Loader) -> None:
    """The four-level system (seed 000): the city park, a park per county, stations in a few townships; young
    organisations live in them and some have graduated (出壳)."""
    rng = random.Random(generate.SEED + 21)
    staff = loader.staff
    t = loader.step("四级孵化体系（市级园、县级园、乡镇社工站）与入驻组织")
    if (await staff.call("GET", f"{C}/incubation/bases")).json():
        loader.done(t, "已存在，跳过")
        return
    young = sorted((o for o in loader.active if o.registration_date.year >= 2023), key=lambda o: o.uscc)
    bases = [("city_park", "温州市社会组织孵化园", "330300", "2016-05-20")]
    for county in wenzhou.COUNTIES:
        bases.append(("county_park", f"{wenzhou.FULL_NAMES[county]}社会组织孵化园", county,
                      f"{rng.randint(2017, 2021)}-06-01"))
        for code, town in list(wenzhou.TOWNSHIPS[county].items())[:2]:
            bases.append(("township_station", f"{wenzhou.FULL_NAMES[county]}{town}社会工作站", code,
                          f"{rng.randint(2021, 2024)}-03-01"))
    residents = 0
    for level, name, division, opened in bases:
        base = (await staff.call("POST", f"{C}/incubation/bases", refusable=True, json={
            "level": level, "name": name, "division_code": division, "opened_on": opened,
            "party_centre_name": f"{name}党群服务中心", "party_centre_established_on": opened,
            "party_centre_contact": generate.person(rng)})).json()
        if "base_id" not in base:
            continue
        pool = [o for o in young if level == "city_park" or o.division_code == division[:6]]
        for o in rng.sample(pool, k=min(len(pool), {"city_park": 12, "county_park": 6}.get(level, 3))):
            entered = max(o.registration_date, date.fromisoformat(opened)) + timedelta(days=rng.randint(0, 120))
            if entered > date(2026, 11, 30):
                continue
            stay = (await staff.call("POST", f"{C}/incubation/bases/{base['base_id']}/residents", refusable=True,
                                     json={"uscc": o.uscc, "entered_on": entered.isoformat(),
                                           "entry_reason": "初创期社会组织申请入驻，经评审同意",
                                           "party_incubated": rng.random() < 0.5})).json()
            residents += 1
            left = entered + timedelta(days=rng.randint(300, 700))
            if "residency_id" in stay and left < date(2026, 11, 30) and rng.random() < 0.5:
                await staff.call("POST", f"{C}/incubation/residencies/{stay['residency_id']}/exit", refusable=True,
                                 json={"exited_on": left.isoformat(), "exit_reason": "孵化期满，通过出壳评估",
                                       "exit_kind": "graduated"})
    loader.done(t, f"孵化载体 {len(bases)} 个，入驻 {residents} 家")
    loader.summary["孵化载体"] = str(len(bases))


async def activities(loader: Loader) -> None:
    """2025 and 2026 (to date) activities of the community organisations cultivation knows (registered and filed),
    by the bulk import; one in five has none this year (the inactive list), others vary in rhythm and size."""
    rng = random.Random(generate.SEED + 22)
    staff = loader.staff
    t = loader.step("社区社会组织活动记录（2025—2026 年，批量导入）")
    orgs = (await staff.call("GET", f"{C}/community-organisations", params={"division": "3303"})).json()
    # Registered community organisations: their township from the address the demo gave them.
    towns_by_name = {(c, n): code for c, ts in wenzhou.TOWNSHIPS.items() for code, n in ts.items()}
    by_uscc = {o.uscc: o for o in loader.city.orgs}
    for org in orgs:
        if org["kind"] == "registered" and not org.get("township_code") and org["uscc"] in by_uscc:
            source = by_uscc[org["uscc"]]
            code = next((v for (c, n), v in towns_by_name.items() if c == source.division_code and n in source.address),
                        None)
            if code:
                await staff.call("PUT", f"{C}/community-organisations/{org['uscc']}/township",
                                 json={"township_code": code}, refusable=True)
    today = date(2026, 11, 30)
    rows = []
    for org in sorted(orgs, key=lambda o: o.get("uscc") or o.get("filing_no") or ""):
        key = org.get("uscc") or org.get("filing_no")
        rhythm = rng.choices(["none", "rare", "steady", "busy"], [20, 25, 40, 15])[0]
        for year in (LAST_YEAR, THIS_YEAR):
            if rhythm == "none" and year == THIS_YEAR:
                continue
            per_quarter = {"none": 1, "rare": 0, "steady": 1, "busy": 3}[rhythm]
            for q in range(4):
                n = per_quarter if rhythm != "rare" else int(rng.random() < 0.4)
                for i in range(n):
                    day = date(year, 3 * q + 1, 1) + timedelta(days=rng.randint(0, 88))
                    if day > today:
                        continue
                    kind = rng.choice(KINDS)
                    participants = rng.randint(8, 120)
                    rows.append({"uscc" if org.get("uscc") else "filing_no": key, "activity_date": day.isoformat(),
                                 "kind": kind, "title": TITLES[kind], "participants": participants,
                                 "residents": rng.randint(participants // 2, participants),
                                 "ref": f"demo-{key}-{year}-{q}-{i}"})
    imported = unchanged = failed = 0
    for start in range(0, len(rows), ACTIVITY_PART):
        body = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows[start:start + ACTIVITY_PART]).encode()
        r = await staff.call("POST", f"{C}/activities/import", params={"format": "jsonl"}, content=body,
                             headers={"content-type": "application/x-ndjson"}, retry_504=True, patience=2.0,
                             ok=(200, 201, 202))
        report = r.json()
        imported += report.get("imported", 0)
        unchanged += report.get("unchanged", 0)
        failed += len(report.get("errors", []))
    loader.done(t, f"{len(orgs)} 家组织，活动 {len(rows)} 条：新增 {imported}，已有 {unchanged}，未导入 {failed}")
    loader.summary["社区社会组织活动"] = str(len(rows))
