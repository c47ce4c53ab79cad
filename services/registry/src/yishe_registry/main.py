"""Registry service (登记管理): `uvicorn --factory yishe_registry.main:create_app`."""

from fastapi import FastAPI

from yishe_kit.app import create_service_app

from . import models  # noqa: F401 - register every table on the metadata
from .api import routers
from .broker import CONSUMERS
from .config import Settings, get_settings
from .db import metadata
from .readmodel import FRAGMENTS


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or get_settings(), title="yishe registry (登记管理)", metadata=metadata,
        routers=routers, consumers=CONSUMERS, fragments=FRAGMENTS,
    )
