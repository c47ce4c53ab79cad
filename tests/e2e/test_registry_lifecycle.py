"""Registry's "done means" end to end through the gateway (real processes, real NATS, real accounts):

name check → reservation → application → joint review by the supervisory unit, the Party-building body and the
bureau → registration with a USCC → change → deregistration; an organisation's annual report (its own account →
supervisory unit's first instance → bureau → disclosed) and grade; a township user's filing; the daily job for a
chosen future day marking an overdue report and an expired grade. Every step is in the history with who and in
which role, and the events reach credit, the gateway's profile and its change feed.

The services run on the real calendar, so the report and the grade are for an organisation registered years ago
(brought in by the legacy import, as a migration would): one registered today has no report due before next year
and cannot be graded for two years (AR-1, EVAL-2)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import uuid
from datetime import date, timedelta

import httpx
import pytest
from registration_bodies import direct_registration, unique_id_number

from yishe_contracts.identifiers import encode_sequence, make_uscc, validate_social_org_uscc
from yishe_kit.clock import today as business_today
from yishe_kit.testing import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DIVISION, OTHER_DIVISION, TOWNSHIP = "330302", "330303", "330302001"
SUPERVISORY_UNIT = "温州市鹿城区文化和广电旅游体育局"
CHARTER = ("第一条 本会名称为……。第二条 本会的宗旨是……。第三条 本会坚持中国共产党的全面领导，根据中国共产党章程的规定，"
           "设立中国共产党的组织，开展党的活动，为党组织的活动提供必要条件。第四条 本会接受登记管理机关的监督管理。")
_HAN = "春夏秋冬梅兰竹菊松柏山川河海星辰日月风云金木水火土天地玄黄宇宙洪荒寒来暑往秋收冬藏闰余成岁律吕调阳"
REVIEW_STEPS = ("supervisory_review", "political_review", "interview", "leader_notice", "registration_review",
                "publicity")
WAIT = {"timeout": 20, "interval": 0.2}


def _word(n: int = 4) -> str:
    return "".join(random.choice(_HAN) for _ in range(n))


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _account(stack, role: str, *, division: str = "", org_uscc: str | None = None) -> tuple[dict[str, str], str]:
    """An account made as an operator makes one (`python -m yishe_gateway.admin create-user`), then signed in
    through the gateway. Returns its bearer header and the actor the services see."""
    username, password = f"e2e-{role}-{uuid.uuid4().hex[:8]}", "e2e-password-1"
    cmd = [sys.executable, "-m", "yishe_gateway.admin", "create-user", username, role, "--division", division]
    if org_uscc:
        cmd += ["--org-uscc", org_uscc]
    done = subprocess.run(cmd, env={**stack.env(), "GATEWAY_ADMIN_PASSWORD": password}, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["division"] == division
    resp = httpx.post(f"{stack.gateway_url}/v1/auth/token", json={"username": username, "password": password})
    assert resp.status_code == 200, resp.text
    assert resp.json()["role"] == role and resp.json()["division"] == division
    return _bearer(resp.json()["access_token"]), org_uscc or f"user:{username}"


@pytest.fixture(scope="module")
def accounts(stack) -> dict[str, tuple[dict[str, str], str]]:
    """The supervisory unit (and one of another district), the Party-building body and a township user, made once:
    signing in is rate-limited per address (10 a minute by default)."""
    return {"supervisor": _account(stack, "supervisor", division=DIVISION),
            "elsewhere": _account(stack, "supervisor", division=OTHER_DIVISION),
            "party": _account(stack, "party", division=DIVISION),
            "township": _account(stack, "staff", division=TOWNSHIP)}


def _refused(resp: httpx.Response, rule: str) -> None:
    assert resp.status_code == 403, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert rule in [e["rule"] for e in resp.json()["errors"]], resp.text


def _entries(history: list[dict]) -> set[tuple[str, str, str]]:
    return {(h["action"], h["actor"], h["actor_role"]) for h in history}


async def _history(client: httpx.AsyncClient, uscc: str, staff: dict) -> list[dict]:
    resp = await client.get(f"/api/registry/v1/organisations/{uscc}/history", headers=staff)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def _feed_types(client: httpx.AsyncClient, staff: dict, uscc: str) -> set[str]:
    resp = await client.get("/v1/feed", params={"uscc": uscc, "limit": 1000}, headers=staff)
    assert resp.status_code == 200, resp.text
    return {item["type"] for item in resp.json()["items"]}


def _credit_records(client: httpx.AsyncClient, uscc: str, staff: dict):
    async def kinds() -> set[str]:
        resp = await client.get(f"/api/credit/v1/profiles/{uscc}/records", headers=staff)
        if resp.status_code != 200:
            return set()
        return {r["kind"] for r in resp.json()}

    return kinds


async def test_application_to_registration_change_and_deregistration_through_gateway(stack, accounts) -> None:
    staff = _bearer(stack.dev["staff"]["token"])
    (supervisor, supervisor_actor), (elsewhere, _) = accounts["supervisor"], accounts["elsewhere"]
    party, party_actor = accounts["party"]
    today = business_today()
    notice = {"period_from": (today - timedelta(days=7)).isoformat(),
              "period_to": (today - timedelta(days=1)).isoformat()}
    trade = _word()
    parts = {"org_type": "社会团体", "division_code": DIVISION, "trade_name": trade, "sector": "书画艺术",
             "form": "协会"}
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15) as client:
        # Name check: anyone may ask (an anonymous write the gateway lets through), then the bureau reserves it.
        check = await client.post("/api/registry/v1/names/check", json=parts)
        assert check.status_code == 200, check.text
        name = check.json()["name"]
        assert name == f"温州市鹿城区{trade}书画艺术协会" and check.json()["available"] is True
        reservation = await client.post("/api/registry/v1/names/reservations", headers=staff,
                                        json={**parts, "applicant": "发起人" + _word(2), "acknowledge_similar": True})
        assert reservation.status_code == 201, reservation.text
        assert reservation.json()["status"] == "reserved" and reservation.json()["name"] == name

        body = {
            "name_reservation_id": reservation.json()["reservation_id"], "org_type": "社会团体",
            "division_code": DIVISION, "supervisory_unit": SUPERVISORY_UNIT,
            "address": "温州市鹿城区五马街道公园路88号",
            "business_scope": "书画交流、展览和公益培训", "purpose": "弘扬传统文化",
            "legal_representative": {"name": "陈" + _word(2), "id_number": unique_id_number(), "phone": "13800138000"},
            "individual_members": 60, "unit_members": 0, "activity_funds": "50000.00",
            "leaders": [{"name": "王" + _word(2), "role": "会长", "birth_date": "1975-05-01"},
                        {"name": "林" + _word(2), "role": "秘书长", "birth_date": "1985-03-03"}],
            "founders": ["陈某", "林某"], "party_members": {"full_count": 3, "probationary_count": 0, "members": []},
            "charter_text": CHARTER,
        }
        _refused(await client.post("/api/registry/v1/applications", json=body, headers=supervisor), "AUTH-1")
        application = await client.post("/api/registry/v1/applications", json=body, headers=staff)
        assert application.status_code == 201, application.text
        app_id = application.json()["application_id"]
        assert application.json()["status"] == "under_review"
        assert application.json()["required_steps"] == list(REVIEW_STEPS)
        steps_url = f"/api/registry/v1/applications/{app_id}/steps"

        # The supervisory unit of another division is not this application's unit (AUTH-2); staff are not it (AUTH-1).
        decision = {"decision": "approved", "opinion": "同意"}
        _refused(await client.post(f"{steps_url}/supervisory_review", json=decision, headers=elsewhere), "AUTH-2")
        _refused(await client.post(f"{steps_url}/supervisory_review", json=decision, headers=staff), "AUTH-1")
        _refused(await client.post(f"{steps_url}/political_review", json=decision, headers=supervisor), "AUTH-1")
        reviewers = {"supervisory_review": (supervisor, supervisor_actor, "supervisor"),
                     "political_review": (party, party_actor, "party")}
        for step in REVIEW_STEPS:
            headers = reviewers.get(step, (staff,))[0]
            extra = notice if step in ("leader_notice", "publicity") else {}
            resp = await client.post(f"{steps_url}/{step}", json={**decision, **extra}, headers=headers)
            assert resp.status_code == 200, (step, resp.text)
            assert step not in resp.json()["pending_steps"]
        assert resp.json()["status"] == "approved" and resp.json()["pending_steps"] == []

        _refused(await client.post(f"/api/registry/v1/applications/{app_id}/register", headers=supervisor), "AUTH-1")
        registered = await client.post(f"/api/registry/v1/applications/{app_id}/register", headers=staff)
        assert registered.status_code == 201, registered.text
        org = registered.json()
        uscc = org["uscc"]
        assert validate_social_org_uscc(uscc) == [] and uscc.startswith("51" + DIVISION)
        assert org["name"] == name and org["status"] == "active" and org["application_id"] == app_id
        assert org["supervisory_unit"] == SUPERVISORY_UNIT and org["registration_date"] == today.isoformat()

        # Every joint-review step is in the application's trail with who and in which role.
        trail = (await client.get(f"/api/registry/v1/applications/{app_id}/history", headers=staff)).json()
        dev_staff = "user:" + stack.dev["staff"]["username"]
        expected = {(f"step:{s}", *reviewers.get(s, (None, dev_staff, "staff"))[1:]) for s in REVIEW_STEPS}
        assert expected <= _entries(trail)
        assert {("submitted", dev_staff, "staff"), ("status:registered", dev_staff, "staff")} <= _entries(trail)

        # Change registration, then deregistration.
        changed = await client.post(f"/api/registry/v1/organisations/{uscc}/changes", headers=staff,
                                    json={"address": "温州市鹿城区南汇街道学院路9号", "reason": "住所迁移",
                                          "consent_date": (today - timedelta(days=3)).isoformat()})
        assert changed.status_code == 200, changed.text
        assert changed.json()["changes"]["address"]["after"] == "温州市鹿城区南汇街道学院路9号"
        assert changed.json()["late"] is False
        # The gateway's profile is refreshed by the change event before the next step moves the status on.
        await eventually(lambda: _profile_has(client, uscc, staff, "address", "温州市鹿城区南汇街道学院路9号"), **WAIT)
        # TPA-3: the 清算审计 the authority commissioned is filed before the deregistration completes.
        audit = await client.post(f"/api/registry/v1/organisations/{uscc}/audits", headers=staff, json={
            "occasion": "deregistration", "audit_firm": "温州信达会计师事务所", "fee": "6000.00"})
        assert audit.status_code == 201, audit.text
        filed = await client.post(f"/api/registry/v1/organisations/{uscc}/audits/{audit.json()['engagement_id']}"
                                  "/report", headers=staff, json={"report_ref": "attachment:liquidation.pdf"})
        assert filed.status_code == 200, filed.text
        gone = await client.post(f"/api/registry/v1/organisations/{uscc}/deregistration", headers=staff,
                                 json={"liquidation_completed_on": (today - timedelta(days=2)).isoformat(),
                                       "reason": "会员大会决议解散，清算完毕"})
        assert gone.status_code == 200, gone.text
        assert gone.json()["status"] == "deregistered" and gone.json()["late"] is False

        history = await _history(client, uscc, staff)
        assert [h["action"] for h in history] == ["registered", "charter_approved", "changed", "audit_commissioned",
                                                  "audit_reported", "deregistered"]
        assert {(h["actor"], h["actor_role"]) for h in history} == {(dev_staff, "staff")}
        assert history[0]["after"]["application_id"] == app_id

        # Events delivered: credit's profile, the gateway's profile and its change feed follow the organisation.
        async def credit_deregistered() -> dict | None:
            resp = await client.get(f"/api/credit/v1/profiles/{uscc}")
            return resp.json() if resp.status_code == 200 and resp.json()["registration_status"] == "deregistered" \
                else None

        credit = await eventually(credit_deregistered, **WAIT)
        assert credit["org_name"] == name
        await eventually(lambda: _has(_credit_records(client, uscc, staff), {"change", "status_changed"}), **WAIT)
        profile = await eventually(lambda: _profile_has(client, uscc, staff, "status", "deregistered"), **WAIT)
        assert profile["organisation"]["address"] == "温州市鹿城区南汇街道学院路9号"
        wanted = {"registry.organisation.registered.v1", "registry.charter.approved.v1",
                  "registry.organisation.changed.v1", "registry.organisation.status_changed.v1",
                  "registry.application.changed.v1"}
        await eventually(lambda: _has(lambda: _feed_types(client, staff, uscc), wanted), **WAIT)


async def _has(kinds, wanted: set[str]) -> bool:
    return wanted <= await kinds()


async def _profile_has(client: httpx.AsyncClient, uscc: str, headers: dict, key: str, value) -> dict | None:
    resp = await client.get(f"/v1/code/{uscc}", headers=headers)
    if resp.status_code != 200 or (resp.json().get("organisation") or {}).get(key) != value:
        return None
    return resp.json()


async def test_annual_report_grade_township_filing_and_daily_job_through_gateway(stack, accounts) -> None:
    staff = _bearer(stack.dev["staff"]["token"])
    dev_staff = "user:" + stack.dev["staff"]["username"]
    today = business_today()
    year = today.year - 1
    uscc = make_uscc(category="1", division_code=DIVISION, body8="E" + encode_sequence(random.randrange(31**7), 7))
    name = f"温州市鹿城区{_word()}老年书画研究会"
    legacy = {"uscc": uscc, "name": name, "org_type": "社会团体", "division_code": DIVISION,
              "address": "温州市鹿城区五马街1号", "legal_representative": "张" + _word(2),
              "business_scope": "书画研究与交流", "supervisory_unit": SUPERVISORY_UNIT, "status": "active",
              "registration_date": "2015-04-01"}
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15) as client:
        imported = await client.post("/api/registry/v1/exchange/imports", params={"format": "jsonl", "source": "e2e"},
                                     content=json.dumps(legacy, ensure_ascii=False).encode(),
                                     headers={**staff, "content-type": "application/x-ndjson"})
        assert imported.status_code == 200, imported.text
        assert imported.json()["created"] == 1 and imported.json()["failed"] == 0, imported.text
        own, own_actor = _account(stack, "org", org_uscc=uscc)
        (supervisor, supervisor_actor), (elsewhere, _) = accounts["supervisor"], accounts["elsewhere"]
        township, township_actor = accounts["township"]
        await eventually(lambda: _credit_profile(client, uscc), **WAIT)  # registered reached credit

        # Annual report: the organisation's own account → supervisory unit → bureau → disclosed.
        reports = f"/api/registry/v1/organisations/{uscc}/annual-reports"
        report = {"year": year, "activities": "全年开展书画公益培训24场",
                  "finance": {"total_income": "120000.00", "total_expenditure": "98000.50", "net_assets": "65000.00"},
                  "party_building": {"has_party_organisation": True, "full_members": 3, "activities_held": 6}}
        submitted = await client.post(reports, json=report, headers=own)
        assert submitted.status_code == 201, submitted.text
        assert submitted.json()["status"] == "submitted"
        assert submitted.json()["deadline"] == f"{today.year}-05-31"
        assert submitted.json()["late"] is (today > date(today.year, 5, 31))
        opinion = {"decision": "passed", "opinion": "同意报送"}
        _refused(await client.post(f"{reports}/{year}/first-instance", json=opinion, headers=elsewhere), "AUTH-2")
        _refused(await client.post(f"{reports}/{year}/first-instance", json=opinion, headers=staff), "AUTH-1")
        first = await client.post(f"{reports}/{year}/first-instance", json=opinion, headers=supervisor)
        assert first.status_code == 200 and first.json()["status"] == "first_instance_passed", first.text
        verdict = {"result": "合格", "opinion": "材料齐全"}
        _refused(await client.post(f"{reports}/{year}/review", json=verdict, headers=own), "AUTH-1")
        reviewed = await client.post(f"{reports}/{year}/review", json=verdict, headers=staff)
        assert reviewed.status_code == 200 and reviewed.json()["result"] == "合格", reviewed.text
        disclosed = await client.post(f"{reports}/{year}/disclose", headers=own)
        assert disclosed.status_code == 200 and disclosed.json()["disclosed_on"] == today.isoformat()
        public = await client.get(f"{reports}/{year}")
        assert public.status_code == 200 and public.json()["review_opinion"] is None

        # Grade: announced today, so valid from next 1 January to the end of the fifth year (EVAL-8).
        graded = await client.post(f"/api/registry/v1/organisations/{uscc}/grades", headers=staff,
                                   json={"grade": "4A", "announced_on": today.isoformat(), "score": 860})
        assert graded.status_code == 201, graded.text
        valid_until = date.fromisoformat(graded.json()["valid_until"])
        assert graded.json()["status"] == "active" and valid_until.year == today.year + 5

        async def credit_graded() -> dict | None:
            body = await _credit_profile(client, uscc)
            return body if body and body["grade"] == "4A" else None

        await eventually(credit_graded, **WAIT)
        await eventually(lambda: _profile_has(client, uscc, staff, "grade", "4A"), **WAIT)
        await eventually(lambda: _has(_credit_records(client, uscc, staff), {
            "annual_report_submitted", "grade_awarded"}), **WAIT)

        # A township user files a community organisation, and only in its own township; it registers nothing.
        filing = {"community_class": "初创型", "division_code": DIVISION, "township_code": TOWNSHIP,
                  "township": "五马街道", "village": "墨池社区", "sector": _word(2) + "广场舞", "form": "队",
                  "business_scope": "组织居民文体活动", "leader": {"name": "周阿姨", "phone": "13700001234"},
                  "members": 18, "guiding_party_org": "墨池社区党委"}
        filed = await client.post("/api/registry/v1/filings", json=filing, headers=township)
        assert filed.status_code == 201, filed.text
        filing_no = filed.json()["filing_no"]
        assert filing_no.startswith("BA" + TOWNSHIP) and filed.json()["uscc"] is None
        assert filed.json()["name"] == f"温州市鹿城区五马街道墨池社区{filing['sector']}队"
        _refused(await client.post("/api/registry/v1/filings", headers=township,
                                   json={**filing, "township_code": "330302002", "township": "南汇街道"}), "AUTH-2")
        fast = direct_registration(f"温州市龙湾区{_word()}协会", OTHER_DIVISION, address="温州市龙湾区永中街道1号")
        _refused(await client.post("/api/registry/v1/organisations", json=fast, headers=township), "AUTH-2")
        _refused(await client.post("/api/registry/v1/organisations", json=fast, headers=own), "AUTH-1")
        trail = (await client.get(f"/api/registry/v1/filings/{filing_no}/history", headers=staff)).json()
        assert [(h["action"], h["actor"], h["actor_role"]) for h in trail] == [("filed", township_actor, "staff")]

        async def filing_in_feed() -> bool:
            resp = await client.get("/v1/feed", params={"subject": "registry.filing.changed.v1", "limit": 1000},
                                    headers=staff)
            return any(i["data"]["filing_no"] == filing_no for i in resp.json()["items"])

        await eventually(filing_in_feed, **WAIT)

        # The daily job for a chosen day after the grade's validity and after the next report's deadline.
        as_of = date(valid_until.year + 1, 6, 15)
        _refused(await client.post("/api/registry/v1/jobs/daily", params={"as_of": as_of.isoformat()},
                                   headers=own), "AUTH-1")
        started = await client.post("/api/registry/v1/jobs/daily", params={"as_of": as_of.isoformat()}, headers=staff)
        assert started.status_code == 202, started.text  # a job: never cut off by the gateway's upstream timeout

        async def finished() -> dict | None:
            job = (await client.get(f"/api/registry/v1/jobs/{started.json()['job_id']}", headers=staff)).json()
            return job if job["state"] not in ("queued", "running") else None

        job = await eventually(finished, **WAIT)
        assert job["state"] == "succeeded", job
        assert job["result"]["annual_reports_overdue"]["count"] >= 1 and job["result"]["grades_expired"]["count"] >= 1
        overdue = await client.get(f"{reports}/{valid_until.year}", headers=staff)
        # overdue from the day after the deadline (the rule's day), not the day the job ran (issue 13)
        assert overdue.status_code == 200, overdue.text
        assert overdue.json()["overdue_on"] == (date.fromisoformat(overdue.json()["deadline"]) + timedelta(days=1)
                                                ).isoformat()
        grades = (await client.get(f"/api/registry/v1/organisations/{uscc}/grades", headers=staff)).json()
        # ended on its last valid day (EVAL-4), however late the job ran (issue 13: catch-up), not on the job's day
        ended = [(g["grade"], g["status"], g["ended_on"]) for g in grades]
        assert ended == [("4A", "expired", valid_until.isoformat())]
        organisation = (await client.get(f"/api/registry/v1/organisations/{uscc}", headers=staff)).json()
        assert organisation["grade"] is None and organisation["status"] == "active"

        history = await _history(client, uscc, staff)
        assert [h["action"] for h in history] == [
            "imported", "annual_report_submitted", "annual_report_first_instance", "annual_report_reviewed",
            "annual_report_disclosed", "grade_changed", "annual_report_overdue", "annual_report_overdue",
            "grade_changed"]  # the job catches up on the two years' reports it had not yet seen (issue 13)
        assert [(h["actor"], h["actor_role"]) for h in history] == [
            (dev_staff, "staff"), (own_actor, "org"), (supervisor_actor, "supervisor"), (dev_staff, "staff"),
            (own_actor, "org"), (dev_staff, "staff"), ("daily-job", "internal"), ("daily-job", "internal"),
            ("daily-job", "internal")]

        # Events delivered: credit records the overdue report and drops the expired grade; the feed has them all.
        async def credit_expired() -> dict | None:
            body = await _credit_profile(client, uscc)
            return body if body and body["grade"] is None else None

        await eventually(credit_expired, **WAIT)
        await eventually(lambda: _has(_credit_records(client, uscc, staff), {
            "annual_report_overdue", "grade_expired"}), **WAIT)
        wanted = {"registry.organisation.registered.v1", "registry.annual_report.submitted.v1",
                  "registry.annual_report.reviewed.v1", "registry.grade.changed.v1",
                  "registry.annual_report.overdue.v1"}
        await eventually(lambda: _has(lambda: _feed_types(client, staff, uscc), wanted), **WAIT)
        profile = await eventually(lambda: _profile_has(client, uscc, staff, "grade", None), **WAIT)
        assert profile["organisation"]["name"] == name


async def _credit_profile(client: httpx.AsyncClient, uscc: str) -> dict | None:
    resp = await client.get(f"/api/credit/v1/profiles/{uscc}")
    return resp.json() if resp.status_code == 200 else None
