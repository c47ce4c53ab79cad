from __future__ import annotations

import pytest
from cultivation_factories import (
    CITY_STAFF,
    LUCHENG_STAFF,
    OUYAN_STAFF,
    add_filing,
    add_org,
    filed,
    org_headers,
    registered,
)
from sqlalchemy import func, select

from yishe_cultivation.activity.models import Activity
from yishe_kit.testing import eventually

pytestmark = pytest.mark.nats
T1 = "330302001"


def act(day: str, *, uscc: str | None = None, filing_no: str | None = None, participants: int = 20,
        residents: int = 10, kind: str = "volunteer", ref: str | None = None) -> dict:
    return {"uscc": uscc, "filing_no": filing_no, "activity_date": day, "kind": kind, "participants": participants,
            "residents": residents, "ref": ref}


async def _count(app) -> int:
    async with app.state.sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(Activity))


async def test_future_date_or_more_residents_than_participants_is_refused(app, client) -> None:
    """PLAT-5: an activity dated after today or with more residents than participants is a 400 naming the field,
    and nothing is written."""
    uscc = await add_org(app, registered(community_class="公益慈善类"), township=T1)
    r = await client.post("/v1/activities", headers=org_headers(uscc), json=act("2026-11-21", uscc=uscc))
    assert r.status_code == 400
    assert [(e["field"], e["rule"]) for e in r.json()["errors"]] == [("activity_date", "PLAT-5")]
    r = await client.post("/v1/activities", headers=org_headers(uscc),
                          json=act("2026-11-20", uscc=uscc, participants=5, residents=6))
    assert r.status_code == 400
    assert [(e["field"], e["rule"]) for e in r.json()["errors"]] == [("residents", "PLAT-5")]
    assert "居民人数6超过参与人数5" in r.json()["errors"][0]["message_zh"]
    assert await _count(app) == 0
    ok = await client.post("/v1/activities", headers=org_headers(uscc), json=act("2026-11-20", uscc=uscc))
    assert ok.status_code == 201 and ok.json()["kind_label"] == "志愿服务"


async def test_org_records_only_its_own_and_filed_ones_by_filing_number(app, client) -> None:
    """PLAT-5 + AUTH-1/2: an organisation account records its own activities; a filed organisation's activities are
    recorded by township staff under its filing number; a cancelled or unknown filing is refused."""
    a = await add_org(app, registered(community_class="文体活动类"), township=T1)
    b = await add_org(app, registered(community_class="文体活动类"), township=T1)
    r = await client.post("/v1/activities", headers=org_headers(a), json=act("2026-05-01", uscc=b))
    assert r.status_code == 403 and r.json()["code"] == "not_own_organisation"
    no = await add_filing(app, filed(T1))
    township_staff = {**LUCHENG_STAFF, "x-yishe-division": T1}
    r = await client.post("/v1/activities", headers=township_staff, json=act("2026-05-01", filing_no=no))
    assert r.status_code == 201 and r.json()["township_code"] == T1
    r = await client.post("/v1/activities", headers=OUYAN_STAFF, json=act("2026-05-02", filing_no=no))
    assert r.status_code == 403
    r = await client.post("/v1/activities", headers=township_staff, json=act("2026-05-01", filing_no="BA-NONE"))
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "filing_no"
    not_community = await add_org(app, registered())
    r = await client.post("/v1/activities", headers=CITY_STAFF, json=act("2026-05-01", uscc=not_community))
    assert r.status_code == 400 and r.json()["errors"][0]["rule"] == "PLAT-5"


async def test_rates_strict_and_lenient_quarter_checks_and_index(app, client) -> None:
    """PLAT-5 / PLAT-4: 活跃度 strict (every quarter) and lenient (≥ 1 in the year) per township and county against
    ≥ 60 %; the ≥ 30 %-each-quarter and ≥ 1-a-year checks; the 活跃指数 parts."""
    every_quarter = await add_org(app, registered(community_class="公益慈善类"), township=T1)
    once = await add_org(app, registered(community_class="公益慈善类"), township=T1)
    never = await add_org(app, registered(community_class="公益慈善类"), township=T1)
    no = await add_filing(app, filed("330302002"))
    for day in ("2025-02-01", "2025-05-01", "2025-08-01", "2025-11-01"):
        await client.post("/v1/activities", headers=CITY_STAFF, json=act(day, uscc=every_quarter, residents=20))
    await client.post("/v1/activities", headers=CITY_STAFF, json=act("2025-06-01", uscc=once, participants=40))
    await client.post("/v1/activities", headers=CITY_STAFF, json=act("2025-06-01", filing_no=no, residents=0))
    report = (await client.get("/v1/activity/rates?year=2025&division=330302", headers=CITY_STAFF)).json()
    assert report["quarters_considered"] == 4
    total = report["total"]
    assert (total["organisations"], total["active_strict"], total["active_lenient"]) == (4, 1, 3)
    assert (total["rate_strict"], total["rate_lenient"]) == ("25.00", "75.00")
    assert total["target"] == "≥60%" and total["met_strict"] is False and total["met_lenient"] is True
    assert total["quarter_active"] == [1, 3, 1, 1] and total["quarter_share_met"] == [False, True, False, False]
    assert total["every_org_yearly"] is False
    rows = {(r["level"], r["division_code"]): r for r in report["rows"]}
    assert rows[("township", T1)]["organisations"] == 3 and rows[("township", "330302002")]["rate_lenient"] == "100.00"
    assert (await client.get("/v1/activity/rates?year=2022", headers=CITY_STAFF)).json()["total"]["target"] == ">50%"

    index = {(i["uscc"] or i["filing_no"]): i for i in (await client.get(
        "/v1/activity/index?year=2025&division=330302", headers=CITY_STAFF)).json()}
    assert index[never]["index"] == "0.00"
    # every_quarter: 1 a quarter of a cap of 3 → 40/3; 20 per activity, county median of (20, 40, 20) = 20 → 40;
    # all residents → 20
    assert index[every_quarter]["frequency_part"] == "13.33" and index[every_quarter]["participants_part"] == "40.00"
    assert index[every_quarter]["index"] == "73.33"
    assert index[no]["residents_part"] == "0.00"


async def test_inactive_list_is_published_once_per_year(app, client) -> None:
    """PLAT-5: a closed year's organisations without activity are listed and published once
    (cultivation.inactive.listed.v1); the current year cannot be published."""
    quiet = await add_org(app, registered(community_class="公益慈善类"), township=T1)
    busy = await add_org(app, registered(community_class="公益慈善类"), township=T1)
    await client.post("/v1/activities", headers=CITY_STAFF, json=act("2025-03-01", uscc=busy))
    await client.post("/v1/activities", headers=CITY_STAFF, json=act("2024-03-01", uscc=quiet))
    listed = (await client.get("/v1/activity/inactive?year=2025", headers=CITY_STAFF)).json()
    assert [(x["uscc"], x["last_activity_on"], x["listed_on"]) for x in listed] == [(quiet, "2024-03-01", None)]
    r = await client.post("/v1/activity/inactive/2026/publish", headers=CITY_STAFF)
    assert r.status_code == 400 and r.json()["errors"][0]["rule"] == "PLAT-5"
    first = (await client.post("/v1/activity/inactive/2025/publish", headers=CITY_STAFF)).json()
    again = (await client.post("/v1/activity/inactive/2025/publish", headers=CITY_STAFF)).json()
    assert (first["listed"], again["listed"], again["already_listed"]) == (1, 0, 1)
    outbox = app.state.outbox.table

    async def published():
        async with app.state.sessionmaker() as s:
            return (await s.execute(select(outbox.c.subject, outbox.c.payload)
                                    .where(outbox.c.subject == "cultivation.inactive.listed.v1"))).all()

    rows = await eventually(published)
    assert len(rows) == 1 and quiet.encode() in rows[0][1]


async def test_bulk_import_csv_with_bom_and_chinese_headers_is_repeatable(app, client) -> None:
    """Bulk import (IMPORT-1 shape): each row checked like one activity (PLAT-5); a row already imported (same 编号)
    is unchanged on a re-run."""
    uscc = await add_org(app, registered(community_class="公益慈善类"), township=T1)
    no = await add_filing(app, filed(T1))
    csv = ("统一社会信用代码,备案编号,活动日期,活动类型,活动名称,参与人数,其中居民人数,编号\n"
           f"{uscc},,2026-03-01,志愿服务,清洁家园,30,20,r1\n"
           f",{no},2026-04-01,文体活动,广场舞,15,15,r2\n"
           f"{uscc},,2026-12-01,志愿服务,未来,10,5,r3\n"
           f"{uscc},,2026-05-01,志愿服务,多了,10,11,r4\n").encode("utf-8-sig")
    r = await client.post("/v1/activities/import?format=csv", headers=CITY_STAFF, content=csv)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["rows"], body["imported"], body["unchanged"]) == (4, 2, 0)
    assert [(e["row"], e["field"], e["rule"]) for e in body["errors"]] == [
        (3, "activity_date", "PLAT-5"), (4, "residents", "PLAT-5")]
    again = (await client.post("/v1/activities/import?format=csv", headers=CITY_STAFF, content=csv)).json()
    assert (again["imported"], again["unchanged"]) == (0, 2)
    assert await _count(app) == 2
    missing = await client.post("/v1/activities/import?format=csv", headers=CITY_STAFF, content=b"a,b\n1,2\n")
    assert missing.status_code == 400 and missing.json()["errors"][0]["rule"] == "IMPORT-1"


async def test_long_import_runs_as_a_job(app, client) -> None:
    """Long work is a job: 202 with a job id, progress, and the rows written by it."""
    app.state.settings.activity.import_sync_rows = 2
    uscc = await add_org(app, registered(community_class="公益慈善类"), township=T1)
    lines = "\n".join(f'{{"uscc": "{uscc}", "activity_date": "2026-0{m}-01", "kind": "training", "participants": 5, '
                      f'"residents": 5, "ref": "j{m}"}}' for m in range(1, 6))
    r = await client.post("/v1/activities/import?format=jsonl", headers=CITY_STAFF, content=lines.encode())
    assert r.status_code == 202 and r.json()["job_id"]

    job = await app.state.jobs.wait(r.json()["job_id"])
    assert (job.state, job.total, job.done) == ("succeeded", 5, 5)
    assert job.result["imported"] == 5 and job.result["errors"] == []
    assert await _count(app) == 5
    seen = (await client.get(f"/v1/jobs/{r.json()['job_id']}", headers=CITY_STAFF)).json()
    assert seen["state"] == "succeeded" and seen["state_label"] == "已完成"
