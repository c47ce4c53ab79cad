"""CODE-7: a batch of up to 100 codes, each answered with its own status, in order; non-public items audited."""

from __future__ import annotations

from sqlalchemy import func, select

from yishe_gateway.audit.models import AuditEntry


async def test_batch_answers_each_code_with_its_own_status_in_order(gw, fake, make_uscc) -> None:
    _, client = gw
    known, unknown = make_uscc(), make_uscc()
    fake.add(known)
    codes = [known, "51330300MJ8A2T0117", unknown, known]
    resp = await client.post("/v1/code/batch", json={"codes": codes})
    assert resp.status_code == 200, resp.text
    results = resp.json()["results"]
    assert [r["uscc"] for r in results] == codes
    assert [r["status"] for r in results] == [200, 400, 404, 200]
    assert results[0]["profile"]["view"] == "public" and results[0]["profile"]["organisation"]["uscc"] == known
    assert results[1]["error"]["errors"][0]["rule"] == "USCC-5"
    assert results[2]["error"]["code"] == "organisation_not_found"


async def test_batch_400_when_more_codes_than_allowed(gw, make_uscc) -> None:
    _, client = gw
    resp = await client.post("/v1/code/batch", json={"codes": [make_uscc() for _ in range(101)]})
    assert resp.status_code == 400 and resp.json()["errors"][0]["rule"] == "CODE-7"


async def test_batch_department_view_audited_per_organisation(gw, fake, auth, make_uscc) -> None:
    app, client = gw
    inside, outside = make_uscc("330302"), make_uscc("330402")
    fake.add(inside)
    fake.add(outside)
    staff = auth.bearer(await auth.token(app, "staff", division="3303"))
    results = (await client.post("/v1/code/batch", json={"codes": [inside, outside]}, headers=staff)).json()
    assert [r["profile"]["view"] for r in results["results"]] == ["department", "public"]
    async with app.state.sessionmaker() as session:
        audited = await session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.uscc == inside))
        others = await session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.uscc == outside))
    assert (audited, others) == (1, 0)


async def test_batch_item_403_when_view_asked_outside_jurisdiction(gw, fake, auth, make_uscc) -> None:
    app, client = gw
    inside, outside = make_uscc("330302"), make_uscc("330402")
    fake.add(inside)
    fake.add(outside)
    staff = auth.bearer(await auth.token(app, "staff", division="3303"))
    resp = await client.post("/v1/code/batch", json={"codes": [inside, outside], "view": "department"},
                             headers=staff)
    assert [r["status"] for r in resp.json()["results"]] == [200, 403]
