"""party settings: kit sections plus party-specific options; env prefix `PARTY_`."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from yishe_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARTY_", env_nested_delimiter="__")
    service_name: str = "party"
    capture_task_days: int = 30
    """Days allowed to complete Party-member capture after registration (PARTY-5) [P]: configuration."""


@lru_cache
def get_settings() -> Settings:
    return Settings()
