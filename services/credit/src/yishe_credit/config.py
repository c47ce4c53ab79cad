"""credit settings: kit sections plus credit-specific options; env prefix `CREDIT_`."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from yishe_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CREDIT_", env_nested_delimiter="__")
    service_name: str = "credit"


@lru_cache
def get_settings() -> Settings:
    return Settings()
