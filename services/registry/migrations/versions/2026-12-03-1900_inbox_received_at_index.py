"""inbox received_at index: the bus purges inbox rows older than the streams keep events (inbox_retention_days)

Revision ID: d4946ce7e604
Revises: 3c9d4e2a7f10
Create Date: 2026-12-03 19:00:00.000000
"""
from collections.abc import Sequence

from alembic import op

revision: str = 'd4946ce7e604'
down_revision: str | None = '3c9d4e2a7f10'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f('ix_inbox_received_at'), 'inbox', ['received_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_inbox_received_at'), table_name='inbox')
