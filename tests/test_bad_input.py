"""No 5xx from any input (issue 12): integers beyond 64 bits (also where a route bounds only one side), dates and
years outside 1949–2200 and JSON nested 100,000 deep are answered 4xx naming the field, in every service
(yishe_kit.bounds, yishe_kit.limits)."""

from __future__ import annotations

import importlib

import pytest

from yishe_kit.testing import running_client

STAFF = {"x-yishe-role": "staff", "x-yishe-actor": "fuzz"}
HUGE = str(2**64 + 1)
JUST_OVER = str(2**63)  # one past the largest signed 64-bit integer
# (service, method, path, field the answer must name)
CASES = [
    ("registry", "get", f"/v1/applications/{HUGE}", "application_id"),
    ("party", "get", f"/v1/party-organisations/{HUGE}", "org_id"),
    ("registry", "post", "/v1/jobs/daily?as_of=9999-12-31", "as_of"),
    ("credit", "post", "/v1/jobs/daily?as_of=0999-01-01", "as_of"),
    ("party", "post", "/v1/jobs/daily?as_of=2201-01-01", "as_of"),
    ("procurement", "post", "/v1/jobs/daily?as_of=9999-12-31", "as_of"),
    ("credit", "get", "/v1/indicators/healthy-share?as_of=9999-12-31", "as_of"),
    ("procurement", "get", "/v1/projects?year=99999", "year"),
    # `offset: int = Query(ge=0)`: only a lower bound of its own; the kit adds the upper one (yishe_kit.bounds)
    ("credit", "get", f"/v1/lists/serious?offset={JUST_OVER}", "offset"),
    ("cultivation", "get", f"/v1/activities?offset={JUST_OVER}", "offset"),
    ("cultivation", "get", f"/v1/activities?offset={HUGE}", "offset"),
]


async def _client(service, migrated, nats_server):
    config = importlib.import_module(f"yishe_{service}.config")
    main = importlib.import_module(f"yishe_{service}.main")
    settings = config.Settings(db={"url": migrated(service).fresh_url()}, nats={"url": nats_server.url})
    async for client in running_client(main.create_app(settings)):
        yield client


@pytest.mark.parametrize(("service", "method", "path", "field"), CASES)
async def test_out_of_range_parameter_is_422_naming_it(service, method, path, field, migrated, nats_server) -> None:
    """Issue 12: ids beyond 64 bits (SQLite overflow) and daily jobs / indicators with years before 1000 or after
    2100 were server errors."""
    async for client in _client(service, migrated, nats_server):
        resp = await getattr(client, method)(path, headers=STAFF)
        assert resp.status_code == 422, resp.text
        assert field in {e["field"] for e in resp.json()["errors"]}


@pytest.mark.parametrize(("service", "path"), [("credit", "/v1/lists/serious"), ("cultivation", "/v1/activities")])
async def test_largest_64_bit_offset_is_an_empty_page(service, path, migrated, nats_server) -> None:
    """Issue 12: the largest offset a 64-bit column takes (2^63-1) is a valid, empty page on either database."""
    async for client in _client(service, migrated, nats_server):
        resp = await client.get(f"{path}?offset={2**63 - 1}&limit=100", headers=STAFF)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert (body if isinstance(body, list) else body.get("items", body.get("entries"))) == [], body


async def test_jsonl_import_line_nested_100000_deep_is_a_row_error(migrated, nats_server) -> None:
    """Issue 12: a JSON Lines import line nested 100,000 deep was a 500; sent as text/plain it passes the body's
    JSON depth limit, and the importer reports the line."""
    async for client in _client("registry", migrated, nats_server):
        body = b"[" * 100_000 + b"]" * 100_000 + b"\n"
        resp = await client.post("/v1/exchange/imports?format=jsonl&source=fuzz&dry_run=true", content=body,
                                 headers={**STAFF, "content-type": "text/plain"})
        assert resp.status_code < 500, resp.text
        deep = await client.post("/v1/exchange/imports?format=jsonl&source=fuzz&dry_run=true", content=body,
                                 headers={**STAFF, "content-type": "application/x-ndjson"})
        assert deep.status_code == 400 and deep.json()["code"] == "json_too_deep"
