"""`make demo`: load a realistic Wenzhou into a running `make run` stack through its public APIs (the gateway).

    .venv/bin/python scripts/demo.py [--gateway http://127.0.0.1:8000] [--data-dir .data] [--size 3000]

What it loads (deterministic: one seed; see scripts/demo_city/): ~3,000 registered organisations of the three
kinds across 温州市 and its 12 county-level divisions by the registry's bulk import (JSON Lines, in parts under the
gateway's 1 MiB body limit), community organisations filed (备案) with 90 townships, grades (3A–5A), charity
status, 2025 annual reports, abnormal-list entries, Party organisations (joint branches), a purchase catalogue and
projects, and — when the cultivation service answers — township platforms with their assessments, incubation
bases, community activities and target profiles.

Idempotent-ish: the import is recognised by its content hash (a re-run reports every row `unchanged`), and every
other step first looks whether its first record is there and skips the step if so. Re-running never doubles.

Accounts: it signs in with the development staff account (`.data/dev-token`, written by `make run`), and creates
the few role accounts the demo needs (party, purchaser, a district and a township clerk) with the gateway's own
operator command (`python -m yishe_gateway.admin create-user`, GATEWAY_ENV=dev only), then uses them over HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from demo_city import generate, wenzhou  # noqa: E402

IMPORT_PART = 100  # rows per import request: the gateway's proxy answers 504 after its upstream timeout (1 s by
# default) even though the import goes on and commits; small parts stay under it, and a part retried after a 504 is
# recognised by its content hash (reported `unchanged`)
CONCURRENCY = 6
DEMO_PASSWORD = "demo-password-2026"
ACCOUNTS = {  # username: (role, division prefix, what it shows)
    "demo-party": ("party", "", "党建工作机构（全市）"),
    "demo-purchaser": ("purchaser", "", "购买主体（全市）"),
    "demo-lucheng": ("staff", "330302", "鹿城区民政局（区级视角）"),
    "demo-wuma": ("staff", "330302006", "五马街道（乡镇视角）"),
}


class Refused(RuntimeError):
    pass


@dataclass
class Api:
    """One signed-in caller of the gateway (bearer token); retries 429 and transient 5xx politely."""

    client: httpx.AsyncClient
    token: str
    gate: asyncio.Semaphore
    unconfirmed: int = 0
    refused: list[str] = field(default_factory=list)

    async def call(self, method: str, path: str, *, ok: tuple[int, ...] = (200, 201), patience: float = 0.2,
                   retry_504: bool = False, refusable: bool = False, **kw) -> httpx.Response:
        """`refusable`: a 400/404/409/422 (a rule said no, e.g. the record is already there after an interrupted run) is
        noted in `refused` and the load goes on."""
        headers = {"Authorization": f"Bearer {self.token}", **kw.pop("headers", {})}
        for attempt in range(8):
            async with self.gate:
                r = await self.client.request(method, path, headers=headers, **kw)
            if r.status_code == 504 and method == "POST" and not retry_504:
                # The gateway stopped waiting (its upstream timeout) but the service goes on and, as a rule, commits:
                # a second POST could record the thing twice. Counted as done; the step's summary says how many.
                self.unconfirmed += 1
                return r
            if r.status_code == 429 or r.status_code in (502, 503, 504):
                await asyncio.sleep(float(r.headers.get("retry-after", "0") or 0) or patience * (attempt + 1))
                continue
            if refusable and r.status_code in (400, 404, 409, 422):
                try:
                    why = r.json().get("errors", [{}])[0].get("message_zh") or r.json().get("detail")
                except (ValueError, AttributeError, IndexError):
                    why = r.text[:200]
                self.refused.append(f"{r.status_code} {path}: {why}")
                return r
            if r.status_code not in ok:
                raise Refused(f"{method} {path} → {r.status_code}: {r.text[:500]}")
            return r
        raise Refused(f"{method} {path} → still {r.status_code} after retries")


def _read_token(data_dir: Path) -> str:
    token_file = data_dir / "dev-token"
    if not token_file.exists():
        raise SystemExit(f"demo: {token_file} not found. Start the platform first: `make run` (GATEWAY_ENV=dev), "
                         "then `make demo` in another terminal.")
    return token_file.read_text(encoding="utf-8").strip()


def _ensure_accounts(data_dir: Path) -> None:
    """The role accounts the demo uses, made with the operator command on the gateway's store (as `make run` makes
    the dev account). An existing account is left as it is."""
    env = dict(os.environ)
    env.setdefault("GATEWAY_DB__URL", f"sqlite+aiosqlite:///{data_dir / 'gateway.db'}")
    env["GATEWAY_ADMIN_PASSWORD"] = DEMO_PASSWORD
    for username, (role, division, _) in ACCOUNTS.items():
        cmd = [sys.executable, "-m", "yishe_gateway.admin", "create-user", username, role, "--division", division]
        done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0 and "username_taken" not in done.stderr + done.stdout:
            raise SystemExit(f"demo: creating the account {username} failed:\n{done.stderr[-1500:]}")


async def _sign_in(client: httpx.AsyncClient, username: str, password: str) -> str:
    r = await client.post("/v1/auth/token", json={"username": username, "password": password})
    if r.status_code != 200:
        raise SystemExit(f"demo: sign-in as {username} failed: {r.status_code} {r.text[:300]}")
    return r.json()["access_token"]


def _step(title: str) -> float:
    print(f"  · {title} …", end="", flush=True)
    return time.perf_counter()


def _done(started: float, text: str) -> None:
    print(f" {text} ({time.perf_counter() - started:.1f} s)", flush=True)


async def _gather(coros) -> list:
    return await asyncio.gather(*coros)


class Loader:
    step = staticmethod(_step)
    done = staticmethod(_done)

    def __init__(self, staff: Api, party: Api, purchaser: Api, city: generate.City):
        self.staff, self.party, self.purchaser, self.city = staff, party, purchaser, city
        self.rng = random.Random(generate.SEED + 1)
        self.active = [o for o in city.orgs if o.status == "active"]
        self.summary: dict[str, str] = {}

    async def organisations(self) -> None:
        t = _step(f"登记社会组织 {len(self.city.orgs)} 家（批量导入）")
        totals = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
        errors = []
        for start in range(0, len(self.city.orgs), IMPORT_PART):
            part = self.city.orgs[start:start + IMPORT_PART]
            body = "\n".join(json.dumps(o.row(), ensure_ascii=False) for o in part).encode("utf-8")
            r = await self.staff.call("POST", "/api/registry/v1/exchange/imports", content=body,
                                      params={"format": "jsonl",
                                              "source": f"make demo part {start // IMPORT_PART + 1}"},
                                      headers={"content-type": "application/x-ndjson"}, patience=2.0,
                                      retry_504=True)  # safe: a part already written comes back `unchanged`
            report = r.json()
            for k in totals:
                totals[k] += report[k]
            errors += report["errors"][:3]
        _done(t, "新增 {created}，更新 {updated}，已有 {unchanged}，失败 {failed}".format(**totals))
        for e in errors[:5]:
            print(f"      row {e['row']} {e['field']} {e['rule']}: {e['message_zh']}")
        self.summary["社会组织（登记）"] = f"{len(self.city.orgs)}"

    async def filings(self) -> None:
        t = _step(f"乡镇（街道）备案社区社会组织 {len(self.city.filings)} 家")
        towns = sorted({f.township_code for f in self.city.filings})

        async def filed(code: str) -> list[str]:
            r = await self.staff.call("GET", "/api/registry/v1/filings", params={"township": code, "limit": 100})
            return [f["name"] for f in r.json()["items"]]
        names = [n for ns in await _gather(filed(c) for c in towns) for n in ns]
        todo = [f for f in self.city.filings if not any(n.endswith(f.village + f.sector + f.form) and f.township in n
                                                         for n in names)]

        made = 0

        async def one(f: generate.Filing) -> None:
            nonlocal made
            r = await self.staff.call("POST", "/api/registry/v1/filings", json={
                "community_class": f.community_class, "division_code": f.division_code,
                "township_code": f.township_code, "township": f.township, "village": f.village,
                "sector": f.sector, "form": f.form, "business_scope": f.business_scope,
                "leader": {"name": f.leader}, "members": f.members,
                "guiding_party_org": f"中共{f.township}{f.village}委员会"}, refusable=True)
            made += r.status_code == 201
        await _gather(one(f) for f in todo)
        _done(t, f"新增 {made}，已有 {len(self.city.filings) - len(todo)}")
        self.summary["社区社会组织（备案）"] = str(len(self.city.filings))

    def _graded(self) -> list[tuple[generate.Org, str, str]]:
        """About 16 % of the organisations hold a grade, announced 2021–2025 and at least two full years after their
        registration (EVAL-2)."""
        rng = random.Random(generate.SEED + 2)
        last = generate.date(2025, 12, 31)

        def earliest(o: generate.Org) -> generate.date:
            day = o.registration_date
            return max(generate.date(2021, 1, 1), day.replace(year=day.year + 2, day=min(day.day, 28))
                       + generate.timedelta(days=1))
        old = [o for o in self.active if earliest(o) <= generate.date(2025, 6, 30)]
        chosen = rng.sample(old, k=min(len(old), len(self.city.orgs) * 16 // 100))
        out = []
        for o in chosen:
            grade = rng.choices(["3A", "4A", "5A"], [55, 33, 12])[0]
            first = earliest(o)
            day = first + generate.timedelta(days=rng.randint(0, (last - first).days))
            out.append((o, grade, day.isoformat()))
        return out

    async def grades(self) -> None:
        graded = self._graded()
        t = _step(f"评估等级 {len(graded)} 家（3A–5A）")
        held = (await self.staff.call("GET", f"/api/registry/v1/organisations/{graded[0][0].uscc}/grades")).json()
        if held:
            _done(t, "已存在，跳过")
            return
        score = {"3A": (600, 749), "4A": (750, 899), "5A": (900, 980)}

        async def one(o: generate.Org, grade: str, day: str) -> None:
            lo, hi = score[grade]
            await self.staff.call("POST", f"/api/registry/v1/organisations/{o.uscc}/grades",
                                  json={"grade": grade, "announced_on": day, "score": (lo + hi) // 2},
                                  refusable=True)
        await _gather(one(*g) for g in graded)
        _done(t, "完成")
        counts = {g: sum(1 for _, x, _ in graded if x == g) for g in ("3A", "4A", "5A")}
        self.summary["评估等级"] = "，".join(f"{g} {n}" for g, n in counts.items())

    async def charities(self) -> None:
        rng = random.Random(generate.SEED + 3)
        pool = [o for o in self.active
                if o.org_type == "基金会" or o.sector in ("慈善", "公益", "志愿服务", "社会工作")]
        chosen = rng.sample(pool, k=min(len(pool), 180))
        t = _step(f"慈善组织认定 {len(chosen)} 家")
        held = (await self.staff.call("GET", f"/api/registry/v1/organisations/{chosen[0].uscc}/qualifications")).json()
        if held:
            _done(t, "已存在，跳过")
            return

        async def one(o: generate.Org) -> None:
            day = max(o.registration_date, generate.date(2017, 1, 1)).replace(day=1)
            await self.staff.call("POST", f"/api/registry/v1/organisations/{o.uscc}/qualifications", json={
                "kind": "charity", "granted_on": min(day.replace(year=day.year + 1), generate.date(2025, 12, 1))
                .isoformat(), "document_no": f"温民函〔{day.year + 1}〕{rng.randint(10, 199)}号"}, refusable=True)
        await _gather(one(o) for o in chosen)
        _done(t, "完成")
        self.summary["慈善组织"] = str(len(chosen))

    async def annual_reports(self) -> None:
        rng = random.Random(generate.SEED + 4)
        due = [o for o in self.active if o.registration_date.year <= 2024]
        chosen = rng.sample(due, k=len(due) * 15 // 100)  # the first to report for 2025
        t = _step(f"2025 年度工作报告 {len(chosen)} 份")
        r = await self.staff.call("GET", f"/api/registry/v1/organisations/{chosen[0].uscc}/annual-reports")
        if r.json():
            _done(t, "已存在，跳过")
            return

        async def one(o: generate.Org) -> None:
            income = rng.randint(5, 400) * 10000
            await self.staff.call("POST", f"/api/registry/v1/organisations/{o.uscc}/annual-reports", json={
                "year": 2025,
                "activities": f"全年开展{o.sector}相关活动{rng.randint(4, 40)}次，"
                              f"服务群众{rng.randint(2, 90) * 100}人次",
                "finance": {"total_income": str(income), "total_expenditure": str(int(income * rng.uniform(.6, 1.05))),
                            "net_assets": str(rng.randint(1, 300) * 10000)},
                "party_building": {"has_party_organisation": rng.random() < .35, "full_members": rng.randint(0, 9),
                                   "activities_held": rng.randint(0, 12)}}, refusable=True)
        await _gather(one(o) for o in chosen)
        _done(t, "完成")
        self.summary["年度工作报告（2025）"] = str(len(chosen))

    async def listings(self) -> None:
        rng = random.Random(generate.SEED + 5)
        chosen = rng.sample(self.active, k=max(10, len(self.active) // 40))
        t = _step(f"活动异常名录 {len(chosen)} 家")
        r = await self.staff.call("GET", "/api/credit/v1/lists/abnormal")
        if any(e["uscc"] == chosen[0].uscc for e in r.json()):
            _done(t, "已存在，跳过")
            return
        reasons = [("CR-6.1", "未按规定报送2024年度工作报告"), ("CR-6.2", "未按照有关规定设立党组织"),
                   ("CR-6.3", "登记事项变更未按规定办理变更登记")]

        async def one(o: generate.Org) -> None:
            trigger, fact = rng.choice(reasons)
            await self.staff.call("POST", "/api/credit/v1/listings", json={
                "uscc": o.uscc, "list_type": "abnormal", "trigger": trigger,
                "evidence": [f"温民社〔2026〕{rng.randint(1, 99)}号：{fact}"], "decided_by": "温州市民政局"},
                refusable=True)
        await _gather(one(o) for o in chosen)
        _done(t, "完成")
        self.summary["活动异常名录"] = str(len(chosen))

    async def party_organisations(self) -> None:
        """Joint branches (PARTY-2, up to 5 units) of organisations in the same county."""
        rng = random.Random(generate.SEED + 6)
        by_division: dict[str, list[generate.Org]] = {}
        for o in self.active:
            by_division.setdefault(o.division_code, []).append(o)
        groups = []
        for division, orgs in sorted(by_division.items()):
            pool = rng.sample(orgs, k=len(orgs) // 5)
            for i in range(0, len(pool) - 2, 4):
                groups.append((division, pool[i:i + 4]))
        t = _step(f"联合党支部 {len(groups)} 个")
        existing = (await self.party.call("GET", "/api/party/v1/party-organisations")).json()
        if existing:
            _done(t, f"已存在 {len(existing)} 个，跳过")
            return

        made = 0

        async def one(n: int, division: str, units: list[generate.Org]) -> None:
            nonlocal made
            # Imported records carry no Party members: each unit's count as captured (PARTY-5 correction), one or
            # two full members each, so the joint branch has the three PARTY-2 needs.
            for u in units:
                await self.party.call("PUT", f"/api/party/v1/records/{u.uscc}/member-counts", refusable=True, json={
                    "full_members": rng.randint(1, 2), "probationary_members": rng.randint(0, 1),
                    "reason": "历史登记数据导入后补录党员人数"})
            place = wenzhou.FULL_NAMES[division]
            r = await self.party.call("POST", "/api/party/v1/party-organisations", json={
                "name": f"中共{place}社会组织第{n + 1}联合支部委员会", "formation": "joint",
                "units": [u.uscc for u in units], "established_on": f"{rng.randint(2019, 2025)}-07-01",
                "secretary": {"name": generate.person(rng)}}, refusable=True)
            made += r.status_code == 201
        await _gather(one(n, d, u) for n, (d, u) in enumerate(groups))
        _done(t, f"建立 {made} 个")
        self.summary["党组织（联合支部）"] = str(made)

    async def procurement(self) -> None:
        t = _step("政府购买服务：指导目录与项目")
        existing = (await self.purchaser.call("GET", "/api/procurement/v1/catalogues")).json()
        if any(c["title"].startswith("温州市2026年") for c in existing):
            _done(t, "已存在，跳过")
            return
        items = [("A02", "社区治理服务", None, True), ("A0201", "社区社会组织培育孵化", "A02", True),
                 ("A0202", "乡镇（街道）社会组织服务平台运营", "A02", True), ("B01", "养老服务", None, False),
                 ("B0101", "居家养老上门服务", "B01", False), ("C01", "青少年服务", None, False),
                 ("C0101", "困境儿童关爱服务", "C01", False), ("D01", "社会工作服务", None, False)]
        cat = (await self.staff.call("POST", "/api/procurement/v1/catalogues", json={
            "level": "city", "division_code": "330300", "year": 2026, "title": "温州市2026年政府购买服务指导性目录",
            "issued_by": "温州市财政局", "items": [{"code": c, "name": n, "parent_code": p, "platform_support": s}
                                                for c, n, p, s in items]})).json()
        await self.staff.call("POST", f"/api/procurement/v1/catalogues/{cat['catalogue_id']}/publish")
        rng = random.Random(generate.SEED + 7)
        projects = []
        for division in wenzhou.COUNTIES:
            for code, title in (("A0202", "乡镇（街道）社会组织服务平台运营项目"), ("A0201", "社区社会组织培育项目"),
                                ("B0101", "居家养老上门服务项目"), ("C0101", "困境儿童关爱服务项目")):
                if rng.random() < 0.6:
                    projects.append((division, f"{wenzhou.FULL_NAMES[division]}{title}", code))

        async def one(division: str, title: str, code: str) -> None:
            p = (await self.purchaser.call("POST", "/api/procurement/v1/projects", json={
                "title": title, "purchaser_department": f"{wenzhou.FULL_NAMES[division]}民政局",
                "division_code": division, "catalogue_item_code": code,
                "budget_amount": str(rng.randint(10, 80) * 10000), "budget_source": "本级财政预算",
                "budget_year": 2026, "method": rng.choice(["竞争性磋商", "公开招标"]),
                "term_start": "2027-01-01", "term_end": "2027-12-31", "tender_end": "2026-12-28"})).json()
            await self.purchaser.call("POST", f"/api/procurement/v1/projects/{p['project_id']}/publish",
                                      refusable=True)
        await _gather(one(*p) for p in projects)
        _done(t, f"目录 1 本，项目 {len(projects)} 个")
        self.summary["政府购买服务项目"] = str(len(projects))


async def run(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir)
    token = _read_token(data_dir)
    started = time.perf_counter()
    limits = httpx.Limits(max_connections=CONCURRENCY + 2)
    async with httpx.AsyncClient(base_url=args.gateway, timeout=120, limits=limits) as client:
        try:
            r = await client.get("/health/live")
        except httpx.HTTPError as exc:
            raise SystemExit(f"demo: the gateway at {args.gateway} does not answer ({exc}). Run `make run` first.") \
                from exc
        if r.status_code != 200:
            raise SystemExit(f"demo: {args.gateway}/health/live → {r.status_code}")
        print(f"yishe demo: loading 温州 into {args.gateway} …", flush=True)
        _ensure_accounts(data_dir)
        gate = asyncio.Semaphore(CONCURRENCY)
        staff = Api(client, token, gate)
        party = Api(client, await _sign_in(client, "demo-party", DEMO_PASSWORD), gate)
        purchaser = Api(client, await _sign_in(client, "demo-purchaser", DEMO_PASSWORD), gate)
        city = generate.build(args.size)
        loader = Loader(staff, party, purchaser, city)
        await loader.organisations()
        await loader.filings()
        await loader.grades()
        await loader.charities()
        await loader.annual_reports()
        await loader.listings()
        await loader.party_organisations()
        await loader.procurement()
        try:
            from demo_city import cultivation
        except ImportError:
            cultivation = None
        if cultivation is not None:
            await cultivation.load(loader)
    print(f"\nyishe demo: done in {time.perf_counter() - started:.0f} s.")
    refused = staff.refused + party.refused + purchaser.refused
    if refused:
        print(f"  {len(refused)} records were refused by a rule and skipped, e.g.:")
        for line in refused[:5]:
            print(f"    {line}")
    late = staff.unconfirmed + party.unconfirmed + purchaser.unconfirmed
    if late:
        print(f"  ({late} writes answered 504 by the gateway (its upstream timeout) and were finished by the service "
              "after it stopped waiting; they were not sent again)")
    for k, v in loader.summary.items():
        print(f"  {k:　<12} {v}")
    sample = next(o for o in city.orgs if o.status == "active")
    print(f"""
Where to look:
  dashboard (培育发展看板)   {args.gateway}/dashboard   sign in as dev-staff / dev-staff (whole city),
                             demo-lucheng / {DEMO_PASSWORD} (鹿城区), demo-wuma / {DEMO_PASSWORD} (五马街道)
  一社一码 profile          {args.gateway}/v1/code/{sample.uscc}   ({sample.name})
  search                    {args.gateway}/api/registry/v1/search/organisations?q=温州市鹿城区
  API docs                  {args.gateway}/docs
""")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gateway", default=os.environ.get(
        "YISHE_GATEWAY_URL", f"http://127.0.0.1:{os.environ.get('YISHE_GATEWAY_PORT', '8000')}"))
    parser.add_argument("--data-dir", default=os.environ.get("YISHE_DATA_DIR", str(ROOT / ".data")))
    parser.add_argument("--size", type=int, default=3000, help="registered organisations (default 3000)")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
