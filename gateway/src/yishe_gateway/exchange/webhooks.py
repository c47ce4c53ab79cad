"""Outbound webhooks (EXCH-2): signed POSTs of feed events, retried with exponential backoff, every attempt logged.

Body: the feed item as `GET /v1/feed` shows it to the subscribing client, a CloudEvents 1.0 structured JSON event
(`Content-Type: application/cloudevents+json; charset=utf-8`) carrying the bus event's own id. Signed per Standard
Webhooks (https://www.standardwebhooks.com, with the `standardwebhooks` package): `webhook-id` (the event id, the
same on every retry: delivery is at least once), `webhook-timestamp` (unix seconds of this attempt) and
`webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`; the subscriber verifies with
`standardwebhooks.Webhook(secret).verify(body, headers)`, `secret` being the `whsec_…` returned at subscription.
Also sent, deprecated (for subscribers of before; to be dropped): `X-Webhook-Id`, `X-Webhook-Delivery`,
`X-Webhook-Timestamp`, `X-Webhook-Signature: v1=<hex HMAC-SHA256(key, "<timestamp>.<body>")>`.
Woken when a committed event owes a delivery; a poll every `poll_seconds` picks up retries that come due.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import time
from datetime import UTC, datetime, timedelta

import aiohttp
import orjson
import structlog
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from yishe_kit.tasks import stop as stop_tasks

from ..config import Settings, WebhookSettings
from ..identity.models import ApiClient
from ..identity.principal import Identity
from .consumers import WEBHOOKS_PENDING
from .models import FeedEntry, WebhookAttempt, WebhookDelivery, WebhookSubscription
from .service import event_item, webhook_key

log = structlog.get_logger("yishe.gateway.webhooks")
BATCH = 50
_wakers: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()


@event.listens_for(Session, "after_commit")
def _wake(session: Session) -> None:
    if session.info.pop(WEBHOOKS_PENDING, False):
        for loop, wake in list(_wakers):
            if not loop.is_closed():
                loop.call_soon_threadsafe(wake.set)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(WEBHOOKS_PENDING, None)


def retry_delay(attempts: int, settings: WebhookSettings) -> float:
    """Seconds before the next attempt after `attempts` failed ones: base × 2^(attempts-1), capped."""
    return min(settings.backoff_base_seconds * 2 ** (attempts - 1), settings.backoff_max_seconds)


CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"


def legacy_signature(key: bytes, timestamp: str, body: bytes) -> str:
    """The deprecated `X-Webhook-Signature` (before Standard Webhooks)."""
    return "v1=" + hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signed_headers(key: bytes, event_id: str, delivery_id: int, body: bytes, now: datetime) -> dict[str, str]:
    """Standard Webhooks headers (signed by the `standardwebhooks` package itself), then the deprecated ones."""
    ts = str(int(now.timestamp()))
    return {"Content-Type": CONTENT_TYPE, "User-Agent": "yishe-gateway-webhooks/2",
            "webhook-id": event_id, "webhook-timestamp": ts,
            "webhook-signature": Webhook(key).sign(event_id, now, body.decode("utf-8")),
            "X-Webhook-Id": event_id, "X-Webhook-Delivery": str(delivery_id), "X-Webhook-Timestamp": ts,
            "X-Webhook-Signature": legacy_signature(key, ts, body)}


class Dispatcher:
    def __init__(self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession],
                 http: aiohttp.ClientSession):
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.http = http
        self.wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._item = (asyncio.get_running_loop(), self.wake)
        _wakers.add(self._item)
        self._task = asyncio.create_task(self._run(), name="webhook-dispatcher")

    async def stop(self) -> None:
        if self._task is not None:
            _wakers.discard(self._item)
            await stop_tasks(self._task)

    async def _run(self) -> None:
        while True:
            self.wake.clear()
            try:
                sent = await self.dispatch_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("webhook dispatch failed", error=repr(exc))
                sent = 0
            if sent >= BATCH:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=self.settings.webhooks.poll_seconds)

    async def dispatch_once(self) -> int:
        """Attempt every due delivery once (concurrently); returns how many were attempted."""
        now = datetime.now(UTC)
        async with self.sessionmaker() as session:
            stmt = (select(WebhookDelivery, WebhookSubscription, FeedEntry, ApiClient)
                    .join(WebhookSubscription, WebhookSubscription.subscription_id == WebhookDelivery.subscription_id)
                    .join(FeedEntry, FeedEntry.seq == WebhookDelivery.feed_seq)
                    .join(ApiClient, ApiClient.client_id == WebhookSubscription.client_id)
                    .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
                    .order_by(WebhookDelivery.delivery_id).limit(BATCH))
            if session.bind.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True, of=WebhookDelivery)
            rows = (await session.execute(stmt)).all()
            if not rows:
                return 0
            await asyncio.gather(*[self._attempt(session, *row) for row in rows])
            await session.commit()
        return len(rows)

    async def _attempt(self, session: AsyncSession, delivery: WebhookDelivery, sub: WebhookSubscription,
                       entry: FeedEntry, client: ApiClient) -> None:
        if not sub.active or not client.active:
            delivery.status, delivery.last_error = "cancelled", "subscription or client no longer active"
            return
        reader = Identity(kind="client", role=client.role, actor=f"client:{client.client_id}",
                          division=client.division_prefix, name=client.name, subject=client.client_id)
        body = orjson.dumps(event_item(entry, reader))
        headers = signed_headers(webhook_key(self.settings, sub), entry.event_id, delivery.delivery_id, body,
                                 datetime.now(UTC))
        if entry.correlation_id:
            headers["X-Request-ID"] = entry.correlation_id
        cfg = self.settings.webhooks
        started = time.perf_counter()
        status, error = None, None
        try:
            async with self.http.post(sub.url, data=body, headers=headers, allow_redirects=False,
                                      timeout=aiohttp.ClientTimeout(total=cfg.timeout_seconds)) as resp:
                status = resp.status
                await resp.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            error = repr(exc)[:500]
        now = datetime.now(UTC)
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = status, error
        session.add(WebhookAttempt(delivery_id=delivery.delivery_id, attempt=delivery.attempts, at=now,
                                   status_code=status, error=error,
                                   duration_ms=round((time.perf_counter() - started) * 1000)))
        if status is not None and 200 <= status < 300:
            delivery.status, delivery.delivered_at = "delivered", now
        elif delivery.attempts >= cfg.max_attempts:
            delivery.status = "failed"
            log.warning("webhook delivery failed for good", delivery=delivery.delivery_id, url=sub.url)
        else:
            delivery.next_attempt_at = now + timedelta(seconds=retry_delay(delivery.attempts, cfg))
