"""Registry settings: kit sections plus registry-specific options; env prefix `REGISTRY_`."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from yishe_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", env_nested_delimiter="__")
    service_name: str = "registry"
    uscc_body_prefix: str = "MJ"


@lru_cache
def get_settings() -> Settings:
    return Settings()
