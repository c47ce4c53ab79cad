"""Reading the change feed by cursor (EXCH-1) and managing webhook subscriptions (EXCH-2)."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.errors import NotFound

from ..config import Settings
from ..disclosure import jurisdiction
from ..disclosure.policy import DEPARTMENT, INTERNAL, disclose_event
from ..errors import bad_request, forbidden
from ..identity.principal import Identity
from ..identity.signing import derive_secret, new_salt
from .consumers import consumed_subjects
from .models import FeedEntry, WebhookAttempt, WebhookDelivery, WebhookSubscription


def parse_cursor(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 18:  # "³".isdigit(), but int("³") fails
        raise bad_request("invalid_cursor", "cursor", "EXCH-1", "游标无效：请使用上一页返回的 next_cursor",
                          "invalid cursor: pass the next_cursor of the previous page")
    return int(cursor)


def _check_subjects(subjects: list[str] | None) -> list[str]:
    known = set(consumed_subjects())
    unknown = [s for s in subjects or [] if s not in known]
    if unknown:
        raise bad_request("unknown_subject", "subjects", "EXCH-1", f"未知的事件主题：{', '.join(unknown)}",
                          f"unknown subjects: {', '.join(unknown)}")
    return list(subjects or [])


def event_item(entry: FeedEntry, identity: Identity) -> dict[str, Any]:
    """One feed entry as a CloudEvents 1.0 structured JSON event (EXCH-1): the bus event's own `id`, `source`,
    `type`, `subject` and `time`; extensions `cursor` (the feed position), `uscc` and `correlationid`. An attribute
    without a value is left out (CloudEvents has no null attributes), as on the bus."""
    view = INTERNAL if identity.role == "internal" else DEPARTMENT
    item: dict[str, Any] = {
        "specversion": "1.0", "id": entry.event_id, "source": entry.source, "type": entry.subject,
        "subject": entry.ce_subject, "time": entry.occurred_at.isoformat(), "datacontenttype": "application/json",
        "cursor": str(entry.seq), "uscc": entry.uscc, "correlationid": entry.correlation_id,
        "data": disclose_event(entry.subject, entry.data, view, identity.role),
    }
    return {k: v for k, v in item.items() if v is not None}


async def read_feed(session: AsyncSession, identity: Identity, *, cursor: str | None, limit: int,
                    subjects: list[str] | None, uscc: str | None) -> dict[str, Any]:
    """EXCH-1: events after the cursor, oldest first, within the reader's jurisdiction, disclosed for its role."""
    after = parse_cursor(cursor)
    stmt = select(FeedEntry).where(FeedEntry.seq > after)
    if (within := jurisdiction.feed_condition(identity)) is not None:
        stmt = stmt.where(within)
    if subjects:
        stmt = stmt.where(FeedEntry.subject.in_(_check_subjects(subjects)))
    if uscc:
        stmt = stmt.where(FeedEntry.uscc == uscc)
    rows = list(await session.scalars(stmt.order_by(FeedEntry.seq).limit(limit + 1)))
    page = rows[:limit]
    return {
        "items": [event_item(e, identity) for e in page],
        "next_cursor": str(page[-1].seq) if page else str(after),
        "has_more": len(rows) > limit,
    }


def webhook_key(settings: Settings, sub: WebhookSubscription) -> bytes:
    """The HMAC key of a subscription's deliveries: derived, never stored (EXCH-2)."""
    return derive_secret(settings.client_key_secret.get_secret_value(), "webhook", sub.subscription_id,
                         sub.salt).encode("ascii")


def webhook_secret(settings: Settings, sub: WebhookSubscription) -> str:
    """The secret as Standard Webhooks writes it: `whsec_` + base64 of the key (what `standardwebhooks.Webhook`
    takes). The key is the ASCII text of the secret handed out before Standard Webhooks, so a subscriber holding
    that older secret still verifies the deprecated `X-Webhook-Signature` with it."""
    return "whsec_" + base64.b64encode(webhook_key(settings, sub)).decode("ascii")


def _check_url(settings: Settings, url: str) -> None:
    parts = urlsplit(url)
    https_only = settings.env != "dev"
    if parts.scheme not in ("https",) + (() if https_only else ("http",)) or not parts.hostname:
        raise bad_request("invalid_webhook_url", "url", "EXCH-2",
                          "回调地址须为 https:// 地址" if https_only else "回调地址须为 http(s):// 地址",
                          "the webhook URL must be https://" if https_only else "the webhook URL must be http(s)://")


async def subscribe(session: AsyncSession, settings: Settings, identity: Identity, *, url: str,
                    subjects: list[str] | None) -> tuple[WebhookSubscription, str]:
    """EXCH-2: a system client subscribes a URL; the signing secret is returned once."""
    if identity.kind != "client":
        raise forbidden("webhooks_for_clients", "只有签名认证的系统客户端可以订阅回调",
                        "only signed system clients may subscribe webhooks", rule="EXCH-2")
    _check_url(settings, url)
    sub = WebhookSubscription(subscription_id=str(uuid.uuid4()), client_id=identity.subject, url=url,
                              subjects=_check_subjects(subjects), salt=new_salt(), active=True,
                              created_at=datetime.now(UTC))
    session.add(sub)
    await session.flush()
    return sub, webhook_secret(settings, sub)


async def own_subscription(session: AsyncSession, identity: Identity, subscription_id: str) -> WebhookSubscription:
    sub = await session.get(WebhookSubscription, subscription_id)
    if sub is None or sub.client_id != identity.subject:
        raise NotFound("subscription_not_found", f"no subscription {subscription_id} of this client")
    return sub


async def subscriptions_of(session: AsyncSession, identity: Identity) -> list[WebhookSubscription]:
    return list(await session.scalars(select(WebhookSubscription).where(
        WebhookSubscription.client_id == identity.subject).order_by(WebhookSubscription.created_at)))


async def unsubscribe(session: AsyncSession, identity: Identity, subscription_id: str) -> WebhookSubscription:
    """EXCH-2: deliveries still owed are not attempted any more."""
    sub = await own_subscription(session, identity, subscription_id)
    sub.active = False
    await session.flush()
    return sub


async def delivery_log(session: AsyncSession, identity: Identity, subscription_id: str,
                       limit: int) -> list[tuple[WebhookDelivery, list[WebhookAttempt]]]:
    """EXCH-3: each delivery with every attempt, newest first."""
    await own_subscription(session, identity, subscription_id)
    deliveries = list(await session.scalars(select(WebhookDelivery).where(
        WebhookDelivery.subscription_id == subscription_id).order_by(WebhookDelivery.delivery_id.desc()).limit(limit)))
    attempts: dict[int, list[WebhookAttempt]] = {d.delivery_id: [] for d in deliveries}
    if deliveries:
        for a in await session.scalars(select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(list(attempts)))
                                       .order_by(WebhookAttempt.attempt_id)):
            attempts[a.delivery_id].append(a)
    return [(d, attempts[d.delivery_id]) for d in deliveries]
