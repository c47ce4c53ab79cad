"""inbox received_at index: the bus purges inbox rows older than the streams keep events (inbox_retention_days)

Revision ID: 7f0b5d01a940
Revises: 39754f2fa3cf
Create Date: 2026-12-03 19:00:00.000000
"""
from collections.abc import Sequence

from alembic import op

revision: str = '7f0b5d01a940'
down_revision: str | None = '39754f2fa3cf'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f('ix_inbox_received_at'), 'inbox', ['received_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_inbox_received_at'), table_name='inbox')
