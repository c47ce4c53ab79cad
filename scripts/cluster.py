"""The replicated platform on one machine, as `make run-cluster` starts it (issue 16), built on `stack.Stack`.

What it starts (every process supervised by the same code as `make run`: a crashed one is restarted with backoff):
  PostgreSQL   the machine's (never started or restarted here): one database and one least-privilege login role per
               service and the gateway, created if missing (role `<prefix><svc>` owns database `<prefix><svc>`,
               NOSUPERUSER NOCREATEDB NOCREATEROLE, CONNECT revoked from PUBLIC; its password is made once and kept
               in <data>/pg-passwords.json). Migrations run as that role (the owner), never as the superuser.
  NATS         three nats-server nodes with JetStream on loopback, one cluster (routes between them), each with its
               own store under <data>/nats-<n>; the streams of deploy/nats/streams (R3), the gateway's AUDIT stream
               and rate-limit bucket are declared at three replicas before any service starts.
  services     `replicas` (2) uvicorn processes of each service and of the gateway, on their own ports.
  HAProxy      Debian's haproxy (scripts/ensure-haproxy.sh installs it) in front: the gateway replicas on the gateway
               port (where `make run`'s gateway listens) and each service's replicas on that service's port (what
               the gateway calls), health-checked on /health/ready.

Configuration (environment, or the flags of `python scripts/cluster.py --help`):
  YISHE_DATA_DIR             default .data/cluster
  YISHE_GATEWAY_PORT         the front door (HAProxy; default 8000, as `make run`)
  YISHE_CLUSTER_PORT_BASE    default 18000: services' fronts base+1..base+5; replica r (1, 2 …) of the gateway at
                             base+100·r, of the services at base+100·r+1..5
  YISHE_CLUSTER_NATS_PORT    default 16222: NATS client ports port..port+2, routes port+100.., monitoring port+200..
  YISHE_CLUSTER_REPLICAS     default 2
  YISHE_CLUSTER_PG_URL       admin connection (default postgresql://postgres@127.0.0.1:5432/postgres)
  YISHE_CLUSTER_DB_PREFIX    default yishe_cluster_ (databases and roles yishe_cluster_registry …)
  YISHE_CLUSTER_DB_POOL      PostgreSQL connections per process, default 3 (+1 when busy; <SVC>_DB__POOL_SIZE wins)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import MIGRATED, ROOT, SERVICES, Stack, _port_free, dev_help, supervise

NATS_NODES = 3
STREAM_FILES = ROOT / "deploy" / "nats" / "streams"


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if found is None:
        raise SystemExit("haproxy is not installed: run `bash scripts/ensure-haproxy.sh` (Debian's package)")
    return found


@dataclass
class Cluster(Stack):
    data_dir: Path = field(default_factory=lambda: Path(os.environ.get("YISHE_DATA_DIR", ROOT / ".data" / "cluster")))
    replicas: int = field(default_factory=lambda: _env_int("YISHE_CLUSTER_REPLICAS", 2))
    port_base: int = field(default_factory=lambda: _env_int("YISHE_CLUSTER_PORT_BASE", 18000))
    nats_base: int = field(default_factory=lambda: _env_int("YISHE_CLUSTER_NATS_PORT", 16222))
    pg_admin: str = field(default_factory=lambda: os.environ.get(
        "YISHE_CLUSTER_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    db_prefix: str = field(default_factory=lambda: os.environ.get("YISHE_CLUSTER_DB_PREFIX", "yishe_cluster_"))
    pool: int = field(default_factory=lambda: _env_int("YISHE_CLUSTER_DB_POOL", 3))
    """PostgreSQL connections per process (plus 1 when busy): 2 replicas × 6 processes stay well under the
    server's max_connections (100 by default), which other work on the machine shares."""
    ready_timeout: float = 180.0

    def __post_init__(self) -> None:
        # The services' fronts (HAProxy) take the ports the gateway calls; `make run`'s YISHE_<SVC>_PORT do not apply.
        self.ports = {svc: self.port_base + i for i, svc in enumerate(SERVICES, start=1)}
        self.nats_url = ",".join(f"nats://127.0.0.1:{self.nats_base + n}" for n in range(NATS_NODES))

    # -- names and ports ------------------------------------------------------------------------------------------
    def replica_port(self, name: str, replica: int) -> int:
        offset = 0 if name == "gateway" else list(SERVICES).index(name) + 1
        return self.port_base + 100 * replica + offset

    def replica_names(self, name: str) -> list[str]:
        return [f"{name}-{r}" for r in range(1, self.replicas + 1)]

    @staticmethod
    def nats_name(node: int) -> str:
        return f"nats-{node + 1}"

    def all_ports(self) -> list[int]:
        ports = [self.gateway_port, *self.ports.values()]
        for name in ["gateway", *SERVICES]:
            ports += [self.replica_port(name, r) for r in range(1, self.replicas + 1)]
        for n in range(NATS_NODES):
            ports += [self.nats_base + n, self.nats_base + 100 + n, self.nats_base + 200 + n]
        return ports

    # -- start ----------------------------------------------------------------------------------------------------
    def start(self) -> Cluster:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(exist_ok=True)
        busy = [p for p in self.all_ports() if not _port_free(self.host, p) or not _port_free("127.0.0.1", p)]
        if busy:
            raise SystemExit(f"ports already in use: {busy} (another cluster? set YISHE_CLUSTER_PORT_BASE, "
                             "YISHE_CLUSTER_NATS_PORT, YISHE_GATEWAY_PORT)")
        haproxy = haproxy_binary()
        try:
            self.db_urls = self.ensure_databases()
            self._start_nats_cluster()
            asyncio.run(self.declare_streams())
            self._migrate_all()
            self._dev_credentials()
            for name in [*SERVICES, "gateway"]:
                factory = f"yishe_{name}.main:create_app"
                for r, replica in enumerate(self.replica_names(name), start=1):
                    self._spawn(replica, factory, self.replica_port(name, r))
            self._write_haproxy_config()
            self.launch("haproxy", [haproxy, "-W", "-db", "-f", str(self.haproxy_config)])
            for name in [*SERVICES, "gateway"]:
                for replica in self.replica_names(name):
                    self._wait_ready(replica)
            self.bound["haproxy"] = self.gateway_port
            self._wait_ready("haproxy")
        except BaseException:
            self.stop()
            raise
        return self

    def env(self) -> dict[str, str]:
        env = super().env()
        env["GATEWAY_TRUSTED_PROXIES"] = '["127.0.0.1/32"]'  # HAProxy adds X-Forwarded-For (the client's address)
        for name in MIGRATED:
            env.setdefault(f"{name.upper()}_DB__POOL_SIZE", str(self.pool))
            env.setdefault(f"{name.upper()}_DB__MAX_OVERFLOW", "1")
        for svc in SERVICES:
            # A replica killed mid-request leaves its Idempotency-Key claimed; the caller's retry, which HAProxy sends
            # to the other replica, is a 409 until the claim lapses. Taking a claim over is safe at any age (the loser
            # rolls back, yishe_kit.idempotency), so it lapses after 30 s here instead of 10 minutes.
            env.setdefault(f"{svc.upper()}_IDEMPOTENCY__IN_FLIGHT_SECONDS", "30")
            # The read model's own asyncpg pool (yishe_kit.readmodel): 2 per process keeps 12 processes well under
            # PostgreSQL's default 100 connections.
            env.setdefault(f"{svc.upper()}_DB__READ_POOL_SIZE", "2")
        return env

    # -- PostgreSQL -----------------------------------------------------------------------------------------------
    def ensure_databases(self) -> dict[str, str]:
        """One database and one least-privilege login role per service and the gateway, created if missing; the
        URLs the processes use (as their own role)."""
        path = self.data_dir / "pg-passwords.json"
        passwords: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        for name in MIGRATED:
            passwords.setdefault(name, secrets.token_urlsafe(24))
        path.write_text(json.dumps(passwords, indent=1))
        path.chmod(0o600)
        asyncio.run(self._ensure_databases(passwords))
        host = self.pg_admin.split("@", 1)[1].split("/", 1)[0]
        return {name: f"postgresql+asyncpg://{self.db_prefix}{name}:{passwords[name]}@{host}/{self.db_prefix}{name}"
                for name in MIGRATED}

    async def _ensure_databases(self, passwords: dict[str, str]) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.pg_admin, timeout=10)
        try:
            for name in MIGRATED:
                role = db = f"{self.db_prefix}{name}"
                if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
                    await conn.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
                # A quoted literal (DDL takes no parameters); token_urlsafe has no quote in it.
                await conn.execute(f"ALTER ROLE \"{role}\" INHERIT PASSWORD '{passwords[name]}'")
                if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", db):
                    await conn.execute(f'CREATE DATABASE "{db}" OWNER "{role}"')
                await conn.execute(f'REVOKE ALL ON DATABASE "{db}" FROM PUBLIC')
        finally:
            await conn.close()

    def drop_databases(self) -> None:
        """Drop the cluster's databases and roles (tests; never called by `make run-cluster`)."""
        async def _drop() -> None:
            import asyncpg

            conn = await asyncpg.connect(self.pg_admin, timeout=10)
            try:
                for name in MIGRATED:
                    await conn.execute(f'DROP DATABASE IF EXISTS "{self.db_prefix}{name}" WITH (FORCE)')
                    await conn.execute(f'DROP ROLE IF EXISTS "{self.db_prefix}{name}"')
            finally:
                await conn.close()

        asyncio.run(_drop())

    # -- NATS -----------------------------------------------------------------------------------------------------
    def _start_nats_cluster(self) -> None:
        from yishe_kit.testing import nats_server_binary

        binary = nats_server_binary()
        routes = ", ".join(f'"nats-route://127.0.0.1:{self.nats_base + 100 + n}"' for n in range(NATS_NODES))
        for n in range(NATS_NODES):
            name = self.nats_name(n)
            conf = self.data_dir / f"{name}.conf"
            conf.write_text(f"""# written by scripts/cluster.py (make run-cluster)
server_name: {name}
listen: 127.0.0.1:{self.nats_base + n}
http: 127.0.0.1:{self.nats_base + 200 + n}
jetstream {{
  store_dir: "{self.data_dir / name}"
  max_memory_store: 256MB
  max_file_store: 10GB
}}
cluster {{
  name: yishe
  listen: 127.0.0.1:{self.nats_base + 100 + n}
  routes: [{routes}]
}}
""")
            self.launch(name, [binary, "-c", str(conf)])

    async def declare_streams(self, timeout: float = 60.0) -> None:
        """Wait for the JetStream cluster to elect its meta leader, then create or update every stream of
        deploy/nats/streams (R3) and the gateway's own AUDIT stream and rate-limit bucket at three replicas."""
        import nats
        from nats.js.api import KeyValueConfig, StreamConfig

        sys.path.insert(0, str(ROOT / "gateway" / "src"))
        from yishe_gateway.audit.checkpoint import STREAM as AUDIT
        from yishe_gateway.config import RateLimits

        deadline = time.monotonic() + timeout
        configs = [StreamConfig.from_response(json.loads(p.read_text())) for p in sorted(STREAM_FILES.glob("*.json"))]
        configs.append(StreamConfig(name=AUDIT, subjects=["audit.>"], num_replicas=NATS_NODES))
        limits = RateLimits()
        while True:
            nc = None
            try:
                nc = await nats.connect(servers=self.nats_url.split(","), connect_timeout=2, allow_reconnect=False)
                js = nc.jetstream(timeout=5)
                for cfg in configs:
                    try:
                        await js.stream_info(cfg.name or "")
                        await js.update_stream(cfg)
                    except nats.js.errors.NotFoundError:
                        await js.add_stream(cfg)
                try:
                    await js.key_value(limits.bucket)
                except nats.js.errors.BucketNotFoundError:
                    await js.create_key_value(KeyValueConfig(bucket=limits.bucket, history=1,
                                                             ttl=limits.max_age_seconds, replicas=NATS_NODES))
                return
            except Exception as exc:  # no meta leader yet (the nodes are still meeting)
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the NATS cluster did not take the streams in {timeout:.0f} s: {exc!r}; "
                                       f"see {self.log_dir}/nats-<n>.log") from exc
                await asyncio.sleep(0.5)
            finally:
                if nc is not None:
                    await nc.close()

    # -- HAProxy --------------------------------------------------------------------------------------------------
    @property
    def haproxy_config(self) -> Path:
        return self.data_dir / "haproxy.cfg"

    def _write_haproxy_config(self) -> None:
        """Round robin over the replicas, each checked on /health/ready every second (out after 3 failures, back
        after 2 passes); a request that cannot connect
        to a replica is tried on another (`retry-on conn-failure`, `option redispatch`) — never a request a replica
        received, so nothing is sent twice by the proxy."""
        sections = []
        for name, port in [("gateway", self.gateway_port), *self.ports.items()]:
            servers = "\n".join(
                f"  server {name}-{r} 127.0.0.1:{self.replica_port(name, r)} check inter 1s fall 3 rise 2"
                for r in range(1, self.replicas + 1))
            forward = "  option forwardfor\n" if name == "gateway" else ""
            sections.append(f"""frontend {name}_front
  bind {self.host}:{port}
  default_backend {name}_replicas

backend {name}_replicas
  balance roundrobin
{forward}  option httpchk GET /health/ready
  http-check expect status 200
  retry-on conn-failure
  retries 3
  option redispatch 1
{servers}
""")
        self.haproxy_config.write_text("""# written by scripts/cluster.py (make run-cluster)
global
  maxconn 4096
  log stderr format short local0 warning

defaults
  mode http
  log global
  option dontlognull
  timeout connect 2s
  timeout client 600s
  timeout server 600s
  timeout http-request 60s
  # A replica busy on a loaded machine may take seconds to answer its health check: not a reason to take it out
  # (a killed one refuses the connection at once, and `retry-on conn-failure` sends the request elsewhere).
  timeout check 5s

""" + "\n".join(sections))

    def stop(self) -> None:
        """HAProxy and the replicas first (they may still publish while stopping), the NATS nodes last."""
        nodes = {n: p for n, p in self.procs.items() if n.startswith("nats-")}
        for name in nodes:
            del self.procs[name]
        super().stop()
        self.procs.update(nodes)
        super().stop()

    # -- faults (tests) -------------------------------------------------------------------------------------------
    def kill(self, name: str) -> int:
        """kill -9 one supervised process (a replica, a NATS node); returns its pid. `restart_dead` brings it back."""
        proc = self.procs[name]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return proc.pid

    def restart(self, name: str) -> None:
        """Start a killed process again now (no backoff)."""
        self.restart_at.pop(name, None)
        self.launch(name, self.commands[name])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--replicas", type=int, help="replicas of every service and the gateway (default 2)")
    parser.add_argument("--gateway-port", type=int, help="the front door (HAProxy), default 8000")
    parser.add_argument("--port-base", type=int, help="services' fronts and replicas (default 18000)")
    parser.add_argument("--nats-port", type=int, help="first NATS client port (default 16222)")
    parser.add_argument("--db-prefix", help="databases and roles are <prefix><service> (default yishe_cluster_)")
    args = parser.parse_args()
    cluster = Cluster()
    for attr, value in [("replicas", args.replicas), ("gateway_port", args.gateway_port),
                        ("port_base", args.port_base), ("nats_base", args.nats_port), ("db_prefix", args.db_prefix)]:
        if value is not None:
            setattr(cluster, attr, value)
    cluster.__post_init__()
    print(f"yishe cluster: starting in {cluster.data_dir} …", flush=True)
    cluster.start()
    fronts = "  ".join(f"{svc} {cluster.url(svc)}" for svc in SERVICES)
    print(f"""
yishe cluster is running (logs in {cluster.log_dir}):
  gateway      {cluster.gateway_url}   ← HAProxy over {cluster.replicas} gateway replicas; API docs at /docs
  services     {fronts}
               (HAProxy over {cluster.replicas} replicas each, ports {cluster.port_base + 100}+)
  NATS         {cluster.nats_url} (one JetStream cluster, streams at 3 replicas)
  PostgreSQL   {cluster.pg_admin.rsplit('/', 1)[0]}/{cluster.db_prefix}<service>, one role per database
Try:  curl -s {cluster.gateway_url}/health/ready{dev_help(cluster)}
Press Ctrl-C to stop.""", flush=True)
    supervise(cluster, "yishe cluster")

if __name__ == "__main__":
    main()
