"""inbox received_at index: the bus purges inbox rows older than the streams keep events (inbox_retention_days)

Revision ID: 535fbfd24d8a
Revises: af49f2f9b277
Create Date: 2026-12-03 19:00:00.000000
"""
from collections.abc import Sequence

from alembic import op

revision: str = '535fbfd24d8a'
down_revision: str | None = 'af49f2f9b277'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f('ix_inbox_received_at'), 'inbox', ['received_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_inbox_received_at'), table_name='inbox')
