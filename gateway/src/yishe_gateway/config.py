"""Gateway settings; env prefix `GATEWAY_`, nested with `__` (e.g. `GATEWAY_UPSTREAMS__CREDIT`)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SIGNING_KEY = "dev-only-signing-key"


class Upstreams(BaseModel):
    """Base URL of each service the gateway may call: this is the allow-list of the proxy."""

    registry: str = "http://127.0.0.1:8101"
    credit: str = "http://127.0.0.1:8102"
    procurement: str = "http://127.0.0.1:8103"
    party: str = "http://127.0.0.1:8104"

    def get(self, service: str) -> str | None:
        return getattr(self, service) if service in type(self).model_fields else None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", env_nested_delimiter="__")

    env: str = "dev"
    upstreams: Upstreams = Field(default_factory=Upstreams)
    public_base_url: str = "http://127.0.0.1:8000"
    signing_key: SecretStr = SecretStr(DEV_SIGNING_KEY)
    upstream_timeout_seconds: float = Field(default=1.0, gt=0)
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _no_placeholder_key_outside_dev(self) -> Settings:
        # Anyone who knows the placeholder could forge signed codes: refuse it wherever codes are real.
        key = self.signing_key.get_secret_value()
        if not key:
            raise ValueError("GATEWAY_SIGNING_KEY must not be empty")
        if self.env != "dev" and key == DEV_SIGNING_KEY:
            raise ValueError("GATEWAY_SIGNING_KEY must be set to a real secret outside env=dev")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
