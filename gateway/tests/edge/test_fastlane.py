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


async def test_fast_lane_loads_a_profile_not_held_as_the_route_does(start_gateway, fake, make_uscc) -> None:
    """Cache off: every anonymous lookup is a first lookup, assembled by the lane through the same fan-out."""
    app, client = await start_gateway(cache={"max_entries": 0})
    uscc = make_uscc()
    fake.add(uscc)
    via_lane = await client.get(f"/v1/code/{uscc}", headers={"X-Request-ID": "lane-cold"})
    via_route = await client.get(f"/v1/code/{uscc}", params={"format": "json"})
    assert via_lane.status_code == via_route.status_code == 200
    body, routed = via_lane.json(), via_route.json()
    assert body.pop("as_of") and routed.pop("as_of")  # the assembly time differs, nothing else
    assert body == routed and body["view"] == "public" and body["party"] is None
    assert via_lane.headers["x-request-id"] == "lane-cold"
    assert fake.seen_headers[-6]["x-request-id"] == "lane-cold"  # the lane's fan-out carried the request id
    assert app.state.cache.misses == 2 and fake.calls["registry"] == 2


async def test_fast_lane_answers_unknown_and_unavailable_as_the_route_does(start_gateway, fake, make_uscc) -> None:
    _, client = await start_gateway(cache={"max_entries": 0})
    unknown = make_uscc()
    lane, route = await client.get(f"/v1/code/{unknown}"), await client.get(f"/v1/code/{unknown}?format=json")
    assert lane.status_code == route.status_code == 404 and lane.json() == route.json()
    assert lane.headers["content-type"] == route.headers["content-type"] == "application/problem+json"
    fake.failing.add("registry")
    lane, route = await client.get(f"/v1/code/{unknown}"), await client.get(f"/v1/code/{unknown}?format=json")
    assert lane.status_code == route.status_code == 503 and lane.json() == route.json()
    assert (await client.get("/v1/code/51330300MJ8A2T0117")).json()["errors"][0]["rule"].startswith("USCC")
