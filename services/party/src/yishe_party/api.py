"""Party's HTTP API, mounted under /v1."""

from .record.router import router as record_router

routers = [record_router]
