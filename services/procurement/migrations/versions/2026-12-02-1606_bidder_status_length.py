"""bidder.registration_status: 30 characters, as registry's status ("registration_cancelled" has 22)

Revision ID: 8a4d2f6c1e35
Revises: 3b7c1e9f2a40
Create Date: 2026-12-02 16:06:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '8a4d2f6c1e35'
down_revision: str | None = '3b7c1e9f2a40'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('bidder', schema=None) as batch_op:
        batch_op.alter_column('registration_status', existing_type=sa.String(length=20), type_=sa.String(length=30),
                              existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('bidder', schema=None) as batch_op:
        batch_op.alter_column('registration_status', existing_type=sa.String(length=30), type_=sa.String(length=20),
                              existing_nullable=True)
