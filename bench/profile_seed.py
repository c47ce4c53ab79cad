"""Loading N organisations into every service for `bench/gateway_profile.py`, through the bulk path, not one by one.

1. The registry: its own bulk import (`POST /v1/exchange/imports?format=csv`, IMPORT-1, 10,000 rows per request) on
   an in-process registry app, exactly as an operator's legacy import: the rows, their `registry.*` events in the
   registry's outbox.
2. Propagation without NATS: every service's unpublished outbox rows (the contract events as their relay would
   publish them), in outbox order, are handed to every subscription of every consumer (services and the gateway's
   change feed) that takes their subject, a chunk at a time, through the subscription's set-based handler
   (`Subscription.batch_handler`, the form the bus uses for a batch of waiting events; the one-by-one handler where
   a subject has none), in one transaction per chunk and consumer with the consumer's inbox rows, as
   `Bus._deliver_batch` does. Then those outbox rows are marked published. Events a consumer emits in turn
   (credit's `credit.profile.opened.v1`, …) are propagated the same way until no outbox has anything left.

So each database ends in the state the running platform would reach after the import and its propagation, minus
NATS and the relays (measured by `bench/bulk_propagation.py`). Every app runs its own lifespan (engine, read-model
listener: the same session classes as in production) with its relay off and NATS unreachable.

Usage (the benchmark calls it in a subprocess): python bench/profile_seed.py N svc=URL … [gateway=URL]
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from registry_lookup import CHUNK, csv_chunk, organisations  # noqa: E402

SERVICES = ("registry", "credit", "procurement", "party", "cultivation")
DEAD_NATS = "nats://127.0.0.1:1"  # nothing listens: no bus, no relay (the propagation below stands in for them)
PROPAGATE_CHUNK = 2_000


def usccs(n: int) -> list[str]:
    """The USCCs `seed(n)` loads, in order (deterministic: bench/registry_lookup.organisations)."""
    return [u for u, *_ in organisations(n)]


def _service_app(svc: str, url: str) -> Any:
    config = importlib.import_module(f"yishe_{svc}.config")
    main = importlib.import_module(f"yishe_{svc}.main")
    settings = config.Settings(db={"url": url, "pool_size": 2, "max_overflow": 2, "read_pool_size": 1},
                               nats={"url": DEAD_NATS}, relay={"enabled": False},
                               log_level="WARNING")
    return main.create_app(settings)


async def _import_registry(client: Any, n: int, log: Any) -> int:
    created, rows, began = 0, [], time.perf_counter()

    async def post(chunk: list[tuple]) -> int:
        resp = await client.post("/v1/exchange/imports?format=csv&source=bench-profile", content=csv_chunk(chunk),
                                 headers={"X-Yishe-Role": "staff", "X-Yishe-Actor": "bench"}, timeout=3600)
        assert resp.status_code == 200, resp.text[:500]
        report = resp.json()
        assert report["failed"] == 0, report["errors"][:3]
        return int(report["created"])

    for row in organisations(n):
        rows.append(row)
        if len(rows) == CHUNK:
            created += await post(rows)
            rows = []
            log(f"registry import: {created}/{n} ({created / (time.perf_counter() - began):.0f} rows/s)")
    if rows:
        created += await post(rows)
    return created


class Consumer:
    """One consuming process's subscriptions and its sessions (a service app's, or the gateway's own engine)."""

    def __init__(self, name: str, subscriptions: list[Any], sessionmaker: Any, inbox: Any) -> None:
        self.name = name
        self.by_subject = {s.subject: s for s in subscriptions}
        self.sessionmaker = sessionmaker
        self.inbox = inbox

    async def take(self, subject: str, envelopes: list[Any]) -> int:
        sub = self.by_subject.get(subject)
        if sub is None:
            return 0
        if sub.bulk:  # an import chunk's bulk event: each item as its own event, as the bus hands it on
            from yishe_contracts.envelope import bulk_items

            # One bulk event a transaction, as the bus delivers them: a chunk of bulk events together would be up
            # to PROPAGATE_CHUNK × 1,000 items, past SQLite's limit on a statement's variables.
            taken = 0
            for bulk in envelopes:
                taken += await self._handle(sub, subject, [
                    (data, env) for env, data in bulk_items(bulk, sub.model.model_validate(bulk.data))])
            return taken
        return await self._handle(sub, subject, [(sub.model.model_validate(env.data), env) for env in envelopes])

    async def _handle(self, sub: Any, subject: str, items: list[tuple[Any, Any]]) -> int:
        from yishe_kit.bulk import insert_rows
        from yishe_kit.bus import event_context, handling
        from yishe_kit.db import plan_by_current_size

        now = datetime.now(UTC)
        async with self.sessionmaker() as session, session.begin():
            await plan_by_current_size(session)  # as the bus's batches: PostgreSQL plans for the tables' size now
            if sub.batch_handler is not None and len(items) > 1:
                with handling(sub.consumer):
                    await sub.batch_handler(session, items)
            else:
                for data, env in items:
                    with event_context(env, sub.consumer):
                        await sub.handler(session, data, env)
            await insert_rows(session, self.inbox, [
                {"consumer": sub.durable, "event_id": env.id, "subject": subject, "received_at": now}
                for _, env in items])
        return len(items)


async def _propagate(outboxes: dict[str, tuple[Any, Any]], consumers: list[Consumer], log: Any) -> dict[str, int]:
    """Every unpublished outbox row to every consumer of its subject, in outbox order, a chunk at a time."""
    from sqlalchemy import select, update

    from yishe_contracts.envelope import Envelope

    taken: dict[str, int] = defaultdict(int)
    while True:
        moved = 0
        for source, (sessionmaker, outbox) in outboxes.items():
            while True:
                async with sessionmaker() as session:
                    rows = (await session.execute(
                        select(outbox.c.seq, outbox.c.subject, outbox.c.payload)
                        .where(outbox.c.published_at.is_(None)).order_by(outbox.c.seq).limit(PROPAGATE_CHUNK))).all()
                if not rows:
                    break
                by_subject: dict[str, list[Any]] = defaultdict(list)
                for _, subject, payload in rows:
                    by_subject[subject].append(Envelope.model_validate_json(payload))
                for subject, envelopes in by_subject.items():
                    for consumer in consumers:
                        taken[f"{consumer.name} ← {subject}"] += await consumer.take(subject, envelopes)
                async with sessionmaker() as session, session.begin():
                    await session.execute(update(outbox).where(outbox.c.seq.in_([r[0] for r in rows]))
                                          .values(published_at=datetime.now(UTC)))
                moved += len(rows)
                log(f"propagated {len(rows)} events from {source} (seq ≤ {rows[-1][0]})")
        if not moved:
            return {k: v for k, v in taken.items() if v}


async def seed(n: int, db_urls: dict[str, str], log: Any = print) -> dict[str, int]:
    """Load n organisations into the (migrated) databases `db_urls` (every service; `gateway` optional).
    Returns how many events each consumer took per subject (and `registry created`)."""
    from yishe_kit.db import make_engine, make_sessionmaker
    from yishe_kit.testing import install_test_assertion_keys, running_client

    saved = dict(os.environ)
    install_test_assertion_keys()  # the in-process apps trust this process's test key (assertion_hook mints)
    try:
        async with contextlib.AsyncExitStack() as stack:
            apps, clients = {}, {}
            for svc in SERVICES:
                apps[svc] = _service_app(svc, db_urls[svc])
                clients[svc] = await stack.enter_async_context(contextlib.asynccontextmanager(running_client)(
                    apps[svc]))
            created = await _import_registry(clients["registry"], n, log)
            consumers = [Consumer(svc, list(app.state.subscriptions), app.state.sessionmaker,
                                  _table(app, "inbox")) for svc, app in apps.items()]
            if "gateway" in db_urls:
                from yishe_gateway.db import metadata as gateway_metadata
                from yishe_gateway.exchange.consumers import subscriptions as gateway_subscriptions

                engine = make_engine(db_urls["gateway"], pool_size=2, max_overflow=2)
                stack.push_async_callback(engine.dispose)
                consumers.append(Consumer("gateway", gateway_subscriptions(), make_sessionmaker(engine),
                                          gateway_metadata.tables["inbox"]))
            outboxes = {svc: (app.state.sessionmaker, _table(app, "outbox")) for svc, app in apps.items()}
            taken = await _propagate(outboxes, consumers, log)
            return {"registry created": created, **taken}
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _table(app: Any, name: str) -> Any:
    """The service's own table `name` (its metadata, found through the app's outbox)."""
    table = app.state.outbox.table
    return table if name == "outbox" else table.metadata.tables[name]


def main(argv: list[str]) -> None:
    n = int(argv[0])
    urls = dict(a.split("=", 1) for a in argv[1:])
    began = time.perf_counter()
    counts = asyncio.run(seed(n, urls, log=lambda m: print(m, file=sys.stderr, flush=True)))
    for key, value in sorted(counts.items()):
        print(f"{key}: {value}")
    print(f"seeded {n} organisations in {time.perf_counter() - began:.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
