"""feed entries placed at a township: division_code widened to 9 digits

A filing's entries, and a filed organisation's, belong to its township (乡镇/街道, 9 digits), so township accounts
read them through the same prefix match as everyone else (disclosure/jurisdiction.py).

Revision ID: eca1a39bd3ac
Revises: 5c007ad2c881
Create Date: 2026-11-22 05:22:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "eca1a39bd3ac"
down_revision: str | None = "5c007ad2c881"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feed_entry", schema=None) as batch_op:
        batch_op.alter_column("division_code", existing_type=sa.String(length=6), type_=sa.String(length=9),
                              existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("feed_entry", schema=None) as batch_op:
        batch_op.alter_column("division_code", existing_type=sa.String(length=9), type_=sa.String(length=6),
                              existing_nullable=False)
