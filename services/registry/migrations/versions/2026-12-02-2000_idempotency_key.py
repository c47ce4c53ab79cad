"""idempotency_key: the kept answers to POSTs carrying an Idempotency-Key (yishe_kit.idempotency, IDEM-1..3)

Revision ID: 7a78da183a41
Revises: 5e1f0c7b9d22
Create Date: 2026-12-02 20:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '7a78da183a41'
down_revision: str | None = '5e1f0c7b9d22'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('idempotency_key',
    sa.Column('scope_id', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('caller', sa.String(length=200), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=True),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope_id', name=op.f('pk_idempotency_key'))
    )
    op.create_index(op.f('ix_idempotency_key_expires_at'), 'idempotency_key', ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_idempotency_key_expires_at'), table_name='idempotency_key')
    op.drop_table('idempotency_key')
