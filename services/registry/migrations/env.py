"""Alembic environment for the registry service: its own metadata, its URL from settings (or -x/ini override)."""

from alembic import context

from yishe_kit.migrations import run
from yishe_registry.config import get_settings
from yishe_registry.main import metadata

run(metadata, context.config.get_main_option("sqlalchemy.url") or get_settings().db.url)
