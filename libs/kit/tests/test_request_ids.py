"""Request and correlation ids (yishe_kit.logging.RequestIds, in every service's app): the id in each log line and on
the answer, the correlation id on each event a request emits."""

from __future__ import annotations

import httpx
import structlog
from fastapi import FastAPI, Response

from yishe_kit.logging import RequestIds, correlation_id_var


def app() -> FastAPI:
    api = FastAPI()

    @api.get("/ids")
    async def ids(response: Response) -> dict:
        response.headers["x-request-id"] = "set-by-the-route"  # replaced: the answer carries the request's own id
        bound = structlog.contextvars.get_contextvars()
        return {"request_id": bound.get("request_id"), "correlation_id": correlation_id_var.get()}

    api.add_middleware(RequestIds)
    return api


async def test_the_request_and_correlation_ids_reach_the_route_and_the_answer() -> None:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        given = await client.get("/ids", headers={"x-request-id": "scan-42", "x-correlation-id": "flow-7"})
        assert given.json() == {"request_id": "scan-42", "correlation_id": "flow-7"}
        assert given.headers.get_list("x-request-id") == ["scan-42"]

        alone = await client.get("/ids", headers={"x-request-id": "scan-43"})
        assert alone.json() == {"request_id": "scan-43", "correlation_id": "scan-43"}  # the request id correlates

        new = await client.get("/ids")
        made = new.headers["x-request-id"]
        assert len(made) == 36 and new.json() == {"request_id": made, "correlation_id": made}
    assert correlation_id_var.get() is None and "request_id" not in structlog.contextvars.get_contextvars()
