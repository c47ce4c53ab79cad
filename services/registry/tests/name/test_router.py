from __future__ import annotations

import asyncio
from datetime import date

from registry_factories import STAFF, events, reservation, reserve


async def test_check_builds_and_reports_availability_when_parts_given(client) -> None:
    resp = await client.post("/v1/names/check", json={"org_type": "社会服务机构", "division_code": "330302",
                                                      "trade_name": "阳光", "sector": "养老", "form": "服务中心"})
    body = resp.json()
    assert body["name"] == "温州市鹿城区阳光养老服务中心" and body["available"] is True and body["problems"] == []


async def test_reservation_holds_the_name_and_emits_when_free(client, app, clock) -> None:
    res = await reserve(client)
    assert res["status"] == "reserved" and res["expires_on"] == "2027-05-19"  # 180 days by default
    check = (await client.post("/v1/names/check", json={"org_type": "社会团体", "division_code": "330302",
                                                        "name": res["name"]})).json()
    assert check["taken_by"] == "reservation" and check["available"] is False
    [event] = await events(app, "registry.name_reservation.changed.v1")
    assert event["status"] == "reserved" and event["reservation_id"] == res["reservation_id"]


async def test_same_name_refused_409_after_width_and_space_normalisation(client, clock) -> None:
    res = await reserve(client)
    loose = " ".join(res["name"])  # spaces between every character
    body = {**reservation(), "name": loose}
    resp = await client.post("/v1/names/reservations", json=body, headers=STAFF)
    assert resp.status_code == 409 and resp.json()["errors"][0]["rule"] == "REG-6"


async def test_concurrent_reservations_of_one_name_exactly_one_wins(client, clock) -> None:
    body = reservation(trade_name="同名", sector="围棋")
    results = await asyncio.gather(*[client.post("/v1/names/reservations", json=body, headers=STAFF)
                                     for _ in range(5)])
    assert sorted(r.status_code for r in results) == [201, 409, 409, 409, 409]


async def test_similar_names_need_acknowledgement_when_cores_alike(client, clock) -> None:
    await reserve(client, trade_name="春风", sector="青年志愿", form="协会")
    body = {**reservation(trade_name="春风", sector="青年志愿", form="促进会"), "acknowledge_similar": False}
    resp = await client.post("/v1/names/reservations", json=body, headers=STAFF)
    assert resp.status_code == 409 and resp.json()["code"] == "similar_names"
    resp = await client.post("/v1/names/reservations", json={**body, "acknowledge_similar": True}, headers=STAFF)
    assert resp.status_code == 201 and resp.json()["similar"][0]["holder_type"] == "reservation"


async def test_one_trade_one_association_refused_when_same_division_and_sector(client, clock) -> None:
    first = reservation(category="行业协会商会", sector="眼镜行业", form="协会")
    assert (await client.post("/v1/names/reservations", json=first, headers=STAFF)).status_code == 201
    second = reservation(category="行业协会商会", sector="眼镜行业", form="商会")
    resp = await client.post("/v1/names/reservations", json=second, headers=STAFF)
    assert resp.status_code == 409 and resp.json()["errors"][0]["rule"] == "REG-8"
    elsewhere = reservation(category="行业协会商会", sector="眼镜行业", form="商会", division_code="330304",
                            division_name="温州市瓯海区")
    assert (await client.post("/v1/names/reservations", json=elsewhere, headers=STAFF)).status_code == 201


async def test_reservation_expires_by_daily_job_and_frees_the_name(client, app, clock) -> None:
    res = await reserve(client)
    expired = (await client.post("/v1/jobs/daily?wait=true&as_of=2027-05-20", headers=STAFF)).json()
    assert expired["name_reservations_expired"]["sample"] == [str(res["reservation_id"])]
    assert (await client.get(f"/v1/names/reservations/{res['reservation_id']}")).json()["status"] == "expired"
    clock(date(2027, 5, 21))
    again = await client.post("/v1/names/reservations", json={**reservation(), "name": res["name"]}, headers=STAFF)
    assert again.status_code == 201
    statuses = [e["status"] for e in await events(app, "registry.name_reservation.changed.v1")]
    assert statuses == ["reserved", "expired", "reserved"]


async def test_a_late_daily_run_dates_the_expiry_by_the_reservation_not_the_run(client, app, clock) -> None:
    """REG-6 (issue 13): a reservation valid until 2027-05-19 expired by a catch-up run on 2027-06-10 is dated
    2027-05-19 in its event and takes effect on 2027-05-20 (the envelope's effective date), as grades do (EVAL-4)."""
    from sqlalchemy import select

    from yishe_contracts.envelope import Envelope

    res = await reserve(client)
    await client.post("/v1/jobs/daily?wait=true&as_of=2027-06-10", headers=STAFF)
    [expired] = [e for e in await events(app, "registry.name_reservation.changed.v1") if e["status"] == "expired"]
    assert expired["changed_on"] == res["expires_on"] == "2027-05-19"
    outbox = app.state.outbox.table
    async with app.state.sessionmaker() as s:
        payloads = (await s.scalars(select(outbox.c.payload).where(
            outbox.c.subject == "registry.name_reservation.changed.v1"))).all()
    dates = {Envelope.model_validate_json(p).data["status"]: Envelope.model_validate_json(p).effectivedate
             for p in payloads}
    assert dates["expired"] == date(2027, 5, 20)


async def test_expired_reservation_does_not_block_the_name_before_the_job_runs(client, clock) -> None:
    res = await reserve(client)
    clock(date(2027, 6, 1))
    again = await client.post("/v1/names/reservations", json={**reservation(), "name": res["name"]}, headers=STAFF)
    assert again.status_code == 201


async def test_reservation_needs_staff_within_jurisdiction(client, clock) -> None:
    assert (await client.post("/v1/names/reservations", json=reservation())).status_code == 403
    other = {**STAFF, "x-yishe-division": "330304"}
    resp = await client.post("/v1/names/reservations", json=reservation(), headers=other)
    assert resp.status_code == 403 and resp.json()["errors"][0]["rule"] == "AUTH-2"


async def test_release_frees_the_name_and_is_in_history(client, clock) -> None:
    res = await reserve(client)
    rid = res["reservation_id"]
    resp = await client.post(f"/v1/names/reservations/{rid}/release", json={"reason": "不再设立"}, headers=STAFF)
    assert resp.json()["status"] == "released"
    trail = (await client.get(f"/v1/names/reservations/{rid}/history", headers=STAFF)).json()
    assert [(h["action"], h["actor"]) for h in trail] == [("reserved", "clerk-1"), ("released", "clerk-1")]
