"""Party-building service (党建, 红社领航): `uvicorn --factory yishe_party.main:create_app`."""

from fastapi import FastAPI

from yishe_kit.app import create_service_app

from .api import routers
from .broker import CONSUMERS
from .community import models as _community_models  # noqa: F401 - register tables on the metadata
from .config import Settings, get_settings
from .db import metadata
from .member import models as _member_models  # noqa: F401
from .party_org import models as _party_org_models  # noqa: F401
from .readmodel import FRAGMENTS
from .record import models as _record_models  # noqa: F401
from .sync import models as _sync_models  # noqa: F401
from .talent import models as _talent_models  # noqa: F401


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or get_settings(), title="yishe party (党建, 红社领航)", metadata=metadata,
        routers=routers, consumers=CONSUMERS, fragments=FRAGMENTS,
    )
