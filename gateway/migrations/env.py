"""Alembic environment for the gateway: its own metadata, its URL from settings (or -x/ini override)."""

from alembic import context

from yishe_gateway.config import get_settings
from yishe_gateway.main import metadata
from yishe_kit.migrations import run

run(metadata, context.config.get_main_option("sqlalchemy.url") or get_settings().db.url)
