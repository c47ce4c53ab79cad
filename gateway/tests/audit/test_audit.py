"""AUDIT-1..3: every write and every non-public read is recorded (who, which client, which organisation, the stated
purpose, when), append-only and hash-chained; the verifier names the first entry tampered with."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select, text

from yishe_gateway.audit import chain
from yishe_gateway.audit.models import AuditEntry
from yishe_gateway.audit.service import verify
from yishe_kit.testing import eventually


async def _entries(app) -> list[AuditEntry]:
    async with app.state.sessionmaker() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


async def _verify(app) -> dict:
    """As the endpoint verifies: the keyed links, then the latest signed checkpoint (when NATS has one)."""
    audit = app.state.audit
    checkpoint = await audit.checkpoints.latest()
    async with app.state.sessionmaker() as session:
        return await verify(session, audit.key, checkpoint)


async def _checkpointed(app, seq: int):
    """Wait until the head at `seq` is checkpointed outside the database."""

    async def at_seq():
        latest = await app.state.audit.checkpoints.latest()
        return latest if latest is not None and latest.seq >= seq else None

    return await eventually(at_seq)


async def test_signed_department_read_recorded_with_client_and_purpose(gw, fake, auth, make_uscc) -> None:
    app, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    key = await auth.client(app, role="staff", division="3303")
    path = f"/v1/code/{uscc}"
    headers = {**auth.signed(key, "GET", path), "X-Purpose": quote("信用核查：政府购买服务资格审查"),
               "X-Request-ID": "req-audit-1"}
    resp = await client.get(path, headers=headers)
    assert resp.status_code == 200 and resp.json()["view"] == "department"
    [entry] = await _entries(app)
    assert (entry.action, entry.kind, entry.role, entry.client, entry.uscc) == ("read", "client", "staff",
                                                                               key.app_key, uscc)
    assert entry.actor == f"client:{key.client.client_id}" and entry.division == "3303"
    assert entry.purpose == "信用核查：政府购买服务资格审查" and entry.request_id == "req-audit-1"
    assert entry.detail == {"view": "department"} and entry.status == 200 and entry.at is not None


async def test_public_read_not_recorded_when_anonymous_or_public_view_asked(gw, fake, auth, make_uscc) -> None:
    app, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    assert (await client.get(f"/v1/code/{uscc}")).status_code == 200
    staff = auth.bearer(await auth.token(app, "staff"))
    assert (await client.get(f"/v1/code/{uscc}", params={"view": "public"}, headers=staff)).status_code == 200
    assert await _entries(app) == []


async def test_write_recorded_before_and_after_forwarding_when_proxied(echo_gateway, auth, make_uscc) -> None:
    app, client = echo_gateway
    uscc = make_uscc()
    staff = auth.bearer(await auth.token(app, "staff"))
    resp = await client.post("/api/credit/v1/listings", json={"uscc": uscc, "list_type": "abnormal"},
                             headers={**staff, "X-Purpose": "CR-6"})
    assert resp.status_code == 200
    attempt, outcome = await _entries(app)
    assert (attempt.action, attempt.status, attempt.detail["phase"]) == ("write", None, "attempt")
    assert (outcome.status, outcome.detail["phase"], outcome.uscc) == (200, "outcome", uscc)
    assert attempt.purpose == "CR-6" and attempt.path == "/api/credit/v1/listings"


async def test_chain_valid_then_names_entry_when_content_changed(gw, fake, auth, make_uscc) -> None:
    app, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    staff = auth.bearer(await auth.token(app, "staff"))
    for _ in range(5):
        assert (await client.get(f"/v1/code/{uscc}", headers=staff)).status_code == 200
    verdict = await _verify(app)
    assert verdict["valid"] is True and verdict["entries"] == 5
    async with app.state.engine.begin() as conn:
        with pytest.raises(Exception, match="append-only"):  # the database refuses, the chain still would tell
            await conn.execute(text("UPDATE audit_entry SET actor = 'someone-else' WHERE seq = 3"))
    await _drop_guard(app)
    async with app.state.engine.begin() as conn:
        await conn.execute(text("UPDATE audit_entry SET actor = 'someone-else' WHERE seq = 3"))
    verdict = await _verify(app)
    assert verdict == verdict | {"valid": False, "first_invalid_seq": 3, "reason": "content does not match its hash"}


@pytest.mark.parametrize(("where", "first_bad"), [("seq = 2", 2), ("seq = 4", 4)])
async def test_chain_invalid_when_entry_removed(gw, fake, auth, make_uscc, where: str, first_bad: int) -> None:
    app, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    staff = auth.bearer(await auth.token(app, "staff"))
    for _ in range(4):
        await client.get(f"/v1/code/{uscc}", headers=staff)
    await _drop_guard(app)
    async with app.state.engine.begin() as conn:
        await conn.execute(text(f"DELETE FROM audit_entry WHERE {where}"))
    verdict = await _verify(app)
    assert verdict["valid"] is False and verdict["first_invalid_seq"] == first_bad


async def test_verify_endpoint_for_internal_only_and_itself_audited(gw, auth) -> None:
    app, client = gw
    staff = auth.bearer(await auth.token(app, "staff"))
    assert (await client.get("/v1/audit/verify", headers=staff)).status_code == 403
    assert (await client.get("/v1/audit/verify")).status_code == 401
    operator = auth.bearer(await auth.token(app, "internal"))
    resp = await client.get("/v1/audit/verify", headers=operator)
    assert resp.status_code == 200 and resp.json()["valid"] is True and resp.json()["entries"] == 1
    listed = await client.get("/v1/audit", params={"limit": 10}, headers=operator)
    assert [e["detail"] for e in listed.json()] == [{"what": "audit_verify"}, {"what": "audit"}]


async def test_non_public_read_refused_503_when_audit_cannot_be_written(gw, fake, auth, make_uscc) -> None:
    app, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    staff = auth.bearer(await auth.token(app, "staff"))
    async with app.state.engine.begin() as conn:
        await conn.execute(text("DROP TABLE audit_head"))
    resp = await client.get(f"/v1/code/{uscc}", headers=staff)
    assert resp.status_code == 503 and resp.json()["code"] == "audit_unavailable"
    assert "王五" not in resp.text
    assert (await client.get(f"/v1/code/{uscc}")).status_code == 200  # public reads need no audit


async def _drop_guard(app) -> None:
    """What only the database owner could do: remove the append-only triggers."""
    async with app.state.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("DROP TRIGGER audit_entry_append_only ON audit_entry"))
        else:
            await conn.execute(text("DROP TRIGGER audit_entry_no_update"))
            await conn.execute(text("DROP TRIGGER audit_entry_no_delete"))


async def _rehash_from(app, first: int, key: bytes) -> None:
    """What a database attacker does after rewriting an entry: recompute every link from it on, and the head."""
    async with app.state.sessionmaker() as session, session.begin():
        rows = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        prev = chain.GENESIS
        for row in rows:
            if row.seq >= first:
                row.prev_hash = prev
                row.hash = chain.link(prev, {f: getattr(row, f) for f in chain.FIELDS}, key)
            prev = row.hash
        await session.execute(text("UPDATE audit_head SET seq = :s, hash = :h"), {"s": rows[-1].seq, "h": prev})


async def _five_reads(gw, fake, auth, make_uscc):
    app, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    staff = auth.bearer(await auth.token(app, "staff"))
    for _ in range(5):
        assert (await client.get(f"/v1/code/{uscc}", headers=staff)).status_code == 200
    await _checkpointed(app, 5)
    assert (await _verify(app))["valid"] is True
    await _drop_guard(app)
    return app


async def test_tail_cut_and_head_rewound_detected_by_the_signed_checkpoint(gw, fake, auth, make_uscc) -> None:
    """AUDIT-2 (issue 12): entries 4–5 deleted and the head rewound to entry 3 leave a chain consistent in itself;
    the checkpoint kept outside the database vouched for 5 entries."""
    app = await _five_reads(gw, fake, auth, make_uscc)
    async with app.state.engine.begin() as conn:
        await conn.execute(text("DELETE FROM audit_entry WHERE seq > 3"))
        head = (await conn.execute(text("SELECT hash FROM audit_entry WHERE seq = 3"))).scalar()
        await conn.execute(text("UPDATE audit_head SET seq = 3, hash = :h"), {"h": head})
    async with app.state.sessionmaker() as session:
        assert (await verify(session, app.state.audit.key))["valid"] is True  # the chain alone cannot tell
    verdict = await _verify(app)
    assert verdict["valid"] is False and verdict["first_invalid_seq"] == 4 and verdict["checkpoint_seq"] >= 5
    assert "checkpoint" in verdict["reason"]


async def test_rewritten_entry_rehashed_without_the_key_detected(gw, fake, auth, make_uscc) -> None:
    """AUDIT-2 (issue 12): entry 2 rewritten and every link after it recomputed (plain SHA-256 or a guessed key:
    the HMAC key is not in the database) no longer verifies."""
    app = await _five_reads(gw, fake, auth, make_uscc)
    async with app.state.engine.begin() as conn:
        await conn.execute(text("UPDATE audit_entry SET actor = 'someone-else' WHERE seq = 2"))
    await _rehash_from(app, 2, b"a-guessed-key")
    verdict = await _verify(app)
    assert verdict["valid"] is False and verdict["first_invalid_seq"] == 2  # no link verifies without the key


async def test_rewritten_entry_rehashed_with_a_stolen_key_detected_by_the_checkpoint(gw, fake, auth,
                                                                                     make_uscc) -> None:
    """AUDIT-2 (issue 12): even with the HMAC key, a rewritten and rehashed chain differs from the signed
    checkpoint at its seq (the checkpoint's signing key is not the HMAC key)."""
    app = await _five_reads(gw, fake, auth, make_uscc)
    async with app.state.engine.begin() as conn:
        await conn.execute(text("UPDATE audit_entry SET actor = 'someone-else' WHERE seq = 2"))
    await _rehash_from(app, 2, app.state.audit.key)
    verdict = await _verify(app)
    assert verdict["valid"] is False and verdict["first_invalid_seq"] == verdict["checkpoint_seq"]
    assert "rewritten and rehashed" in verdict["reason"]


async def test_checkpoints_exported_signed_for_internal_only(gw, fake, auth, make_uscc) -> None:
    """The provincial platform's export: each checkpoint is a JWT verifiable with the gateway's public key."""
    app, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    staff = auth.bearer(await auth.token(app, "staff"))
    await client.get(f"/v1/code/{uscc}", headers=staff)
    await _checkpointed(app, 1)
    assert (await client.get("/v1/audit/checkpoints", headers=staff)).status_code == 403
    internal = auth.bearer(await auth.token(app, "internal"))
    listed = (await client.get("/v1/audit/checkpoints", headers=internal)).json()
    assert listed and all(app.state.audit.checkpoints.read(c["token"]).seq == c["seq"] for c in listed)
