"""Credit service (信用): `uvicorn --factory yishe_credit.main:create_app`."""

from fastapi import FastAPI

from yishe_kit.app import create_service_app

from .api import routers
from .broker import CONSUMERS
from .complaint import models as _complaint  # noqa: F401 - register tables on the metadata
from .config import Settings, get_settings
from .db import metadata
from .inspection import models as _inspection  # noqa: F401
from .job import models as _job  # noqa: F401
from .listing import models as _listing  # noqa: F401
from .mailing import models as _mailing  # noqa: F401
from .objection import models as _objection  # noqa: F401
from .profile import models as _profile  # noqa: F401
from .publication import models as _publication  # noqa: F401
from .readmodel import FRAGMENTS
from .record import models as _record  # noqa: F401
from .zombie import models as _zombie  # noqa: F401


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or get_settings(), title="yishe credit (信用)", metadata=metadata,
        routers=routers, consumers=CONSUMERS, fragments=FRAGMENTS,
    )
