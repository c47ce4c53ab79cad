"""name search on SQLite: an FTS5 index of name bigrams replaces the name_gram table

Revision ID: 5e1f7a2c9b30
Revises: 844fd4159c28
Create Date: 2026-11-22 06:00:00

At a million organisations the bigram table cost more than everything else in an import (each 10,000-row chunk
touched ~140,000 scattered B-tree entries); FTS5 writes a chunk as one new segment. See search/models.py.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5e1f7a2c9b30'
down_revision: str | None = '844fd4159c28'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of search/models.py at this revision (a migration must not change when the code does).
CREATE_FTS = ("CREATE VIRTUAL TABLE name_fts USING fts5(grams, uscc UNINDEXED, tokenize = 'ascii', "
              "columnsize = 0)")


def _document(name_key: str) -> str:
    return " ".join(f"{ord(name_key[i]):x}g{ord(name_key[i + 1]):x}" for i in range(len(name_key) - 1))


def upgrade() -> None:
    op.drop_table('name_gram')
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    op.execute(CREATE_FTS)
    rows = bind.execute(sa.text("SELECT uscc, name_normalised FROM organisation")).all()
    if rows:
        bind.exec_driver_sql("INSERT INTO name_fts (grams, uscc) VALUES (?, ?)",
                             [(_document(key), uscc) for uscc, key in rows])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE name_fts")
    op.create_table('name_gram',
    sa.Column('gram', sa.String(length=8), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.PrimaryKeyConstraint('gram', 'uscc', name=op.f('pk_name_gram')),
    sqlite_with_rowid=False
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("INSERT OR IGNORE INTO name_gram (gram, uscc) SELECT substr(k, i, 2), uscc FROM ("
                   "WITH RECURSIVE g(uscc, k, i) AS (SELECT uscc, name_normalised, 1 FROM organisation "
                   "WHERE length(name_normalised) > 1 UNION ALL SELECT uscc, k, i + 1 FROM g "
                   "WHERE i < length(k) - 1) SELECT uscc, k, i FROM g)")
