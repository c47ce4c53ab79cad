"""Procurement service (政府购买服务): `uvicorn --factory yishe_procurement.main:create_app`."""

from fastapi import FastAPI

from yishe_kit.app import create_service_app

from .api import routers
from .bidder import models as _models  # noqa: F401 - register tables on the metadata
from .broker import subscriptions
from .config import Settings, get_settings
from .db import metadata


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or get_settings(), title="yishe procurement (政府购买服务)", metadata=metadata,
        routers=routers, subscriptions=subscriptions,
    )
