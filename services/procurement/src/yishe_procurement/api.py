"""Procurement's HTTP API, mounted under /v1."""

from .bidder.router import router as bidder_router

routers = [bidder_router]
