"""Alembic environment for the cultivation service: its own metadata, its URL from settings (or -x/ini override)."""

from alembic import context

from yishe_cultivation.config import get_settings
from yishe_cultivation.main import metadata
from yishe_kit.migrations import run

run(metadata, context.config.get_main_option("sqlalchemy.url") or get_settings().db.url)
