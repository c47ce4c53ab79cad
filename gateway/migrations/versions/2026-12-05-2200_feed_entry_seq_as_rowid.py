"""feed_entry: its sequence is SQLite's rowid, and no index on division_code

Every feed entry was written into six b-trees on SQLite: the table, its BIGINT primary key's own index (only an
INTEGER primary key is the rowid), and the indexes on event_id, subject, uscc and division_code. Jurisdiction
filters read division_code by prefix (LIKE 'p%'), which neither SQLite (case-insensitive LIKE against a BINARY
index) nor PostgreSQL (a non-C collation) can take from a plain index: the feed is read by sequence and filtered,
so that index was only written. Now four: the table keyed by seq, event_id, subject, uscc. On PostgreSQL the
column stays BIGINT; only the index goes.

Revision ID: 9e4b7f1c2d30
Revises: 2c25ac2da39d
Create Date: 2026-12-05 22:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '9e4b7f1c2d30'
down_revision: str | None = '2c25ac2da39d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index(op.f('ix_feed_entry_division_code'), table_name='feed_entry')
    if op.get_bind().dialect.name == 'sqlite':
        # The table is copied into its new shape (entries keep their sequence numbers: the readers' cursors).
        with op.batch_alter_table('feed_entry', recreate='always') as batch_op:
            batch_op.alter_column('seq', existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('feed_entry', recreate='always') as batch_op:
            batch_op.alter_column('seq', existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False)
    op.create_index(op.f('ix_feed_entry_division_code'), 'feed_entry', ['division_code'], unique=False)
