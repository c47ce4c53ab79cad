"""Benchmark: registry lookups and bulk import with N organisations loaded (issue: registration management).

Starts the registry (uvicorn, one worker, SQLite file, relay off, no NATS needed) and a bare FastAPI JSON endpoint,
each in its own process. Loads N organisations through the bulk import endpoint (CSV, 10,000 rows per request,
events written to the outbox as in production), then measures, one request at a time:
  * USCC lookup      GET /v1/organisations/{uscc}
  * name search      GET /v1/search/organisations?q=…  (selective 3–5 character substrings, common sector words,
                     2-character and 1-character queries reported separately)
  * the bare endpoint in the same run, and each figure's ratio to it.
Targets (issue): with 1,000,000 organisations on SQLite, USCC lookup p95 < 50 ms, name search p95 < 100 ms,
import ≥ 5,000 rows/s.

Usage: python bench/registry_lookup.py [N]   (default 1,000,000)
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DIVISIONS = {"330302": "温州市鹿城区", "330303": "温州市龙湾区", "330304": "温州市瓯海区", "330324": "永嘉县",
             "330381": "瑞安市", "330382": "乐清市", "330383": "龙港市"}
ALPHABET = "".join(dict.fromkeys(
    "春夏秋冬梅兰竹菊松柏山川河海星辰日月风云金木水火土天地玄黄宇宙洪荒寒来暑往收藏闰余成岁律吕调阳"
    "云腾致雨露结为霜金生丽水玉出昆冈剑号巨阙珠称夜光果珍李柰菜重芥姜鸟官人皇始制文字乃服衣裳推位让国"))
SECTORS = ["青年志愿", "老年书画", "摄影艺术", "围棋", "慈善救助", "科技咨询", "心理健康", "家庭教育", "环境保护",
           "非遗传承", "读书", "戏曲", "足球运动", "康复服务", "社区养老", "眼镜行业", "鞋革行业", "民宿"]
FORMS = {"社会团体": ("协会", "促进会", "研究会"), "民办非企业单位": ("服务中心", "研究院", "培训学校"),
         "基金会": ("基金会",)}
CATEGORY = {"社会团体": "1", "民办非企业单位": "2", "基金会": "3"}
CHUNK = 10_000


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def trade_name(i: int) -> str:
    """A unique 4-character 字号 for each i (base len(ALPHABET))."""
    n, out = len(ALPHABET), []
    for _ in range(4):
        i, r = divmod(i, n)
        out.append(ALPHABET[r])
    return "".join(out)


def organisations(n: int, seed: int = 7):
    from yishe_contracts.identifiers import encode_sequence, make_uscc

    rnd = random.Random(seed)
    for i in range(n):
        division = rnd.choice(list(DIVISIONS))
        org_type = rnd.choices(list(FORMS), weights=(6, 3, 1))[0]
        name = DIVISIONS[division] + trade_name(i) + rnd.choice(SECTORS) + rnd.choice(FORMS[org_type])
        uscc = make_uscc(category=CATEGORY[org_type], division_code=division, body8="BM" + encode_sequence(i, 6))
        yield uscc, name, org_type, division


def csv_chunk(rows: list[tuple]) -> bytes:
    lines = ["uscc,name,org_type,division_code,address,legal_representative,business_scope,status,"
             "registration_date,activity_funds"]
    lines += [f"{u},{n},{t},{d},{DIVISIONS[d]}某路1号,张三,公益服务,active,2015-06-01,50000" for u, n, t, d in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


def serve(args: list[str], env: dict[str, str], port: int, log: Path | None = None) -> subprocess.Popen:
    """The app in its own uvicorn process; its output to `log` if given (else dropped)."""
    from yishe_kit.testing import wait_for_port

    out = log.open("ab") if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", *args, "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning", "--no-access-log"], env={**os.environ, **env},
                            stdout=out, stderr=subprocess.STDOUT)
    wait_for_port(port, timeout=30)
    return proc


def timed(client: httpx.Client, urls: list[str], expect: int = 200) -> list[float]:
    out = []
    for url in urls:
        t = time.perf_counter()
        resp = client.get(url)
        out.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == expect, (url, resp.status_code, resp.text[:200])
    return out


def line(label: str, ms: list[float], bare95: float) -> str:
    p50, p95 = statistics.median(ms), pct(ms, 95)
    return f"  {label:<44} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   p95/bare {p95 / bare95:6.1f}×"


def run(n: int) -> None:
    from yishe_kit.assertion import HEADER, Minter, write_pem_pair
    from yishe_kit.testing import free_port, migrate

    data = Path(tempfile.mkdtemp(prefix="yishe-bench-registry-"))
    db = data / "registry.db"
    migrate(ROOT / "services" / "registry", f"sqlite+aiosqlite:///{db}")
    env = {"REGISTRY_DB__URL": f"sqlite+aiosqlite:///{db}", "REGISTRY_RELAY__ENABLED": "false",
           "NATS_URL": f"nats://127.0.0.1:{free_port()}", "REGISTRY_LOG_LEVEL": "WARNING"}
    private, public = write_pem_pair(data / "keys")  # the registry accepts only calls vouched for by this key
    env["REGISTRY_ASSERTION__PUBLIC_KEY_FILE"] = str(public)
    staff = {HEADER: Minter(private.read_text()).mint("registry", role="staff", actor="bench", ttl_seconds=86400)}
    reg_port, bare_port = free_port(), free_port()
    registry = serve(["--factory", "yishe_registry.main:create_app"], env, reg_port)
    bare = serve(["--app-dir", str(ROOT / "bench"), "registry_lookup:bare_app"], {}, bare_port)
    try:
        sample: list[tuple] = []
        rnd = random.Random(11)
        with httpx.Client(base_url=f"http://127.0.0.1:{reg_port}", timeout=600, headers=staff) as client:
            rows, started, imported = [], time.perf_counter(), 0
            for row in organisations(n):
                rows.append(row)
                if rnd.random() < 2000 / n:
                    sample.append(row)
                if len(rows) == CHUNK:
                    imported += _import(client, rows)
                    rows = []
            if rows:
                imported += _import(client, rows)
            import_s = time.perf_counter() - started
            sample = sample[:1000] or [row]
            lookups = [f"/v1/organisations/{u}" for u, *_ in sample[:500]]
            selective = [f"/v1/search/organisations?q={name[len(DIVISIONS[d]):][:rnd.randint(3, 5)]}"
                         for _, name, _, d in sample[:300]]
            common = [f"/v1/search/organisations?q={rnd.choice(SECTORS)}" for _ in range(200)]
            two = [f"/v1/search/organisations?q={rnd.choice(SECTORS)[:2]}" for _ in range(100)]
            one = [f"/v1/search/organisations?q={rnd.choice(ALPHABET)}" for _ in range(50)]
            filtered = [f"/v1/search/organisations?division={d}&status=active&q={rnd.choice(SECTORS)}"
                        for d in rnd.choices(list(DIVISIONS), k=100)]
            timed(client, lookups[:50] + selective[:20])  # warm-up
            results = {
                "USCC lookup (target p95 < 50 ms)": timed(client, lookups),
                "name search, 3-5 chars of a 字号 (< 100 ms)": timed(client, selective),
                "name search, common sector word": timed(client, common),
                "name search + division + status": timed(client, filtered),
                "name search, 2 characters": timed(client, two),
                "name search, 1 character (fallback scan)": timed(client, one),
            }
        with httpx.Client(base_url=f"http://127.0.0.1:{bare_port}") as client:
            timed(client, ["/hello"] * 50)
            bare_ms = timed(client, ["/hello"] * 500)
    finally:
        registry.terminate()
        bare.terminate()
        registry.wait()
        bare.wait()
    size_mb = sum(p.stat().st_size for p in data.glob("registry.db*")) / 1e6
    bare95 = pct(bare_ms, 95)
    print(f"registry with {imported:,} organisations on SQLite ({size_mb:,.0f} MB), one request at a time:")
    print(f"  bulk import (CSV, {CHUNK:,} rows/request, outbox events): {imported / import_s:,.0f} rows/s "
          f"({import_s:,.1f} s; target ≥ 5,000 rows/s)")
    for label, ms in results.items():
        print(line(label, ms, bare95))
    print(f"  baseline bare FastAPI endpoint                p50 {statistics.median(bare_ms):7.2f} ms   "
          f"p95 {bare95:7.2f} ms")


def _import(client: httpx.Client, rows: list[tuple]) -> int:
    resp = client.post("/v1/exchange/imports?format=csv&source=bench", content=csv_chunk(rows))
    resp.raise_for_status()
    report = resp.json()
    assert report["failed"] == 0, report["errors"][:3]
    return report["created"]


def _bare():
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    return app


bare_app = _bare() if __name__ != "__main__" else None

if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
