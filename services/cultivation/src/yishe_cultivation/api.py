"""Cultivation's HTTP API, mounted under /v1."""

from .activity.router import router as activity_router
from .incubation.router import router as incubation_router
from .organisation.router import router as organisation_router
from .platform.router import router as platform_router
from .profile.router import router as profile_router
from .reward.router import router as reward_router
from .target.router import router as target_router

routers = [platform_router, activity_router, organisation_router, incubation_router, reward_router, target_router,
           profile_router]
