from __future__ import annotations

from datetime import date

from registry_factories import STAFF, events, registered
from sqlalchemy import select

from yishe_registry.config import RulesSettings
from yishe_registry.grade.service import validity


def test_validity_old_and_new_rules_when_announced_either_side_of_2026_03_01() -> None:
    rules = RulesSettings()
    assert validity(date(2026, 2, 28), rules) == (date(2026, 2, 28), date(2031, 2, 27), "EVAL-4")
    assert validity(date(2026, 3, 1), rules) == (date(2027, 1, 1), date(2031, 12, 31), "EVAL-8")


async def test_grade_awarded_downgraded_revoked_with_events(client, app, clock) -> None:
    clock(date(2023, 1, 10))
    org = await registered(client, date(2023, 1, 10))
    uscc = org["uscc"]
    clock(date(2026, 11, 20))
    resp = await client.post(f"/v1/organisations/{uscc}/grades", json={"grade": "4A", "announced_on": "2026-11-10"},
                             headers=STAFF)
    assert resp.status_code == 201, resp.text
    assert (resp.json()["valid_from"], resp.json()["valid_until"]) == ("2027-01-01", "2031-12-31")
    assert (await client.get(f"/v1/organisations/{uscc}")).json()["grade"] == "4A"
    up = await client.post(f"/v1/organisations/{uscc}/grades/downgrade",
                           json={"grade": "5A", "basis": "administrative_penalty", "reason": "x"}, headers=STAFF)
    assert up.status_code == 400 and up.json()["errors"][0]["rule"] == "EVAL-7"
    down = await client.post(f"/v1/organisations/{uscc}/grades/downgrade",
                             json={"grade": "3A", "basis": "administrative_penalty", "reason": "受到警告处罚"},
                             headers=STAFF)
    assert down.json()["grade"] == "3A"
    await client.post(f"/v1/organisations/{uscc}/grades/revoke",
                      json={"basis": "falsified_material", "reason": "评估材料弄虚作假"}, headers=STAFF)
    changes = [(e["change"], e["grade"], e["previous_grade"]) for e in
               await events(app, "registry.grade.changed.v1", uscc)]
    assert changes == [("awarded", "4A", None), ("downgraded", "3A", "4A"), ("revoked", None, "3A")]
    assert (await client.get(f"/v1/organisations/{uscc}")).json()["grade"] is None


async def test_grade_refused_when_registered_under_two_years_or_listed(client, app, clock) -> None:
    today = clock(date(2026, 1, 5))
    org = await registered(client, today)
    resp = await client.post(f"/v1/organisations/{org['uscc']}/grades",
                             json={"grade": "3A", "announced_on": "2026-01-05"}, headers=STAFF)
    assert resp.status_code == 400 and resp.json()["errors"][0]["rule"] == "EVAL-2"


async def test_daily_job_expires_grades_once(client, app, clock) -> None:
    clock(date(2019, 1, 10))
    org = await registered(client, date(2019, 1, 10))
    clock(date(2021, 6, 1))
    await client.post(f"/v1/organisations/{org['uscc']}/grades", json={"grade": "5A", "announced_on": "2021-06-01"},
                      headers=STAFF)  # EVAL-4: until 2026-05-31
    daily = "/v1/jobs/daily?wait=true&as_of="
    assert (await client.post(daily + "2026-05-31", headers=STAFF)).json()["grades_expired"]["count"] == 0
    job = (await client.post("/v1/jobs/daily?wait=true&as_of=2026-06-01", headers=STAFF)).json()
    assert job["grades_expired"]["sample"] == [org["uscc"]]
    assert (await client.post(daily + "2026-06-01", headers=STAFF)).json()["grades_expired"]["count"] == 0
    [expired] = [e for e in await events(app, "registry.grade.changed.v1", org["uscc"]) if e["change"] == "expired"]
    assert expired["rule"] == "EVAL-4" and expired["previous_grade"] == "5A"
    assert (await client.get(f"/v1/organisations/{org['uscc']}")).json()["grade"] is None


async def test_a_late_daily_run_dates_the_expiry_by_the_grade_validity_not_the_run(client, app, clock) -> None:
    """EVAL-4/EVAL-8 (issue 13): the job runs on 2026-07-20 (catch-up, platform date) for a grade valid until
    2026-05-31: the expiry is dated 2026-05-31 (the record, the grade history and the event), in effect from 06-01."""
    from yishe_contracts.envelope import Envelope

    clock(date(2019, 1, 10))
    org = await registered(client, date(2019, 1, 10))
    clock(date(2021, 6, 1))
    await client.post(f"/v1/organisations/{org['uscc']}/grades", json={"grade": "5A", "announced_on": "2021-06-01"},
                      headers=STAFF)  # EVAL-4: until 2026-05-31
    clock(date(2026, 7, 20))
    job = (await client.post("/v1/jobs/daily?wait=true", headers=STAFF)).json()
    assert job["as_of"] == "2026-07-20" and job["grades_expired"]["sample"] == [org["uscc"]]
    [grade] = (await client.get(f"/v1/organisations/{org['uscc']}/grades")).json()
    assert (grade["status"], grade["ended_on"]) == ("expired", "2026-05-31")
    [expired] = [e for e in await events(app, "registry.grade.changed.v1", org["uscc"]) if e["change"] == "expired"]
    assert expired["changed_on"] == "2026-05-31"
    outbox = app.state.outbox.table
    async with app.state.sessionmaker() as s:
        payloads = (await s.scalars(select(outbox.c.payload).where(outbox.c.subject == "registry.grade.changed.v1"))
                    ).all()
    envelopes = [Envelope.model_validate_json(p) for p in payloads]
    assert [e.effectivedate for e in envelopes if e.subject == org["uscc"] and e.data["change"] == "expired"] == [
        date(2026, 6, 1)]
