"""Issue 16, the restore drill (deploy/README "Restoring a service's database"): credit's database restored from a
backup taken before some registrations catches up from the streams — its durables reset by the operator command
(`python -m yishe_kit.replay`), its inbox dropping what the backup held — and what it emits again while replaying is
the same event (ids derived from the cause), so the gateway's change feed and the other services hold it once."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from collections import Counter

import httpx
import nats
import pytest
from registration_bodies import direct_registration, han_word

from yishe_kit.testing import _pg, eventually
from yishe_kit.testing import test_backend as backend

pytestmark = [pytest.mark.e2e, pytest.mark.nats, pytest.mark.timeout(900)]
OPENED = "credit.profile.opened.v1"


def _stop(stack, name: str) -> None:
    """The service stopped: each of its processes (its consumers apart, under `make run`)."""
    for each in stack.processes(name):
        proc = stack.procs[each]
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def _start(stack, name: str) -> None:
    for each in stack.processes(name):
        stack.launch(each, stack.commands[each])
    for each in stack.processes(name):
        stack._wait_ready(each)


def _database_name(stack, svc: str) -> str:
    return stack.db_urls[svc].rsplit("/", 1)[1].split("?")[0]


def backup(stack, svc: str) -> str:
    """A backup of the service's database as an operator takes it: SQLite's online backup (the service runs on);
    PostgreSQL: a copy of the database (`CREATE DATABASE … TEMPLATE`, which needs the service stopped a moment)."""
    if backend() == "postgres":
        name = _database_name(stack, svc)
        _stop(stack, svc)
        _pg([f'DROP DATABASE IF EXISTS "{name}_backup" WITH (FORCE)',
             f'CREATE DATABASE "{name}_backup" TEMPLATE "{name}"'])
        _start(stack, svc)
        return f"{name}_backup"
    target = stack.data_dir / f"{svc}.backup.db"
    with sqlite3.connect(stack.data_dir / f"{svc}.db") as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    return str(target)


def restore(stack, svc: str, taken: str) -> None:
    """The service's database replaced by the backup (the service stopped)."""
    if backend() == "postgres":
        name = _database_name(stack, svc)
        _pg([f'DROP DATABASE "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}" TEMPLATE "{taken}"',
             f'DROP DATABASE "{taken}"'])
        return
    live = stack.data_dir / f"{svc}.db"
    for extra in ("-wal", "-shm"):
        (stack.data_dir / f"{svc}.db{extra}").unlink(missing_ok=True)
    live.write_bytes((stack.data_dir / f"{svc}.backup.db").read_bytes())


async def _register(client: httpx.AsyncClient, n: int) -> list[str]:
    usccs = []
    for _ in range(n):
        resp = await client.post("/api/registry/v1/organisations",
                                 json=direct_registration(f"温州市鹿城区{han_word()}公益服务协会"))
        assert resp.status_code == 201, resp.text
        usccs.append(resp.json()["uscc"])
    return usccs


async def _opened_in_feed(client: httpx.AsyncClient, usccs: list[str]) -> Counter:
    """How often the change feed holds credit's `profile.opened` for each organisation."""
    seen: Counter = Counter()
    for uscc in usccs:
        page = (await client.get("/v1/feed", params={"uscc": uscc, "subject": OPENED, "limit": 100})).json()
        seen[uscc] += sum(1 for item in page["items"] if item["type"] == OPENED)
    return seen


async def _settled(stack, stream: str) -> bool:
    """Every durable on `stream` has taken and acknowledged every message, and credit has sent its whole outbox."""
    ready = httpx.get(f"{stack.url('credit')}/health/ready", timeout=5).json()
    if ready["checks"].get("outbox_lag") != 0:
        return False
    nc = await nats.connect(stack.nats_url)
    try:
        consumers = await nc.jetstream().consumers_info(stream)
    finally:
        await nc.close()
    return bool(consumers) and all(c.num_pending == 0 and c.num_ack_pending == 0 for c in consumers)


async def test_a_restored_credit_database_catches_up_from_the_streams_and_nothing_downstream_doubles(own_stack):
    stack = own_stack
    staff = {"Authorization": f"Bearer {stack.dev['staff']['token']}"}
    credit_reader = stack.vouch("credit", role="staff", actor="restore-drill")
    async with httpx.AsyncClient(base_url=stack.gateway_url, headers=staff, timeout=30) as client, \
            httpx.AsyncClient(base_url=stack.url("credit"), headers=credit_reader, timeout=30) as credit:
        async def profiles(usccs: list[str]) -> bool:
            return all([(await credit.get(f"/v1/profiles/{u}")).status_code == 200 for u in usccs])

        async def in_feed(usccs: list[str]) -> bool:
            return set((await _opened_in_feed(client, usccs)).values()) == {1}

        before = await _register(client, 3)
        await eventually(lambda: in_feed(before), timeout=120, interval=0.2)
        taken = backup(stack, "credit")  # "an hour earlier"
        after = await _register(client, 4)
        await eventually(lambda: in_feed(after), timeout=120, interval=0.2)
        await eventually(lambda: _settled(stack, "CREDIT"), timeout=120, interval=0.2)

        _stop(stack, "credit")
        restore(stack, "credit", taken)
        reset = subprocess.run([sys.executable, "-m", "yishe_kit.replay", "--service", "credit", "--nats-url",
                                stack.nats_url], capture_output=True, text=True, timeout=60, check=False)
        assert reset.returncode == 0, reset.stderr
        assert "credit-registry-organisation-registered-v1" in reset.stdout
        _start(stack, "credit")
        await eventually(lambda: profiles(before + after), timeout=180, interval=0.2)  # caught up from REGISTRY
        # What credit emitted again has reached every consumer of its stream (the feed among them) …
        await eventually(lambda: _settled(stack, "CREDIT"), timeout=180, interval=0.2)
        # … and is held once: the re-emitted `profile.opened` is the same event (same id) as the first.
        assert await _opened_in_feed(client, before + after) == Counter({u: 1 for u in before + after})
        fresh = await _register(client, 1)  # and the restored credit goes on as ever
        await eventually(lambda: in_feed(fresh), timeout=120, interval=0.2)
