"""Settings sections each service composes into its own `Settings` class."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import AliasChoices, BaseModel, Field, model_validator
from pydantic_settings import BaseSettings

from .assertion import AssertionSettings
from .idempotency import IdempotencySettings
from .limits import LimitSettings


def data_dir() -> Path:
    """Where embedded-default state lives (SQLite files, NATS store, logs): `YISHE_DATA_DIR`, default `.data`."""
    return Path(os.environ.get("YISHE_DATA_DIR", ".data")).resolve()


class DatabaseSettings(BaseModel):
    url: str = ""
    echo: bool = False
    # PostgreSQL connections per process: `pool_size` kept, up to `max_overflow` more under load, and the 一社一码 read
    # model's own asyncpg pool of `read_pool_size` (yishe_kit.readmodel). Their sum over every process must stay
    # below the server's `max_connections` (100 by default: six processes × 20 + 4 would not).
    pool_size: int = 10
    max_overflow: int = Field(10, ge=0, description="connections beyond pool_size while busy (PostgreSQL)")
    read_pool_size: int = 4


STREAM_MAX_AGE_DAYS = 365  # how long every owner's stream keeps its events (deploy/nats/streams; the restore drill)


class NatsSettings(BaseModel):
    url: str = Field(
        default_factory=lambda: os.environ.get("NATS_URL", "nats://127.0.0.1:4322"),
        description="comma-separated server URLs",
    )
    max_deliver: int = 5
    ack_wait_seconds: float = 30.0
    # While messages are waiting, a consumer pulls up to this many at once and handles them in one transaction.
    batch: int = Field(256, ge=1, le=10_000)
    linger_seconds: float = Field(0.0, ge=0, le=5, description=(
        "after an event arrives on a quiet stream, wait this long and take whatever came meanwhile in the same "
        "transaction. A consumer whose result no one is waiting for at that moment (the gateway's feed: its "
        "`GatewayNats` defaults to 0.2) may linger, so the one a person waits for (the Party record opened at "
        "registration) has the cores first; a burst's events are handled together. Not one whose change the "
        "gateway's held profiles read without an event of its own: the gateway re-reads them `settle_seconds` after "
        "an event, and a lingering consumer may not have moved by then. A backlog is never lingered on"))
    # A consumer's inbox row remembers an event it handled for as long as a stream could deliver it again: never less
    # than the streams keep events (a replay after a restore), then purged at most once per interval.
    inbox_retention_days: float = Field(STREAM_MAX_AGE_DAYS + 35, ge=STREAM_MAX_AGE_DAYS + 1)
    inbox_purge_interval_seconds: float = Field(3600.0, gt=0)

    @property
    def servers(self) -> list[str]:
        return [s.strip() for s in self.url.split(",") if s.strip()]


class RelaySettings(BaseModel):
    enabled: bool = True
    batch: int = 1000  # rows published per round, acks in flight together
    batch_bytes: int = Field(2 * 1024**2, ge=1)  # and no more payload than this per round (the first row always)
    safety_poll_seconds: float = 1.0
    # A service's API and consumers apart (`runs`): a relay publishes the other part's rows once that part's relay
    # has made no progress for this long (its oldest unsent row unchanged: down or stuck; yishe_kit.relay). 10 s was
    # too short: right after a 1,000,000-row import's commit the registry's API relay waited up to 16 s to mark its
    # first round sent (behind the TRUNCATE of the 1.8 GB log) and was taken over: 394–485 bulk events published twice.
    takeover_seconds: float = Field(30.0, gt=0)
    max_backoff_seconds: float = 5.0
    # Published rows are kept this long (the stream holds the events; the rows are for looking back), then purged
    # by the relay at most once per `purge_interval_seconds`. Unpublished rows are never purged.
    retention_hours: float = Field(168.0, gt=0)
    purge_interval_seconds: float = Field(3600.0, gt=0)


class TelemetrySettings(BaseModel):
    """Prometheus `/metrics` and OpenTelemetry traces (yishe_kit.metrics, yishe_kit.tracing).

    Traces are always made and carried (W3C `traceparent` on HTTP and in the event envelope); they leave the process
    only when `otlp_endpoint` is set (OTLP over HTTP, e.g. `http://otel-collector:4318/v1/traces`)."""

    metrics_enabled: bool = True
    tracing_enabled: bool = True
    otlp_endpoint: str = Field(
        default_factory=lambda: os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", ""),
        description="OTLP/HTTP traces endpoint; empty = no exporter (the default)",
    )
    access_log: bool = True


Runs = Literal["all", "api", "consumers"]
RUNS_HELP = (
    "what this process runs: `all` (the API and the event consumers, one process), `api` (requests, jobs, the relay; "
    "no durable consumer) or `consumers` (the durable consumers and their relay; it answers only /health and "
    "/metrics). Started as a pair, `api` and `consumers` keep a backlog of events from holding the requests' event "
    "loop and, run at a lower CPU priority, from taking their CPU (the embedded default's launcher does both)")


def runs_parts(runs: Runs) -> tuple[bool, bool]:
    """(serving, consuming): whether a process running `runs` answers the API, and whether it takes events."""
    return runs != "consumers", runs != "api"


class ServiceSettings(BaseSettings):
    """Base for a service's settings; subclasses set `env_prefix` (e.g. `REGISTRY_`) and `service_name`."""

    service_name: str = "service"
    env: str = "dev"
    db: DatabaseSettings = Field(default_factory=DatabaseSettings)
    nats: NatsSettings = Field(default_factory=NatsSettings)
    relay: RelaySettings = Field(default_factory=RelaySettings)
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)
    assertion: AssertionSettings = Field(default_factory=AssertionSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    idempotency: IdempotencySettings = Field(default_factory=IdempotencySettings)
    log_level: str = "INFO"
    platform_date_enabled: bool = Field(
        False, validation_alias=AliasChoices("platform_date_enabled", "YISHE_PLATFORM_DATE_ENABLED"),
        description="follow the platform date set at the gateway (NATS KV); honoured only with env=dev")
    runs: Runs = Field("all", description=RUNS_HELP)

    VIEW_NEUTRAL: ClassVar[frozenset[str]] = frozenset({
        "env", "db", "nats", "relay", "telemetry", "assertion", "limits", "idempotency", "log_level",
        "platform_date_enabled", "runs"})
    """Settings no view of an organisation reads: where the service runs and how it talks (its database and NATS
    URLs and ports, pools, keys, logging, limits; the day a view is for is stored with it). A service adds its own
    (e.g. the registry's import tuning). They are left out of the read model's fingerprint (`view_settings_json`):
    a restart on another port, database URL or NATS cluster keeps every stored profile fragment."""

    def view_settings_json(self) -> str:
        """The settings a view may read, as JSON: what the read model's fingerprint covers."""
        return self.model_dump_json(exclude=set(self.VIEW_NEUTRAL))

    @property
    def follows_platform_date(self) -> bool:
        return self.platform_date_enabled and self.env == "dev"

    @model_validator(mode="after")
    def _default_sqlite(self) -> ServiceSettings:
        if not self.db.url:
            path = data_dir() / f"{self.service_name}.db"
            self.db.url = f"sqlite+aiosqlite:///{path}"
        if self.env != "dev" and not (self.assertion.public_key or self.assertion.public_key_file):
            prefix = self.service_name.upper()
            raise ValueError(f"{prefix}_ASSERTION__PUBLIC_KEY or {prefix}_ASSERTION__PUBLIC_KEY_FILE (the gateway's "
                             "public key) must be set outside env=dev")
        return self
