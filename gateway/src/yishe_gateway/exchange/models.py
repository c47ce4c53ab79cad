from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class FeedEntry(Base):
    """One organisation event as departments read it. `seq` is the cursor: allocated from FeedHead inside the
    writing transaction, so sequence order is commit order and a reader never skips a late commit."""

    __tablename__ = "feed_entry"

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=False)
    """On SQLite the rowid itself (an INTEGER primary key): one b-tree fewer per entry than a BIGINT key's."""
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    subject: Mapped[str] = mapped_column(String(200), index=True)
    """The event type (CloudEvents `type`), e.g. `credit.colour.changed.v1`."""
    ce_subject: Mapped[str | None] = mapped_column(String(200))
    """The CloudEvents `subject`: a USCC, or e.g. `application:12` for what has no USCC yet."""
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    division_code: Mapped[str] = mapped_column(String(9))
    """Where the entry belongs (disclosure/jurisdiction.py): a filed organisation's township, else a division. Not
    indexed: it is read by prefix, which no plain index serves here; the feed is read in sequence and filtered."""
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    effective_date: Mapped[date | None] = mapped_column(Date)
    """The business date the event takes effect (CloudEvents `effectivedate`, else the China date of its time);
    the as-of profile folds history by it (profile/asof.py). Null only on entries stored before it existed."""
    source: Mapped[str] = mapped_column(String(100))
    correlation_id: Mapped[str | None] = mapped_column(String(128))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class FeedHead(Base):
    __tablename__ = "feed_head"

    head_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)


class WebhookSubscription(Base):
    """A system client's subscription: its URL, the subjects it wants (none = all), the secret's salt."""

    __tablename__ = "webhook_subscription"

    subscription_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("api_client.client_id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    subjects: Mapped[list[str]] = mapped_column(JSON)
    salt: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WebhookDelivery(Base):
    """One event owed to one subscription, retried with backoff until delivered or `failed`."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "status", "next_attempt_at"),)

    delivery_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("webhook_subscription.subscription_id"), index=True)
    feed_seq: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)


class WebhookAttempt(Base):
    """The delivery log: every attempt with its outcome."""

    __tablename__ = "webhook_attempt"

    attempt_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_delivery.delivery_id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer)
