"""Cultivation's target progress at city scale: GET /v1/targets/progress (every indicator, computed from the read
models) and one drill-down, against a bare FastAPI JSON endpoint in the same process and run.

    .venv/bin/python bench/cultivation_progress.py [organisations=3000] [activities_per_org=6]

Embedded default (SQLite file, the relay off, no NATS needed): organisations, grades, filings and activities are
written with the service's own consumer functions and bulk inserts, then each endpoint is asked 20 times.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import GradeChange, GradeChanged, OrganisationRegistered
from yishe_contracts.identifiers import encode_sequence, make_uscc
from yishe_cultivation.activity.models import Activity
from yishe_cultivation.config import Settings
from yishe_cultivation.main import create_app
from yishe_cultivation.organisation import service as organisation_service
from yishe_kit.bulk import insert_rows
from yishe_kit.testing import migrate

STAFF = {"x-yishe-role": "staff", "x-yishe-actor": "bench", "x-yishe-division": "3303"}
COUNTIES = ["330302", "330303", "330304", "330305", "330324", "330326", "330327", "330328", "330329", "330381"]


async def load(app: FastAPI, n: int, per_org: int) -> None:
    rng = random.Random(7)
    rows = []
    async with app.state.sessionmaker() as s:
        for i in range(n):
            county = COUNTIES[i % len(COUNTIES)]
            uscc = make_uscc(category="1", division_code=county, body8="B" + encode_sequence(i, 7))
            community = i % 3 == 0
            ev = OrganisationRegistered(
                uscc=uscc, name=f"基准组织{i}", org_type="社会团体", division_code=county, address="温州",
                legal_representative="张三", business_scope="公益", registered_at=datetime.now(UTC),
                registration_date=date(2015 + i % 11, 1 + i % 12, 1), party_full_members=0,
                party_probationary_members=0, community_class="公益慈善类" if community else None)
            await organisation_service.on_registered(s, ev)
            if i % 4 == 0:
                g = GradeChanged(uscc=uscc, change=GradeChange.AWARDED, grade=f"{3 + i % 3}A", rule="EVAL-3",
                                 changed_on=date(2020 + i % 6, 6, 1))
                await organisation_service.on_grade_changed(s, g, Envelope.wrap(g, source="registry"))
            if community:
                org = await organisation_service.require(s, uscc)
                org.township_code = f"{county}{1 + i % 9:03d}"
                for k in range(per_org):
                    day = date(2025, 1, 1) + timedelta(days=rng.randint(0, 364))
                    p = rng.randint(5, 80)
                    rows.append({"org_key": uscc, "uscc": uscc, "filing_no": None, "division_code": county,
                                 "township_code": org.township_code, "activity_date": day, "kind": "volunteer",
                                 "title": None, "participants": p, "residents": p // 2, "ref": f"b{i}-{k}",
                                 "recorded_by": "bench", "recorded_at": datetime.now(UTC)})
        await insert_rows(s, Activity.__table__, rows)
        await s.commit()


async def timed(client: AsyncClient, url: str, headers: dict, times: int = 20) -> list[float]:
    out = []
    for _ in range(times):
        t = time.perf_counter()
        r = await client.get(url, headers=headers)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text
    return out


async def main(n: int, per_org: int) -> None:
    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite+aiosqlite:///{tmp / 'cultivation.db'}"
    migrate(Path(__file__).resolve().parents[1] / "services" / "cultivation", url)
    app = create_app(Settings(db={"url": url}, relay={"enabled": False}, nats={"url": "nats://127.0.0.1:1"}))
    bare = FastAPI()

    @bare.get("/bare")
    async def bare_endpoint() -> dict:
        return {"ok": True, "rows": list(range(18))}

    async with app.router.lifespan_context(app):
        t = time.perf_counter()
        await load(app, n, per_org)
        print(f"loaded {n} organisations, {n // 3 * per_org} activities in {time.perf_counter() - t:.1f} s")
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as c, \
                AsyncClient(transport=ASGITransport(app=bare), base_url="http://t") as b:
            base = await timed(b, "/bare", {})
            for label, path in (("progress (18 indicators, city)", "/v1/targets/progress?division=3303&year=2025"),
                                ("drill-down grade_3a_plus", "/v1/targets/indicators/grade_3a_plus/records"
                                                              "?division=3303&year=2025"),
                                ("activity rates (city)", "/v1/activity/rates?division=3303&year=2025")):
                ms = await timed(c, path, STAFF)
                print(f"{label:36s} p50 {statistics.median(ms):7.1f} ms  max {max(ms):7.1f} ms")
            print(f"{'bare FastAPI JSON endpoint':36s} p50 {statistics.median(base):7.2f} ms")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(*(args + [3000, 6][len(args):])))
