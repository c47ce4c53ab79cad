from __future__ import annotations

from party_factories import PARTY, STAFF, establish, open_record, outbox_events, registered


async def test_covered_published_only_after_a_flag_when_established_later(client, app) -> None:
    late, on_time = registered(3), registered(3)
    await open_record(app, late)
    await open_record(app, on_time)
    await establish(client, [on_time.uscc], established_on="2026-12-10")
    first = (await client.post("/v1/jobs/daily?wait=true&as_of=2027-01-05", headers=STAFF)).json()
    assert [(c["uscc"], c["rule"]) for c in first["coverage_changes"]] == [(late.uscc, "CR-6.2")]
    flagged = (await client.get("/v1/coverage/uncovered", headers=STAFF)).json()
    assert [(u["uscc"], u["required"], u["flagged_as_of"]) for u in flagged] == [(late.uscc, True, "2027-01-05")]
    await establish(client, [late.uscc], established_on="2027-02-01")
    second = (await client.post("/v1/jobs/daily?wait=true&as_of=2027-02-02", headers=STAFF)).json()
    assert [(c["uscc"], c["covered"], c["rule"]) for c in second["coverage_changes"]] == [(late.uscc, True, "PARTY-1")]
    assert (await client.get("/v1/coverage/uncovered", headers=STAFF)).json() == []
    # an earlier day afterwards does not undo the later fact
    rerun = (await client.post("/v1/jobs/daily?wait=true&as_of=2027-01-20", headers=STAFF)).json()
    assert rerun["coverage_changes"] == []
    assert await outbox_events(app, "party.coverage.changed.v1", on_time.uscc) == []


async def test_not_flagged_when_within_deadline_and_grace(client, app) -> None:
    event = registered(3)
    await open_record(app, event)
    run = (await client.post("/v1/jobs/daily?wait=true&as_of=2026-12-22", headers=STAFF)).json()
    assert run["coverage_changes"] == [] and run["capture_overdue"] == []
    run = (await client.post("/v1/jobs/daily?wait=true&as_of=2026-12-23", headers=STAFF)).json()
    assert [c["uscc"] for c in run["coverage_changes"]] == [event.uscc]
    assert run["capture_overdue"] == [event.uscc]


async def test_daily_job_refused_when_role_is_party(client) -> None:
    assert (await client.post("/v1/jobs/daily?wait=true&as_of=2027-01-01", headers=PARTY)).status_code == 403


async def test_coverage_rates_by_division_and_kind_when_reported(client, app) -> None:
    here, there = registered(3), registered(3, division="330303")
    await open_record(app, here)
    await open_record(app, there)
    await establish(client, [here.uscc])
    report = (await client.get("/v1/coverage?as_of=2026-12-31", headers=STAFF)).json()
    rows = {(r["division_code"], r["org_type"]): r["organisation_coverage_rate"] for r in report["rows"]}
    assert rows == {("330302", "社会团体"): "100.00", ("330303", "社会团体"): "0.00"}
    limited = await client.get("/v1/coverage?as_of=2026-12-31", headers={**STAFF, "x-yishe-division": "330303"})
    assert [r["division_code"] for r in limited.json()["rows"]] == ["330303"]
    outside = await client.get("/v1/coverage?division=330302", headers={**STAFF, "x-yishe-division": "330303"})
    assert outside.status_code == 403
