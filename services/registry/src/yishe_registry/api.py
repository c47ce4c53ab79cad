"""Registry's HTTP API, mounted under /v1."""

from .organisation.router import router as organisation_router

routers = [organisation_router]
