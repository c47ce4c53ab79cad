"""outbox origin: which part of the service wrote the row when its API and consumers run apart (each part's relay
publishes its own rows; yishe_kit.relay), and the unsent rows' index on (published_at, origin), read without the row

Revision ID: 936970133f7f
Revises: 70d99576c6a7
Create Date: 2026-12-07 14:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '936970133f7f'
down_revision: str | None = '70d99576c6a7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=20), nullable=True))
    op.drop_index('ix_outbox_published_at', table_name='outbox')
    op.create_index('ix_outbox_unsent', 'outbox', ['published_at', 'origin'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbox_unsent', table_name='outbox')
    op.create_index('ix_outbox_published_at', 'outbox', ['published_at'], unique=False)
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.drop_column('origin')
