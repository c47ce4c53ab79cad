"""yishe_kit.bounds (issue 12, no 5xx): every int a route takes fits 64 bits, also where the route bounds one side."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from yishe_kit.bounds import INT_MAX, INT_MIN, bound_parameters


class Page(BaseModel):
    skip: int = Field(ge=0)
    take: int | None = Field(default=None, gt=0, le=2**64)


def _app() -> TestClient:
    app = FastAPI()

    @app.get("/items")
    def items(offset: Annotated[int, Query(ge=0)] = 0, limit: Annotated[int, Query(ge=1, le=500)] = 100,
              before: Annotated[int, Query(lt=10)] = 0, wide: Annotated[int, Query(le=2**63)] = 0) -> int:
        return offset

    @app.post("/pages")
    def pages(page: Page) -> int:
        return page.skip

    bound_parameters(app)
    return TestClient(app)


@pytest.mark.parametrize(("query", "status"), [
    (f"offset={2**63}", 422), (f"offset={INT_MAX}", 200), ("offset=-1", 422),   # ge only: the upper bound is added
    ("limit=501", 422), ("limit=500", 200),                                       # the route's tighter bound wins
    (f"before={INT_MIN - 1}", 422), (f"before={INT_MIN}", 200), ("before=10", 422),  # lt only: the lower one
    (f"wide={2**63}", 422), (f"wide={INT_MAX}", 200),                              # le beyond 64 bits: replaced
])
def test_one_sided_query_bounds_are_completed_to_64_bits(query: str, status: int) -> None:
    """Issue 12: `offset: int = Query(ge=0)` took 2^63 and more, a server error in SQLite and PostgreSQL."""
    resp = _app().get(f"/items?{query}")
    assert resp.status_code == status, resp.text


def test_body_fields_bounded_on_one_side_are_completed_and_the_schema_shows_it() -> None:
    """Issue 12: the same for request body models; the OpenAPI document carries the bounds (the fuzzer reads them)."""
    client = _app()
    assert client.post("/pages", json={"skip": 2**63}).status_code == 422
    assert client.post("/pages", json={"skip": 1, "take": 2**63}).status_code == 422
    assert client.post("/pages", json={"skip": 1, "take": 0}).status_code == 422
    assert client.post("/pages", json={"skip": INT_MAX, "take": INT_MAX}).status_code == 200
    items = client.get("/openapi.json").json()["paths"]["/items"]["get"]
    params = {p["name"]: p["schema"] for p in items["parameters"]}
    assert (params["offset"]["minimum"], params["offset"]["maximum"]) == (0, INT_MAX)
    assert (params["limit"]["minimum"], params["limit"]["maximum"]) == (1, 500)
    assert params["wide"]["maximum"] == INT_MAX
