"""An import as a job (#11): 202 at once, progress to the end, a row report as CSV, cancel, a clean failure."""

from __future__ import annotations

import asyncio
import csv
import io

from registry_factories import STAFF, events

from yishe_contracts.identifiers import encode_sequence, make_uscc

HEADER = ("统一社会信用代码,名称,类型,登记管理机关区划代码,住所,法定代表人,业务范围,业务主管单位,状态,"
          "成立登记日期,活动资金")
TRADE = "春夏秋冬梅兰竹菊松柏山川河海星辰日月风云金木水火土天地玄黄宇宙洪荒"


def code(n: int) -> str:
    return make_uscc(category="1", division_code="330302", body8="JB" + encode_sequence(n, 6))


def name(n: int) -> str:
    a, b = divmod(n, len(TRADE))
    c, a = divmod(a, len(TRADE))
    return f"温州市鹿城区{TRADE[c % len(TRADE)]}{TRADE[a]}{TRADE[b]}公益协会"


def csv_body(n: int, start: int = 0, bad_at: int | None = None) -> bytes:
    lines = [HEADER]
    for i in range(start, start + n):
        uscc = code(i) if i != bad_at else "51330302MJ0000018Y"
        lines.append(f"{uscc},{name(i)},社会团体,330302,温州市鹿城区,张三,公益,,active,2015-06-01,10000")
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


async def wait_done(client, job_id: str) -> dict:
    for _ in range(600):
        resp = await client.get(f"/v1/jobs/{job_id}", headers=STAFF)
        assert resp.status_code == 200, resp.text
        job = resp.json()
        if job["state"] not in ("queued", "running"):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


async def test_import_job_answers_202_then_imports_with_progress_and_a_row_report(client, app) -> None:
    """IMPORT-1 as a job: the upload is accepted at once (202 + Location), followed to the end, its row errors
    downloadable as CSV with Chinese headers; the same file again changes nothing."""
    body = csv_body(300, bad_at=7)
    resp = await client.post("/v1/exchange/import-jobs?format=csv&source=legacy-2019", content=body, headers=STAFF)
    assert resp.status_code == 202, resp.text
    started = resp.json()
    assert resp.headers["location"] == f"/v1/jobs/{started['job_id']}"
    assert started["kind"] == "registry.import" and started["total"] == 300
    job = await wait_done(client, started["job_id"])
    assert job["state"] == "succeeded", job
    assert (job["done"], job["failed"], job["total"]) == (300, 1, 300)
    assert job["result"]["created"] == 299 and job["rate_per_s"] > 0
    assert len(await events(app, "registry.organisation.registered.v1")) == 299
    report = await client.get(f"/v1/exchange/import-jobs/{job['job_id']}/report.csv", headers=STAFF)
    assert report.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["行号", "统一社会信用代码", "字段", "规则"]
    assert rows[1][0] == "8" and rows[1][3] == "USCC-5"
    again = await wait_done(client, (await client.post(
        "/v1/exchange/import-jobs?format=csv&source=legacy-2019", content=body, headers=STAFF)).json()["job_id"])
    assert (again["result"]["created"], again["result"]["unchanged"]) == (0, 299)
    assert len(await events(app, "registry.organisation.registered.v1")) == 299


async def test_a_file_broken_part_way_fails_the_job_cleanly_and_writes_nothing(client, app) -> None:
    """A file that stops being UTF-8 after its first chunk: the job fails naming IMPORT-1, no row is kept."""
    app.state.settings.import_chunk_rows = 50
    body = csv_body(200) + b"\n" + b"\xff\xfe broken" + b"\n"
    resp = await client.post("/v1/exchange/import-jobs?format=csv&source=x", content=body, headers=STAFF)
    job = await wait_done(client, resp.json()["job_id"])
    assert job["state"] == "failed"
    assert job["error"]["problems"][0]["rule"] == "IMPORT-1"
    assert await events(app, "registry.organisation.registered.v1") == []
    assert (await client.get(f"/v1/organisations/{code(0)}", headers=STAFF)).status_code == 404


async def test_a_cancelled_import_job_leaves_nothing_half_written(client, app) -> None:
    app.state.settings.import_chunk_rows = 20
    resp = await client.post("/v1/exchange/import-jobs?format=csv&source=x", content=csv_body(3000), headers=STAFF)
    job_id = resp.json()["job_id"]
    cancelled = (await client.post(f"/v1/jobs/{job_id}/cancel", headers=STAFF)).json()
    assert cancelled["cancel_requested"] is True
    job = await wait_done(client, job_id)
    assert job["state"] == "cancelled", job
    assert await events(app, "registry.organisation.registered.v1") == []


async def test_the_same_file_while_it_runs_is_a_409_naming_the_job_and_an_unknown_job_is_a_404(client, app) -> None:
    """JOB-1: one run of the same import at a time."""
    app.state.settings.import_chunk_rows = 20
    body = csv_body(2000)
    first = (await client.post("/v1/exchange/import-jobs?format=csv&source=x", content=body, headers=STAFF)).json()
    second = await client.post("/v1/exchange/import-jobs?format=csv&source=x", content=body, headers=STAFF)
    assert second.status_code == 409 and second.json()["code"] == "job_running"
    assert first["job_id"] in second.json()["errors"][0]["message_zh"]
    await client.post(f"/v1/jobs/{first['job_id']}/cancel", headers=STAFF)
    await wait_done(client, first["job_id"])
    assert (await client.get("/v1/jobs/00000000-0000-0000-0000-000000000000", headers=STAFF)).status_code == 404


async def test_an_upload_over_its_limit_is_a_413_and_only_staff_may_import(client, app) -> None:
    app.state.settings.import_max_bytes = 1000
    resp = await client.post("/v1/exchange/import-jobs?format=csv&source=x", content=csv_body(100), headers=STAFF)
    assert resp.status_code == 413 and resp.json()["errors"][0]["rule"] == "IMPORT-4"
    public = await client.post("/v1/exchange/import-jobs?format=csv&source=x", content=csv_body(1))
    assert public.status_code == 403 and public.json()["code"] == "role_forbidden"


async def test_an_import_job_retried_with_its_key_is_the_same_job_and_another_file_is_a_422(client) -> None:
    """IDEM-1/IDEM-2 on a streamed upload (the body is hashed as it passes, never held): the same key and file again
    is the first 202 (the same job, not a second import), marked replayed; the key with another file is a 422."""
    body = csv_body(20, start=5000)
    headers = {**STAFF, "Idempotency-Key": "import-legacy-2019-a"}
    first = await client.post("/v1/exchange/import-jobs?format=csv&source=legacy-2019", content=body, headers=headers)
    assert first.status_code == 202, first.text
    again = await client.post("/v1/exchange/import-jobs?format=csv&source=legacy-2019", content=body, headers=headers)
    assert again.status_code == 202 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["job_id"] == first.json()["job_id"] and again.headers["location"] == first.headers["location"]
    job = await wait_done(client, first.json()["job_id"])
    assert job["result"]["created"] == 20
    other = await client.post("/v1/exchange/import-jobs?format=csv&source=legacy-2019", content=csv_body(3, 6000),
                              headers=headers)
    assert other.status_code == 422 and other.json()["errors"][0]["rule"] == "IDEM-2"
    query = await client.post("/v1/exchange/import-jobs?format=csv&source=legacy-2020", content=body, headers=headers)
    assert query.status_code == 422  # the query is part of the request
