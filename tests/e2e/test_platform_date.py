"""The platform date end to end (issue 13), real processes as `make run` starts them, real NATS: set at the gateway,
every service's clock follows it through the NATS KV key; with it, life cycles are driven through the API:

- every daily job (`as_of` defaulting to the business date) runs on the platform date, then back on the real one;
- a procurement life cycle: bid → award after the tender's end → contract → three follow-ups → final performance
  evaluation → credit's records of the award and the evaluation;
- a tender still open is not closed by a daily job asked for a later day (refused); moving the platform date past
  `tender_end` closes it;
- 吊销 → the serious list (CR-12.7) → 注销 some weeks later → off the serious list (CR-13), dated by the 注销;
- 简易注销 of a confirmed zombie once its 45-day notice has run (refused on its last day).

Each test puts the platform back on the real date before it ends (the stack is shared by the e2e session)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import date, timedelta

import httpx
import pytest
from registration_bodies import direct_registration

from yishe_kit.clock import business_date, default_clock
from yishe_kit.testing import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
SERVICES = ("registry", "credit", "procurement", "party")
WAIT = {"timeout": 20, "interval": 0.2}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _real_today() -> date:
    return business_date(default_clock().real_now())


def _purchaser(stack, division: str) -> dict[str, str]:
    return _account(stack, "purchaser", "--division", division)


def _account(stack, role: str, *options: str) -> dict[str, str]:
    """An account made with the admin command, signed in through the gateway."""
    username, password = f"e2e-{role}-{uuid.uuid4().hex[:8]}", "e2e-password-1"
    done = subprocess.run([sys.executable, "-m", "yishe_gateway.admin", "create-user", username, role, *options],
                          env={**stack.env(), "GATEWAY_ADMIN_PASSWORD": password},
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["role"] == role
    resp = httpx.post(f"{stack.gateway_url}/v1/auth/token", json={"username": username, "password": password})
    assert resp.status_code == 200, resp.text
    return _bearer(resp.json()["access_token"])


async def _set(client: httpx.AsyncClient, staff: dict, day: date | None, services: tuple[str, ...] = SERVICES) -> None:
    """Set (or clear) the platform date, then wait until each service's daily job (as_of = today) runs on it."""
    resp = await (client.put("/v1/platform/date", json={"date": day.isoformat()}, headers=staff) if day
                  else client.delete("/v1/platform/date", headers=staff))
    assert resp.status_code == 200, resp.text
    expected = (day or _real_today()).isoformat()
    assert resp.json()["today"] == expected
    for service in services:
        async def follows(service: str = service) -> bool:
            # The daily job is a job (202): follow it to its end through the gateway, never held open by it; a
            # run still active (409 job_running) or a busy service (504) is asked again.
            started = await client.post(f"/api/{service}/v1/jobs/daily", headers=staff)
            if started.status_code in (409, 502, 503, 504):
                return False
            assert started.status_code == 202, started.text

            async def finished() -> dict | None:
                resp = await client.get(f"/api/{service}/v1/jobs/{started.json()['job_id']}", headers=staff)
                job = resp.json() if resp.status_code == 200 else None
                return job if job and job["state"] not in ("queued", "running") else None

            job = await eventually(finished, **WAIT)
            assert job["state"] == "succeeded", job
            return job["result"]["as_of"] == expected

        await eventually(follows, **WAIT)


async def test_every_daily_job_runs_on_the_platform_date_then_the_real_one(stack) -> None:
    """Issue 13: one source of truth (NATS KV) followed by four service processes and the gateway."""
    staff = _bearer(stack.dev["staff"]["token"])
    day = _real_today() + timedelta(days=400)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=20) as client:
        try:
            await _set(client, staff, day)
            state = (await client.get("/v1/platform/date")).json()
            assert (state["enabled"], state["platform_date"]) == (True, day.isoformat())
        finally:
            await _set(client, staff, None)
        assert (await client.get("/v1/platform/date")).json()["platform_date"] is None


async def _catalogue(client: httpx.AsyncClient, staff: dict, year: int) -> None:
    catalogue = await client.post("/api/procurement/v1/catalogues", headers=staff, json={
        "level": "county", "division_code": "330302", "year": year, "title": f"{year}年度政府购买服务指导性目录",
        "issued_by": "鹿城区财政局", "items": [{"code": "A0201", "name": "社区居家养老服务"}]})
    assert catalogue.status_code == 201, catalogue.text
    published = await client.post(f"/api/procurement/v1/catalogues/{catalogue.json()['catalogue_id']}/publish",
                                  headers=staff)
    assert published.status_code == 200, published.text


async def _project(client: httpx.AsyncClient, purchaser: dict, year: int, tender_end: date) -> str:
    project = await client.post("/api/procurement/v1/projects", headers=purchaser, json={
        "title": f"鹿城区居家养老服务项目{uuid.uuid4().hex[:4]}",
        "description": "为辖区高龄独居老人提供上门助餐服务",
        "purchaser_department": "温州市鹿城区民政局", "division_code": "330302", "catalogue_item_code": "A0201",
        "budget_amount": "400000.00", "budget_source": "区级财政预算", "budget_year": year, "method": "公开招标",
        "term_start": f"{year}-01-01", "term_end": f"{year}-12-31", "tender_end": tender_end.isoformat()})
    assert project.status_code == 201, project.text
    project_id = project.json()["project_id"]
    opened = await client.post(f"/api/procurement/v1/projects/{project_id}/publish", headers=purchaser)
    assert opened.status_code == 200 and opened.json()["status"] == "tender", opened.text
    return project_id


async def test_award_contract_follow_ups_and_evaluation_driven_by_the_platform_date(stack, unique_name) -> None:
    """Issue 13: an organisation registered today bids; the platform date moves past the tender's end (award),
    to the signing, and past the term (three follow-ups, the final evaluation); credit records the award and the
    evaluation (CR-4 其他信息) on the days they took effect. No service has a clock of its own."""
    staff = _bearer(stack.dev["staff"]["token"])
    purchaser = _purchaser(stack, "330302")
    today = _real_today()
    year, tender_end = today.year + 2, today + timedelta(days=10)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=20) as client:
        registration = direct_registration(unique_name, address="温州市鹿城区人民路1号",
                        business_scope="养老服务、社区公益")
        resp = await client.post("/api/registry/v1/organisations", json=registration, headers=staff)
        assert resp.status_code == 201, resp.text
        uscc = resp.json()["uscc"]
        own = _account(stack, "org", "--org-uscc", uscc)

        async def may_bid() -> bool:
            got = await client.get(f"/api/procurement/v1/bidders/{uscc}", headers=staff)
            return got.status_code == 200 and got.json()["may_bid"]

        await eventually(may_bid, **WAIT)
        await _catalogue(client, staff, year)
        project_id = await _project(client, purchaser, year, tender_end)
        bid = await client.post(f"/api/procurement/v1/projects/{project_id}/bids", headers=own, json={
            "uscc": uscc, "amount": "380000.00", "proposal": "组建专业社工团队，按季度提供上门服务"})
        assert bid.status_code == 201, bid.text
        early = await client.post(f"/api/procurement/v1/projects/{project_id}/award", json={}, headers=purchaser)
        assert early.status_code == 409, early.text  # the tender is still open today
        try:
            award_day = tender_end + timedelta(days=1)
            await _set(client, staff, award_day, ("procurement",))
            panel = [{"name": "王评审", "role": "expert"}, {"name": "李评审", "role": "expert"},
                     {"name": "赵代表", "role": "purchaser_representative"}]
            put = await client.put(f"/api/procurement/v1/projects/{project_id}/panel", json={"members": panel},
                                   headers=purchaser)
            assert put.status_code == 200, put.text
            for member, score in zip(panel, ("88", "90", "86"), strict=True):
                sheet = {"member_name": member["name"], "scores": [{"bid_id": bid.json()["bid_id"], "score": score}]}
                scored = await client.post(f"/api/procurement/v1/projects/{project_id}/scores", json=sheet,
                                           headers=purchaser)
                assert scored.status_code == 200, scored.text
            award = await client.post(f"/api/procurement/v1/projects/{project_id}/award", json={},
                                      headers=purchaser)
            assert award.status_code == 201 and award.json()["uscc"] == uscc, award.text
            assert award.json()["award_date"] == award_day.isoformat()

            sign_day = award_day + timedelta(days=3)
            await _set(client, staff, sign_day, ("procurement",))
            signed = await client.post(f"/api/procurement/v1/projects/{project_id}/contract", headers=purchaser,
                                       json={
                "content": "为辖区200名高龄独居老人提供上门助餐、助洁和每周探访", "quantity": "每月不少于800人次",
                "quality": "服务对象满意度不低于90%", "settlement": "按季度考核后分三期支付",
                "rights_obligations": "购买主体监督考核，承接主体按合同提供服务并建立项目台账",
                "liability": "未达标的按比例扣减服务费", "date_signed": sign_day.isoformat(),
                "milestones": [{"title": "首期", "due_date": f"{year}-01-15", "amount": "114000.00"},
                               {"title": "中期", "due_date": f"{year}-07-15", "amount": "152000.00"},
                               {"title": "尾款", "due_date": f"{year + 1}-01-15", "amount": "114000.00"}]})
            assert signed.status_code == 201, signed.text
            contract_id = signed.json()["contract_id"]

            final_day = date(year + 1, 1, 5)
            await _set(client, staff, final_day, ("procurement", "credit"))
            for day in (f"{year}-03-31", f"{year}-08-31", f"{year}-12-20"):
                followed = await client.post(f"/api/procurement/v1/contracts/{contract_id}/follow-ups",
                                             headers=staff, json={"followed_on": day, "findings": "按计划开展",
                                                                  "followed_by": "五马街道社会组织服务中心"})
                assert followed.status_code == 201, followed.text
            assert followed.json()["meets_minimum"] is True
            evaluated = await client.post(f"/api/procurement/v1/contracts/{contract_id}/evaluations",
                                          headers=purchaser, json={
                "kind": "final", "evaluator_type": "third_party", "evaluator_name": "温州市某第三方评估机构",
                "evaluated_on": final_day.isoformat(),
                "indicators": [{"name": "服务数量", "weight": "40", "score": "95"},
                               {"name": "服务质量", "weight": "40", "score": "90"},
                               {"name": "满意度", "weight": "20", "score": "88"}]})
            assert evaluated.status_code == 201 and evaluated.json()["result"] == "优秀", evaluated.text

            async def records() -> dict[str, str] | None:
                got = await client.get(f"/api/credit/v1/profiles/{uscc}/records", headers=staff)
                kinds = {r["kind"]: r["formed_on"] for r in got.json()} if got.status_code == 200 else {}
                return kinds if {"contract_awarded", "performance_evaluated"} <= set(kinds) else None

            kinds = await eventually(records, **WAIT)
            assert kinds["performance_evaluated"] == final_day.isoformat()
        finally:
            await _set(client, staff, None, ("procurement", "credit"))


async def test_open_tender_closed_only_when_platform_date_passes_its_end(stack) -> None:
    """The daily job's `as_of` is a day that has come: asking for a later one is refused and the tender stays
    open; once the platform date is past `tender_end`, the job (as of today) closes it."""
    staff = _bearer(stack.dev["staff"]["token"])
    purchaser = _purchaser(stack, "330302")
    today = _real_today()
    year = today.year + 3  # a guidance catalogue of its own (the life-cycle test publishes year + 2)
    tender_end = today + timedelta(days=10)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=20) as client:
        await _catalogue(client, staff, year)
        project_id = await _project(client, purchaser, year, tender_end)

        later = await client.post("/api/procurement/v1/jobs/daily",
                                  params={"as_of": (tender_end + timedelta(days=30)).isoformat()}, headers=staff)
        assert later.status_code == 400 and later.json()["code"] == "as_of_in_future", later.text
        status = (await client.get(f"/api/procurement/v1/projects/{project_id}", headers=staff)).json()["status"]
        assert status == "tender"
        try:
            await _set(client, staff, tender_end + timedelta(days=1), ("procurement",))
            async def closed() -> bool:
                resp = await client.get(f"/api/procurement/v1/projects/{project_id}", headers=staff)
                return resp.json()["status"] == "evaluation"

            await eventually(closed, **WAIT)  # _set's run of the daily job on that day closed it
        finally:
            await _set(client, staff, None, ("procurement",))


async def test_revoked_organisation_leaves_serious_list_when_deregistered_weeks_later(stack, unique_name) -> None:
    """CR-12.7 → CR-13 across registry and credit: 吊销 lists it serious (red); 注销 is accepted after 吊销 and,
    on the platform date five weeks on, takes it off the list on that day."""
    staff = _bearer(stack.dev["staff"]["token"])
    registration = direct_registration(unique_name, address="温州市鹿城区人民路1号",
                    business_scope="志愿服务、社区公益")
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=20) as client:
        resp = await client.post("/api/registry/v1/organisations", json=registration, headers=staff)
        assert resp.status_code == 201, resp.text
        uscc = resp.json()["uscc"]

        async def profile() -> dict | None:
            got = await client.get(f"/api/credit/v1/profiles/{uscc}", headers=staff)
            return got.json() if got.status_code == 200 else None

        await eventually(profile, **WAIT)
        revoked = await client.post(f"/api/registry/v1/organisations/{uscc}/status", headers=staff, json={
            "action": "revoke_certificate", "rule": "CR-12", "reason": "严重违法，吊销登记证书"})
        assert revoked.status_code == 200 and revoked.json()["status"] == "certificate_revoked", revoked.text

        async def serious() -> dict | None:
            body = await profile()
            return body if body and body["serious_listed"] else None

        listed = await eventually(serious, **WAIT)
        [entry] = [e for e in listed["list_entries"] if e["list_type"] == "serious"]
        assert (entry["trigger"], entry["listed_on"]) == ("CR-12.7", _real_today().isoformat())
        assert listed["colour"] == "red"

        day = _real_today() + timedelta(days=35)
        try:
            await _set(client, staff, day, ("registry", "credit"))
            exempted = await client.post(f"/api/registry/v1/organisations/{uscc}/audits/exemptions", headers=staff,
                                         json={"occasion": "deregistration", "reason": "上级批复免于审计",
                                               "authorised_by": "chief-1"})
            assert exempted.status_code == 201, exempted.text  # TPA-3
            done = await client.post(f"/api/registry/v1/organisations/{uscc}/deregistration", headers=staff, json={
                "liquidation_completed_on": (day - timedelta(days=3)).isoformat(), "reason": "清算完毕，申请注销"})
            assert done.status_code == 200 and done.json()["status"] == "deregistered", done.text
            assert done.json()["status_since"] == day.isoformat()

            async def removed() -> dict | None:
                body = await profile()
                return body if body and not body["serious_listed"] else None

            body = await eventually(removed, **WAIT)
            [entry] = [e for e in body["list_entries"] if e["list_type"] == "serious"]
            assert entry["removed_on"] == day.isoformat()
        finally:
            await _set(client, staff, None, ("registry", "credit"))


async def test_zombie_simple_deregistration_after_its_45_day_notice_driven_by_the_platform_date(stack,
                                                                                               unique_name) -> None:
    """CR-16 through the API: registered today; two years of missed reports (registry's daily job on the platform
    dates after each deadline), an unsigned letter and 24 months without activity make a zombie candidate; the
    bureau confirms; registry's 简易注销 notice runs 45 days: refused on its last day, done the day after."""
    staff = _bearer(stack.dev["staff"]["token"])
    today = _real_today()
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=20) as client:
        registration = direct_registration(unique_name, address="温州市鹿城区人民路1号",
                        business_scope="文化交流")
        resp = await client.post("/api/registry/v1/organisations", json=registration, headers=staff)
        assert resp.status_code == 201, resp.text
        uscc = resp.json()["uscc"]
        org_path = f"/api/registry/v1/organisations/{uscc}"
        try:
            for year in (today.year + 1, today.year + 2):  # the reports on these years are never filed
                await _set(client, staff, date(year + 1, 6, 10), ("registry", "credit"))
            letter = await client.post("/api/credit/v1/mailings", headers=staff, json={
                "uscc": uscc, "tracking_number": f"EMS{uuid.uuid4().hex[:10]}", "address": "温州市鹿城区人民路1号",
                "sent_on": date(today.year + 3, 6, 1).isoformat()})
            assert letter.status_code == 201, letter.text
            unsigned = await client.post(f"/api/credit/v1/mailings/{letter.json()['mailing_id']}/outcome",
                                         headers=staff, json={"signed": False,
                                                              "outcome_on": date(today.year + 3, 6, 8).isoformat()})
            assert unsigned.status_code == 200, unsigned.text

            async def candidate() -> dict | None:
                got = await client.get("/api/credit/v1/zombies/candidates", headers=staff)
                return next((c for c in got.json() if c["uscc"] == uscc), None)

            found = await eventually(candidate, **WAIT)
            assert all(found["signals"].values()), found
            confirmed = await client.post("/api/credit/v1/zombies/decisions", headers=staff,
                                          json={"uscc": uscc, "confirmed": True})
            assert confirmed.status_code == 201, confirmed.text

            async def notice() -> dict | None:  # registry learns of the confirmation through NATS
                got = await client.post(f"{org_path}/simple-deregistration/notice", headers=staff,
                                        json={"reason": "僵尸型社会组织，拟简易注销，公告45日"})
                return got.json() if got.status_code == 200 else None

            started = await eventually(notice, **WAIT)
            notice_day = date(today.year + 3, 6, 10)
            last_day = notice_day + timedelta(days=44)
            assert (started["notice_from"], started["notice_until"]) == (notice_day.isoformat(), last_day.isoformat())

            await _set(client, staff, last_day, ("registry",))
            early = await client.post(f"{org_path}/simple-deregistration", headers=staff, json={"reason": "公告期满"})
            assert early.status_code == 409 and early.json()["errors"][0]["rule"] == "CR-16", early.text
            await _set(client, staff, last_day + timedelta(days=1), ("registry",))
            done = await client.post(f"{org_path}/simple-deregistration", headers=staff, json={"reason": "公告期满"})
            assert done.status_code == 200, done.text
            assert (done.json()["status"], done.json()["status_since"]) == (
                "simple_deregistered", (last_day + timedelta(days=1)).isoformat())
        finally:
            await _set(client, staff, None, ("registry", "credit"))
