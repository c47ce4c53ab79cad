"""Alembic environment for the procurement service: its own metadata, its URL from settings (or -x/ini override)."""

from alembic import context

from yishe_kit.migrations import run
from yishe_procurement.config import get_settings
from yishe_procurement.main import metadata

run(metadata, context.config.get_main_option("sqlalchemy.url") or get_settings().db.url)
