"""Procurement service (政府购买服务): `uvicorn --factory yishe_procurement.main:create_app`."""

from fastapi import FastAPI

from yishe_kit.app import create_service_app

from . import models as _models  # noqa: F401 - register every domain's tables on the metadata
from .api import routers
from .broker import CONSUMERS
from .config import Settings, get_settings
from .db import metadata
from .readmodel import FRAGMENTS


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_service_app(
        settings=settings, title="yishe procurement (政府购买服务)", metadata=metadata,
        routers=routers, consumers=CONSUMERS, fragments=FRAGMENTS,
        description="Government purchase of services from social organisations (PROC-1..12): guidance catalogue, "
                    "needs → projects → resources, projects, bids with frozen PROC-4 eligibility, award, contracts, "
                    "follow-ups, performance, 公益创投, share reports, disclosure, OCDS 1.1 export.",
    )
    return app
