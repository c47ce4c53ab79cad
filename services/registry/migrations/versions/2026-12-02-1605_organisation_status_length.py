"""organisation.status: 30 characters ("registration_cancelled", 撤销, has 22: PostgreSQL refused it with a 500)

Revision ID: 5e1f0c7b9d22
Revises: e87c1eca021f
Create Date: 2026-12-02 16:05:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5e1f0c7b9d22'
down_revision: str | None = 'e87c1eca021f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=20), type_=sa.String(length=30),
                              existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=30), type_=sa.String(length=20),
                              existing_nullable=False)
