"""Every subject the gateway consumes goes into the change feed (EXCH-1) and to the matching webhooks (EXCH-2)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.envelope import Envelope, Event
from yishe_contracts.subjects import SUBJECTS
from yishe_kit.bulk import insert_rows
from yishe_kit.bus import Subscription

from ..disclosure import jurisdiction
from ..disclosure.policy import for_storage
from ..identity.models import ApiClient
from ..identity.principal import division_of
from .models import FeedEntry, FeedHead, WebhookDelivery, WebhookSubscription

CONSUMER = "gateway"
USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
FEED_HEAD_ID = 1
WEBHOOKS_PENDING = "yishe_webhooks_pending"
_TOWNSHIP = "township_code"  # a payload field: the event files the organisation with a township (it moves entries)


def consumed_subjects() -> list[str]:
    return sorted(s for s, spec in SUBJECTS.items() if CONSUMER in spec.consumers)


def subscriptions() -> list[Subscription]:
    """One durable consumer (`gateway-<subject>`) per subject the contracts list the gateway as consumer of. The feed
    is their inbox (`own_inbox`): an entry is unique on its event id and both handlers skip an event already fed, so
    an inbox row beside each entry was a second index write and a second look-up per event for nothing (three
    entries an organisation in a bulk import)."""
    return [Subscription(s, SUBJECTS[s].model, record_event, CONSUMER, record_events, own_inbox=True)
            for s in consumed_subjects()]


async def record_event(session: AsyncSession, data: Event, envelope: Envelope) -> None:
    """EXCH-1: append the event (without withheld personal data) to the feed; EXCH-2: owe it to each subscriber.
    An event without a township takes `record_events`' Core statements (the ORM's unit of work and its evaluated
    update of the head were most of the gateway's CPU on a single event)."""
    if not _files_township(data):
        await record_events(session, [(data, envelope)])
        return
    if await session.scalar(select(FeedEntry.seq).where(FeedEntry.event_id == envelope.id)) is not None:
        return  # the same event again under another delivery: the feed keeps one
    uscc = organisation_of(data, envelope)
    seq = await _take_seqs(session, 1)  # first: it serialises feed writers, so placing sees every earlier entry
    division = await jurisdiction.place_event(session, data, uscc)
    now = datetime.now(UTC)
    session.add(FeedEntry(
        seq=seq, event_id=envelope.id, subject=envelope.type, ce_subject=envelope.subject, uscc=uscc,
        division_code=division,
        occurred_at=envelope.time, recorded_at=now, source=envelope.source, correlation_id=envelope.correlationid,
        effective_date=envelope.effective_day(),
        data=for_storage(envelope.type, envelope.data),
    ))
    owed = 0
    for sub, client in (await session.execute(
            select(WebhookSubscription, ApiClient).join(ApiClient, ApiClient.client_id == WebhookSubscription.client_id)
            .where(WebhookSubscription.active.is_(True), ApiClient.active.is_(True)))).all():
        if (not sub.subjects or envelope.type in sub.subjects) and division.startswith(client.division_prefix):
            session.add(WebhookDelivery(subscription_id=sub.subscription_id, feed_seq=seq, status="pending",
                                        attempts=0, next_attempt_at=now, created_at=now))
            owed += 1
    if owed:
        session.info[WEBHOOKS_PENDING] = True


async def record_events(session: AsyncSession, items: list[tuple[Event, Envelope]]) -> None:
    """`record_event` for a batch, set-based (yishe_kit.bus.BatchHandler): one read of the entries already fed, the
    batch's sequence numbers taken from the head at once (the head row is locked until the commit: feed order is
    still commit order, and stream order within the batch), one read of where filed organisations were placed, one
    read of the webhooks, the entries and deliveries in one statement each. Events carrying a township (filings move
    earlier entries) go one by one."""
    if any(_files_township(data) for data, _ in items):
        for data, envelope in items:
            await record_event(session, data, envelope)
        return
    known = set(await session.scalars(select(FeedEntry.event_id).where(
        FeedEntry.event_id.in_([envelope.id for _, envelope in items]))))
    fresh: list[tuple[Event, Envelope, str | None]] = []
    for data, envelope in items:
        if envelope.id not in known:
            known.add(envelope.id)
            fresh.append((data, envelope, organisation_of(data, envelope)))
    if not fresh:
        return
    hooks = (await session.execute(
        select(WebhookSubscription, ApiClient).join(ApiClient, ApiClient.client_id == WebhookSubscription.client_id)
        .where(WebhookSubscription.active.is_(True), ApiClient.active.is_(True)))).all()
    now = datetime.now(UTC)
    # The entries built before the head is taken: it serialises every feed writer until this transaction commits,
    # so only what needs its order (the sequence numbers, where filed organisations were placed) waits for it.
    entries = [{
        "event_id": envelope.id, "subject": envelope.type, "ce_subject": envelope.subject, "uscc": uscc,
        "occurred_at": envelope.time, "recorded_at": now, "source": envelope.source,
        "correlation_id": envelope.correlationid, "effective_date": envelope.effective_day(),
        "data": for_storage(envelope.type, envelope.data)} for data, envelope, uscc in fresh]
    last = await _take_seqs(session, len(fresh))
    filed = await _filed_with(session, sorted({uscc for _, _, uscc in fresh if uscc}))
    owed: list[dict] = []
    for seq, entry, (data, envelope, uscc) in zip(range(last - len(fresh) + 1, last + 1), entries, fresh, strict=True):
        if uscc:
            division = filed.get(uscc) or division_of(uscc)
        else:
            division = str(getattr(data, "division_code", "") or "")[:jurisdiction.COUNTY_DIGITS]
        entry["seq"], entry["division_code"] = seq, division
        owed += [{"subscription_id": sub.subscription_id, "feed_seq": seq, "status": "pending", "attempts": 0,
                  "next_attempt_at": now, "created_at": now}
                 for sub, client in hooks
                 if (not sub.subjects or envelope.type in sub.subjects) and division.startswith(client.division_prefix)]
    # Core rows, one statement per table: the ORM's unit of work was most of the cost of a batch.
    await insert_rows(session, FeedEntry.__table__, entries, copy=True)
    if owed:
        await insert_rows(session, WebhookDelivery.__table__, owed, copy=True)
        session.info[WEBHOOKS_PENDING] = True


_HEAD = FeedHead.__table__
_TAKE_SEQS = (update(_HEAD).where(_HEAD.c.head_id == FEED_HEAD_ID).values(seq=_HEAD.c.seq + bindparam("n"))
              .returning(_HEAD.c.seq))


async def _take_seqs(session: AsyncSession, n: int) -> int:
    """`n` sequence numbers at once; returns the last (the head row is locked until this transaction commits). One
    Core statement, built once."""
    return int((await session.execute(_TAKE_SEQS, {"n": n})).scalar_one())


async def _filed_with(session: AsyncSession, usccs: list[str]) -> dict[str, str | None]:
    """`jurisdiction.filed_with` for many organisations: the township each was last filed with."""
    if not usccs:
        return {}
    out: dict[str, str | None] = {}
    for uscc, division in await session.execute(
            select(FeedEntry.uscc, FeedEntry.division_code).where(
                FeedEntry.uscc.in_(usccs), FeedEntry.subject == jurisdiction.FILING).order_by(FeedEntry.seq.desc())):
        if uscc is not None:
            out.setdefault(uscc, division)
    return out


def _files_township(data: Event) -> bool:
    """The event files an organisation with a township (its earlier entries move there: `jurisdiction.place_event`).
    Looked up in the model's fields: `getattr` with a default raised and caught inside pydantic on every other event."""
    return _TOWNSHIP in type(data).model_fields and bool(getattr(data, _TOWNSHIP))


def organisation_of(data: Event, envelope: Envelope) -> str | None:
    """The organisation's USCC when the event has one (an application or a name reservation may not yet)."""
    for candidate in (getattr(data, "uscc", None), envelope.subject):
        if isinstance(candidate, str) and USCC.fullmatch(candidate):
            return candidate
    return None

