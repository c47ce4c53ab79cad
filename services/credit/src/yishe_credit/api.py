"""Credit's HTTP API, mounted under /v1."""

from .profile.router import router as profile_router

routers = [profile_router]
