from __future__ import annotations

from datetime import date

from registry_factories import (
    PARTY,
    STAFF,
    SUPERVISOR,
    TOWNSHIP,
    application,
    apply,
    events,
    history_actions,
    registered,
    reserve,
    review_all,
    step,
)
from sqlalchemy import select

from yishe_contracts.identifiers import validate_social_org_uscc


async def test_application_runs_joint_review_to_registration_when_every_step_approved(client, app, clock) -> None:
    today = clock(date(2026, 11, 20))
    app_json = await apply(client, category=None, supervisory_unit="温州市鹿城区文化和广电旅游体育局")
    assert app_json["status"] == "under_review"
    assert app_json["decision_due"] == "2027-01-19"  # REG-2: 60 days
    assert app_json["required_steps"][0] == "supervisory_review"
    ready = await review_all(client, app_json, today)
    assert ready["status"] == "approved" and ready["pending_steps"] == []
    resp = await client.post(f"/v1/applications/{app_json['application_id']}/register", headers=STAFF)
    assert resp.status_code == 201, resp.text
    org = resp.json()
    assert validate_social_org_uscc(org["uscc"]) == [] and org["uscc"].startswith("51330302")
    assert org["application_id"] == app_json["application_id"] and org["source"] == "application"
    [event] = await events(app, "registry.organisation.registered.v1", org["uscc"])
    assert event["application_id"] == app_json["application_id"] and event["party_full_members"] == 3
    assert (await events(app, "registry.charter.approved.v1", org["uscc"]))[0]["version"] == 1
    assert await history_actions(client, org["uscc"]) == ["registered", "charter_approved"]
    final = (await client.get(f"/v1/applications/{app_json['application_id']}", headers=STAFF)).json()
    assert final["status"] == "registered" and final["uscc"] == org["uscc"]
    steps = {s["step"]: s for s in final["steps"]}
    assert steps["supervisory_review"]["actor_role"] == "supervisor"
    assert steps["political_review"]["actor"] == PARTY["x-yishe-actor"]


async def test_supervisory_review_skipped_when_directly_registered(client, clock) -> None:
    app_json = await apply(client, category="行业协会商会", reservation_overrides={"category": "行业协会商会"})
    assert "supervisory_review" not in app_json["required_steps"]
    resp = await step(client, app_json["application_id"], "supervisory_review", SUPERVISOR)
    assert resp.status_code == 409 and resp.json()["errors"][0]["rule"] == "REG-8"


async def test_submission_refused_by_rule_ids_and_nothing_written_when_conditions_fail(client, app, clock) -> None:
    res = await reserve(client)
    body = application(res["reservation_id"], category=None, individual_members=20, activity_funds="1000",
                       charter_text="本会章程，只写了会员和理事会，没有别的内容。" * 2,
                       leaders=[{"name": "老会长", "role": "会长", "birth_date": "1950-01-01"}])
    resp = await client.post("/v1/applications", json=body, headers=STAFF)
    assert resp.status_code == 400
    rules = {(e["field"], e["rule"]) for e in resp.json()["errors"]}
    assert {("supervisory_unit", "REG-8"), ("individual_members", "REG-1"), ("activity_funds", "REG-1"),
            ("charter_text", "PARTY-11"), ("leaders[0].birth_date", "REG-10")} <= rules
    assert all(e["message_zh"] and e["message"] for e in resp.json()["errors"])
    assert await events(app, "registry.application.changed.v1") == []
    check = await client.post("/v1/applications/check", json=body)
    assert check.json()["ok"] is False and len(check.json()["problems"]) == len(resp.json()["errors"])


async def test_leader_limits_pass_when_exception_approved(client, clock) -> None:
    res = await reserve(client)
    old = {"name": "老会长", "role": "会长", "birth_date": "1950-01-01", "consecutive_terms": 3,
           "approved_exception": True, "exception_note": "会员大会表决并经批准"}
    resp = await client.post("/v1/applications", json=application(res["reservation_id"], leaders=[old]),
                             headers=STAFF)
    assert resp.status_code == 201, resp.text


async def test_foundation_conditions_by_fund_level_when_below_minimum(client, clock) -> None:
    res = await reserve(client, org_type="基金会")
    body = application(res["reservation_id"], "基金会", activity_funds="1000000", directors=3, public_fundraising=True)
    errors = (await client.post("/v1/applications/check", json=body)).json()["problems"]
    assert {(e["field"], e["rule"]) for e in errors} == {("activity_funds", "REG-4"), ("directors", "REG-4")}
    assert "4,000,000" in errors[0]["message"]
    community = application(res["reservation_id"], "基金会", activity_funds="600000",
                            community_development_foundation=True)
    assert (await client.post("/v1/applications/check", json=community)).json()["ok"] is True  # REG-5


async def test_startup_community_organisation_refused_when_applying_to_register(client, clock) -> None:
    resp = await client.post("/v1/names/reservations", json={
        "org_type": "社会团体", "division_code": "330302", "community_class": "初创型", "township": "五马街道",
        "sector": "广场舞", "form": "队", "applicant": "居民"}, headers=STAFF)
    assert resp.status_code == 400 and resp.json()["errors"][0]["rule"] == "REG-12"


async def test_rejection_needs_reasons_and_returns_the_name_when_recorded(client, app, clock) -> None:
    app_json = await apply(client)
    app_id = app_json["application_id"]
    assert (await step(client, app_id, "political_review", PARTY, decision="rejected")).status_code == 400
    resp = await step(client, app_id, "political_review", PARTY, decision="rejected",
                      reasons=[{"rule": "REG-2", "reason_zh": "拟任负责人不符合条件"}])
    assert resp.json()["status"] == "rejected"
    res = (await client.get(f"/v1/names/reservations/{app_json['reservation_id']}")).json()
    assert res["status"] == "reserved"
    statuses = [e["status"] for e in await events(app, "registry.application.changed.v1")]
    assert statuses == ["under_review", "rejected"]


async def test_correction_reopens_a_mistaken_rejection_and_keeps_the_trail(client, clock) -> None:
    app_json = await apply(client)
    app_id = app_json["application_id"]
    rejected = await step(client, app_id, "interview", STAFF, decision="rejected",
                          reasons=[{"reason_zh": "误操作"}])
    step_id = rejected.json()["steps"][0]["step_id"]
    same_actor = await client.post(f"/v1/applications/{app_id}/corrections", headers=STAFF,
                                   json={"step_id": step_id, "reason": "点错了", "authorised_by": "clerk-1"})
    assert same_actor.status_code == 400 and same_actor.json()["errors"][0]["rule"] == "HIST-2"
    resp = await client.post(f"/v1/applications/{app_id}/corrections", headers=STAFF,
                             json={"step_id": step_id, "reason": "点错了", "authorised_by": "chief-1"})
    assert resp.status_code == 200 and resp.json()["status"] == "under_review"
    assert resp.json()["steps"][0]["superseded_by"]
    trail = (await client.get(f"/v1/applications/{app_id}/history", headers=STAFF)).json()
    assert [h["action"] for h in trail][-2:] == ["step_corrected", "status:under_review"]


async def test_notice_step_refused_when_period_too_short_or_not_over(client, clock) -> None:
    today = clock(date(2026, 11, 20))
    app_id = (await apply(client))["application_id"]
    short = await step(client, app_id, "leader_notice", period_from="2026-11-17", period_to="2026-11-19")
    assert short.status_code == 400 and short.json()["errors"][0]["rule"] == "REG-11"
    running = await step(client, app_id, "leader_notice", period_from="2026-11-16", period_to=today.isoformat())
    assert running.status_code == 400 and "not ended" in running.json()["errors"][0]["message"]


async def test_registration_review_waits_for_the_other_steps(client, clock) -> None:
    app_id = (await apply(client))["application_id"]
    resp = await step(client, app_id, "registration_review")
    assert resp.status_code == 409 and resp.json()["errors"][0]["rule"] == "REG-9"
    assert (await client.post(f"/v1/applications/{app_id}/register", headers=STAFF)).status_code == 409


async def test_roles_enforced_for_each_step(client, clock) -> None:
    app_id = (await apply(client, category=None, supervisory_unit="某局"))["application_id"]
    resp = await step(client, app_id, "supervisory_review", STAFF)
    assert resp.status_code == 403 and resp.json()["errors"][0]["rule"] == "AUTH-1"
    assert (await step(client, app_id, "political_review", SUPERVISOR)).status_code == 403
    assert (await client.get(f"/v1/applications/{app_id}")).status_code == 403  # public



async def test_supervisor_and_party_outside_their_division_refused_403_and_nothing_written(client, clock) -> None:
    """AUTH-2: the application names a supervisory unit; a unit's account limited to another division is not it."""
    app_id = (await apply(client, category=None, supervisory_unit="温州市鹿城区文化和广电旅游体育局"))["application_id"]
    longwan = {**SUPERVISOR, "x-yishe-division": "330303"}
    resp = await step(client, app_id, "supervisory_review", longwan)
    assert resp.status_code == 403 and resp.json()["errors"][0]["rule"] == "AUTH-2"
    resp = await step(client, app_id, "political_review", {**PARTY, "x-yishe-division": "330303"})
    assert resp.status_code == 403 and resp.json()["errors"][0]["rule"] == "AUTH-2"
    assert (await client.get(f"/v1/applications/{app_id}", headers=STAFF)).json()["steps"] == []
    assert [h["action"] for h in (await client.get(f"/v1/applications/{app_id}/history", headers=STAFF)).json()
            if h["action"].startswith("step:")] == []
    lucheng = await step(client, app_id, "supervisory_review", {**SUPERVISOR, "x-yishe-division": "330302"})
    assert lucheng.status_code == 200, lucheng.text
    city = await step(client, app_id, "political_review", PARTY)  # no prefix: the whole city
    assert city.status_code == 200, city.text

async def test_overdue_applications_listed_and_marked_once_by_daily_job(client, app, clock) -> None:
    clock(date(2026, 9, 1))
    app_id = (await apply(client))["application_id"]
    clock(date(2026, 11, 20))
    listed = (await client.get("/v1/applications?overdue=true", headers=STAFF)).json()["items"]
    assert [a["application_id"] for a in listed] == [app_id] and listed[0]["overdue"] is True
    first = (await client.post("/v1/jobs/daily?wait=true&as_of=2026-11-20", headers=STAFF)).json()
    again = (await client.post("/v1/jobs/daily?wait=true&as_of=2026-11-20", headers=STAFF)).json()
    assert first["applications_overdue"]["count"] == 1 and again["applications_overdue"]["count"] == 0
    assert [e["overdue"] for e in await events(app, "registry.application.changed.v1")] == [False, True]


async def test_filed_organisation_registers_when_mature(client, app, clock) -> None:
    today = clock(date(2026, 11, 20))
    from registry_factories import TOWNSHIP
    filing = await client.post("/v1/filings", headers=TOWNSHIP, json={
        "community_class": "成长型", "division_code": "330302", "township_code": "330302001", "township": "五马街道",
        "sector": "邻里互助", "form": "服务队", "business_scope": "邻里互助", "leader": {"name": "周阿姨"},
        "members": 25})
    assert filing.status_code == 201, filing.text
    filing_no = filing.json()["filing_no"]
    org = await registered(client, today, reservation_overrides={"community_class": "成熟型", "township": "五马街道",
                                                                  "form": "协会"},
                           community_class="成熟型", category=None, individual_members=15, activity_funds="0",
                           filing_no=filing_no)
    assert org["community_class"] == "成熟型" and org["filing_no"] == filing_no
    after = (await client.get(f"/v1/filings/{filing_no}")).json()
    assert after["status"] == "registered" and after["uscc"] == org["uscc"]
    rows = await events(app, "registry.filing.changed.v1")
    assert [r["status"] for r in rows] == ["filed", "registered"]
    async with app.state.sessionmaker() as s:
        from yishe_registry.name.models import NameClaim
        holders = (await s.scalars(select(NameClaim.holder_type))).all()
    assert sorted(holders) == ["organisation"]  # the filed name was released, the registered one is held


async def test_applications_read_and_listed_only_within_prefix_when_caller_limited(client) -> None:
    """AUTH-2: staff, a supervisory unit or a Party-building body limited to a prefix neither read nor list an
    application outside it, whatever division it asks for; a township account registers nothing, so sees none."""
    lucheng = (await apply(client))["application_id"]
    longwan = (await apply(client, division_code="330303",
                           reservation_overrides={"division_code": "330303"}))["application_id"]
    for role in (STAFF, SUPERVISOR, PARTY):
        outside = {**role, "x-yishe-division": "330303"}
        refused = await client.get(f"/v1/applications/{lucheng}", headers=outside)
        assert refused.status_code == 403 and refused.json()["errors"][0]["rule"] == "AUTH-2"
        assert (await client.get(f"/v1/applications/{longwan}", headers=outside)).status_code == 200
        for query in ({}, {"division": "33"}, {"division": "330303"}):
            listed = await client.get("/v1/applications", params={**query, "limit": 100}, headers=outside)
            assert listed.status_code == 200, listed.text
            assert [a["application_id"] for a in listed.json()["items"]] == [longwan]
        asked = await client.get("/v1/applications", params={"division": "330302"}, headers=outside)
        assert asked.status_code == 403
        assert [(e["field"], e["rule"]) for e in asked.json()["errors"]] == [("division", "AUTH-2")]
    assert (await client.get(f"/v1/applications/{lucheng}", headers=TOWNSHIP)).status_code == 403
    assert (await client.get("/v1/applications", headers=TOWNSHIP)).json()["items"] == []
    city = await client.get("/v1/applications", params={"division": "330302", "limit": 100},
                            headers={**STAFF, "x-yishe-division": "3303"})
    assert [a["application_id"] for a in city.json()["items"]] == [lucheng]
