"""The cultivation dashboard page (培育发展看板) for bureau staff: static files and their router."""

from .router import router

__all__ = ["router"]
