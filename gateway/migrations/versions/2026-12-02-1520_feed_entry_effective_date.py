"""feed entries keep the business date each event takes effect

The as-of profile (CODE-5) answers "as effective on day D": it folds an organisation's events by the date they take
effect (the envelope's `effectivedate`), not by when they were received. Entries stored before have none; the
profile takes the China date of their time for them.

Revision ID: 7d3e41a9c2b5
Revises: eca1a39bd3ac
Create Date: 2026-12-02 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d3e41a9c2b5"
down_revision: str | None = "eca1a39bd3ac"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feed_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("effective_date", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feed_entry", schema=None) as batch_op:
        batch_op.drop_column("effective_date")
