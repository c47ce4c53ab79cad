"""AUDIT-2 across the change to keyed links (issue 12): a store written before the audit chain's links were keyed
(plain SHA-256, as landed before) is anchored by the migration, so `verify` checks the old entries by their unkeyed
links and the new ones by their key — instead of reporting the whole chain invalid at entry 1."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text, update

from yishe_gateway.audit import chain
from yishe_gateway.audit.models import AuditAnchor, AuditEntry, AuditHead
from yishe_gateway.audit.service import AuditLog, verify
from yishe_kit.db import make_engine, make_sessionmaker
from yishe_kit.testing import _pg, create_pg_database, migrate
from yishe_kit.testing import test_backend as backend

from ..conftest import GATEWAY_DIR

BEFORE_ANCHOR = "7d3e41a9c2b5"  # the gateway's last revision before the anchor
KEY = b"k" * 32


def _entry(seq: int) -> dict:
    return {"seq": seq, "at": datetime(2026, 11, 20, 8, seq, tzinfo=UTC), "request_id": f"r{seq}", "action": "read",
            "kind": "user", "actor": f"staff-{seq}", "role": "staff", "division": "330302", "client": None,
            "method": "GET", "path": f"/v1/code/x{seq}", "uscc": None, "purpose": "", "status": 200, "detail": {}}


@pytest.fixture
def old_store(tmp_path):
    """A gateway store at the revision before the anchor (sync: alembic runs its own event loop)."""
    if backend() == "postgres":
        name = f"yishe_test_gateway_anchor_{uuid.uuid4().hex[:12]}"
        url = create_pg_database(name)
    else:
        name, url = None, f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    migrate(GATEWAY_DIR, url, BEFORE_ANCHOR)
    yield url
    if name:
        _pg([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])


async def test_a_chain_from_before_the_key_verifies_after_the_upgrade_and_goes_on_keyed(old_store) -> None:
    engine = make_engine(old_store)
    sessionmaker = make_sessionmaker(engine)
    try:
        prev = chain.GENESIS
        async with sessionmaker() as session, session.begin():  # three entries as the unkeyed writer made them
            for seq in (1, 2, 3):
                digest = chain.legacy_link(prev, _entry(seq))
                session.add(AuditEntry(**_entry(seq), prev_hash=prev, hash=digest))
                prev = digest
            await session.flush()
            await session.execute(update(AuditHead).where(AuditHead.head_id == 1).values(seq=3, hash=prev))
        await asyncio.to_thread(migrate, GATEWAY_DIR, old_store)

        async with sessionmaker() as session:
            verdict = await verify(session, KEY)
        assert verdict["valid"] is True and verdict["entries"] == 3 and verdict["legacy_upto"] == 3, verdict

        log = AuditLog(sessionmaker, KEY)  # the keyed writer goes on from the old head
        await log._write([{k: v for k, v in _entry(n).items() if k != "seq"} for n in (4, 5)])
        async with sessionmaker() as session:
            verdict = await verify(session, KEY)
            fourth = await session.get(AuditEntry, 4)
        assert verdict["valid"] is True and verdict["entries"] == 5, verdict
        assert fourth is not None and fourth.hash == chain.link(prev, _entry(4), KEY) != chain.legacy_link(
            prev, _entry(4))

        async with sessionmaker() as session:  # a wrong key fails at the first keyed entry, not before
            assert (await verify(session, b"another-key"))["first_invalid_seq"] == 4

        # Moving the anchor forward (to pass keyed entries off as unkeyed) is refused by the database.
        with pytest.raises(Exception, match="append-only"):
            async with sessionmaker() as session, session.begin():
                await session.execute(update(AuditAnchor).values(legacy_upto=5))
    finally:
        await engine.dispose()


async def test_a_new_store_is_anchored_at_zero(old_store) -> None:
    """A store with no entries before the upgrade: every entry is keyed."""
    await asyncio.to_thread(migrate, GATEWAY_DIR, old_store)
    engine = make_engine(old_store)
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(text("SELECT legacy_upto, legacy_head FROM audit_anchor"))).one()
        assert tuple(row) == (0, chain.GENESIS)
    finally:
        await engine.dispose()
