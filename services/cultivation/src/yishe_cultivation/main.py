"""Cultivation service (培育发展): `uvicorn --factory yishe_cultivation.main:create_app`."""

from fastapi import FastAPI

from yishe_kit.app import create_service_app

from .activity import models as _activity_models  # noqa: F401 - register tables on the metadata
from .api import routers
from .broker import CONSUMERS
from .config import Settings, get_settings
from .db import metadata
from .incubation import models as _incubation_models  # noqa: F401
from .organisation import models as _organisation_models  # noqa: F401
from .platform import models as _platform_models  # noqa: F401
from .readmodel import FRAGMENTS
from .reward import models as _reward_models  # noqa: F401
from .target import models as _target_models  # noqa: F401


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or get_settings(), title="yishe cultivation (培育发展)", metadata=metadata,
        routers=routers, consumers=CONSUMERS, fragments=FRAGMENTS,
    )
