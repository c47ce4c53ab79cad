"""Settings sections each service composes into its own `Settings` class."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings


def data_dir() -> Path:
    """Where embedded-default state lives (SQLite files, NATS store, logs): `YISHE_DATA_DIR`, default `.data`."""
    return Path(os.environ.get("YISHE_DATA_DIR", ".data")).resolve()


class DatabaseSettings(BaseModel):
    url: str = ""
    echo: bool = False
    pool_size: int = 10


class NatsSettings(BaseModel):
    url: str = Field(
        default_factory=lambda: os.environ.get("NATS_URL", "nats://127.0.0.1:4322"),
        description="comma-separated server URLs",
    )
    max_deliver: int = 5
    ack_wait_seconds: float = 30.0

    @property
    def servers(self) -> list[str]:
        return [s.strip() for s in self.url.split(",") if s.strip()]


class RelaySettings(BaseModel):
    enabled: bool = True
    batch: int = 200
    safety_poll_seconds: float = 1.0
    max_backoff_seconds: float = 5.0
    # Published rows are kept this long (the stream holds the events; the rows are for looking back), then purged
    # by the relay at most once per `purge_interval_seconds`. Unpublished rows are never purged.
    retention_hours: float = Field(168.0, gt=0)
    purge_interval_seconds: float = Field(3600.0, gt=0)


class ServiceSettings(BaseSettings):
    """Base for a service's settings; subclasses set `env_prefix` (e.g. `REGISTRY_`) and `service_name`."""

    service_name: str = "service"
    env: str = "dev"
    db: DatabaseSettings = Field(default_factory=DatabaseSettings)
    nats: NatsSettings = Field(default_factory=NatsSettings)
    relay: RelaySettings = Field(default_factory=RelaySettings)
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _default_sqlite(self) -> ServiceSettings:
        if not self.db.url:
            path = data_dir() / f"{self.service_name}.db"
            self.db.url = f"sqlite+aiosqlite:///{path}"
        return self
