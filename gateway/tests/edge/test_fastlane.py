"""The fast lane answers anonymous lookups of held profiles exactly as the route does, and nothing else."""

from __future__ import annotations

from yishe_gateway import qr


async def test_fast_lane_answer_equals_route_answer_when_profile_held(gw, fake, make_uscc) -> None:
    app, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    via_route = await client.get(f"/v1/code/{uscc}", params={"format": "json"})  # loads, then held
    hits = app.state.cache.hits
    via_lane = await client.get(f"/v1/code/{uscc}", headers={"X-Request-ID": "lane-1"})
    assert app.state.cache.hits == hits + 1 and fake.calls["registry"] == 1
    assert via_lane.content == via_route.content
    assert via_lane.headers["content-type"] == "application/json" and via_lane.headers["x-request-id"] == "lane-1"
    sig = qr.sign_code(app.state.settings.signing_key.get_secret_value(), uscc)
    assert (await client.get(f"/v1/code/{uscc}?sig={sig}")).json()["signature_valid"] is True
    assert (await client.get(f"/v1/code/{uscc}?sig=%E4%BC%AA")).json()["signature_valid"] is False


async def test_fast_lane_leaves_credentials_and_other_requests_to_the_route(gw, fake, auth, make_uscc) -> None:
    app, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    await client.get(f"/v1/code/{uscc}")
    staff = auth.bearer(await auth.token(app, "staff"))
    assert (await client.get(f"/v1/code/{uscc}", headers=staff)).json()["view"] == "department"
    assert (await client.get(f"/v1/code/{uscc}?view=public&sig=x")).json()["view"] == "public"
    page = await client.get(f"/v1/code/{uscc}", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    bad = await client.get("/v1/code/51330300MJ8A2T0117")
    assert bad.status_code == 400
