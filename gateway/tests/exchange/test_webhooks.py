"""EXCH-2/3: signed outbound webhooks for subscribed systems, retried with backoff, with a delivery log."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest
from cloudevents.core.bindings import http
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from fastapi import FastAPI, Request, Response
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from yishe_contracts.events.credit import ColourChanged
from yishe_gateway.config import WebhookSettings
from yishe_gateway.exchange.webhooks import retry_delay
from yishe_kit.testing import eventually

pytestmark = pytest.mark.nats


class Receiver:
    """A subscribed department's endpoint: records every POST, fails the first `fail` of them with 500."""

    def __init__(self, fail: int = 0):
        self.fail = fail
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.app = FastAPI()
        self.app.add_api_route("/hook", self.hook, methods=["POST"])

    async def hook(self, request: Request) -> Response:
        self.received.append((dict(request.headers), await request.body()))
        return Response(status_code=500 if len(self.received) <= self.fail else 204)


async def _subscribe(client, auth, key, url: str, subjects: list[str]) -> dict:
    body = json.dumps({"url": url, "subjects": subjects}).encode()
    resp = await client.post("/v1/webhooks", content=body, headers={"Content-Type": "application/json",
                                                                     **auth.signed(key, "POST", "/v1/webhooks",
                                                                                   body=body)})
    assert resp.status_code == 201, resp.text
    return resp.json()


def _colour(uscc: str, to: str = "yellow") -> ColourChanged:
    return ColourChanged(uscc=uscc, from_colour="green", to_colour=to, rule="CODE-3", reason="年度工作报告逾期未报",
                         changed_at=datetime.now(UTC))


async def test_subscribed_client_receives_signed_event(events_gateway, auth, publish, serve_app,
                                                       make_uscc) -> None:
    """EXCH-2: a delivery is a CloudEvents 1.0 structured event (read by the official SDK) with the bus event's id,
    signed per Standard Webhooks (verified by the `standardwebhooks` package); the deprecated headers still hold."""
    app, client = events_gateway
    receiver = Receiver()
    running = await serve_app(receiver.app)
    key = await auth.client(app, role="supervisor")
    sub = await _subscribe(client, auth, key, f"{running.url}/hook", ["credit.colour.changed.v1"])
    assert sub["secret"].startswith("whsec_")
    uscc = make_uscc()
    event = await publish(_colour(uscc), correlation_id="req-colour-1")

    async def delivered() -> bool:
        return any(json.loads(body)["id"] == event.id for _, body in receiver.received)

    await eventually(delivered)
    [(headers, body)] = [(h, b) for h, b in receiver.received if json.loads(b)["id"] == event.id]
    payload = Webhook(sub["secret"]).verify(body, headers)
    assert headers["webhook-id"] == event.id and headers["x-request-id"] == "req-colour-1"
    with pytest.raises(WebhookVerificationError):
        Webhook(sub["secret"]).verify(body.replace(b"yellow", b"green "), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(base64.b64encode(b"another subscriber's key").decode()).verify(body, headers)

    assert headers["content-type"].startswith("application/cloudevents+json")
    ce = http.from_http(http.HTTPMessage(headers=headers, body=body), JSONFormat(), CloudEvent)
    assert ce.get_specversion() == "1.0" and ce.get_id() == event.id == payload["id"]
    assert ce.get_type() == "credit.colour.changed.v1" and ce.get_subject() == uscc
    assert ce.get_source() == "/yishe/credit" and ce.get_time() == event.time
    assert ce.get_extension("correlationid") == "req-colour-1" and ce.get_extension("cursor").isdigit()
    assert ce.get_data()["to_colour"] == "yellow"

    legacy_key = base64.b64decode(sub["secret"].removeprefix("whsec_"))
    expected = hmac.new(legacy_key, headers["x-webhook-timestamp"].encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["x-webhook-signature"] == f"v1={expected}" and headers["x-webhook-id"] == event.id


async def test_failed_delivery_retried_with_backoff_and_logged(events_gateway, auth, publish, serve_app,
                                                               make_uscc) -> None:
    app, client = events_gateway
    receiver = Receiver(fail=2)
    running = await serve_app(receiver.app)
    key = await auth.client(app, role="staff")
    sub = await _subscribe(client, auth, key, f"{running.url}/hook", ["credit.colour.changed.v1"])
    uscc = make_uscc()
    await publish(_colour(uscc, "orange"))
    path = f"/v1/webhooks/{sub['subscription_id']}/deliveries"

    async def log() -> list | None:
        resp = await client.get(path, headers=auth.signed(key, "GET", path))
        deliveries = [d for d in resp.json() if d["status"] == "delivered"]
        return deliveries or None

    [delivery] = await eventually(log, timeout=10)
    assert delivery["attempts"] == 3
    assert [a["status_code"] for a in delivery["attempt_log"]] == [500, 500, 204]
    assert len(receiver.received) == 3


def test_retry_delay_doubles_up_to_the_cap() -> None:
    settings = WebhookSettings(backoff_base_seconds=1.0, backoff_max_seconds=600.0)
    assert [retry_delay(n, settings) for n in (1, 2, 3, 4, 10, 11)] == [1.0, 2.0, 4.0, 8.0, 512.0, 600.0]


async def test_events_outside_subscription_or_jurisdiction_not_sent(events_gateway, auth, publish, serve_app,
                                                                    make_uscc) -> None:
    app, client = events_gateway
    receiver = Receiver()
    running = await serve_app(receiver.app)
    key = await auth.client(app, role="staff", division="3303")
    await _subscribe(client, auth, key, f"{running.url}/hook", ["credit.colour.changed.v1"])
    outside, inside = make_uscc("330402"), make_uscc("330302")
    await publish(_colour(outside))
    marker = await publish(_colour(inside))

    async def marker_arrived() -> bool:
        return any(json.loads(b)["id"] == marker.id for _, b in receiver.received)

    await eventually(marker_arrived)
    assert {json.loads(b)["subject"] for _, b in receiver.received} == {inside}


async def test_webhooks_for_signed_clients_only_and_https_outside_dev(events_gateway, auth) -> None:
    app, client = events_gateway
    staff = auth.bearer(await auth.token(app, "staff"))
    resp = await client.post("/v1/webhooks", json={"url": "https://dept.example.gov.cn/hook"}, headers=staff)
    assert resp.status_code == 403
    key = await auth.client(app)
    body = json.dumps({"url": "ftp://dept.example.gov.cn/hook"}).encode()
    bad = await client.post("/v1/webhooks", content=body, headers={"Content-Type": "application/json",
                                                                    **auth.signed(key, "POST", "/v1/webhooks",
                                                                                  body=body)})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "url"
