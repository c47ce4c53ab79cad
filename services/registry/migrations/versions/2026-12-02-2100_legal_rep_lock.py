"""legal_rep_lock: one row per legal representative's ID number, upserted to serialise REG-2/REG-4 checks

Revision ID: 3c9d4e2a7f10
Revises: 7a78da183a41
Create Date: 2026-12-02 21:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '3c9d4e2a7f10'
down_revision: str | None = '7a78da183a41'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('legal_rep_lock',
    sa.Column('id_key', sa.String(length=18), nullable=False),
    sa.Column('claims', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id_key', name=op.f('pk_legal_rep_lock'))
    )


def downgrade() -> None:
    op.drop_table('legal_rep_lock')
