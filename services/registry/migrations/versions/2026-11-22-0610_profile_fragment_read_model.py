"""profile fragment: the 一社一码 read model of this service's part of the profile (kit readmodel)

Revision ID: 3b0a726cafcf
Revises: 5e1f7a2c9b30
Create Date: 2026-11-22 06:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '3b0a726cafcf'
down_revision: str | None = '5e1f7a2c9b30'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table('profile_fragment',
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('epoch', sa.BigInteger(), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=True),
    sa.Column('computed_on', sa.Date(), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('uscc', name=op.f('pk_profile_fragment'))
    )
    # The service-wide epoch lives in the row keyed "*" (yishe_kit.readmodel).
    op.bulk_insert(table, [{"uscc": "*", "version": 0}])


def downgrade() -> None:
    op.drop_table('profile_fragment')
