"""audit chain anchored where its keyed links begin

The audit chain's links became HMAC-SHA256 under a key kept outside the database (GATEWAY_AUDIT__HMAC_KEY). A store
upgraded from before holds entries linked by plain SHA-256: this migration records, once, how far they reach (the
head at upgrade time) so `GET /v1/audit/verify` checks those by their unkeyed links and every later entry by its key,
instead of reporting the whole chain invalid at its first entry. A new store anchors at 0. The anchor row is
append-only, like the entries.

Revision ID: 3b9f0c2d7a61
Revises: 7d3e41a9c2b5
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b9f0c2d7a61"
down_revision: str | None = "7d3e41a9c2b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_anchor",
        sa.Column("anchor_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("legacy_upto", sa.BigInteger(), nullable=False),
        sa.Column("legacy_head", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("anchor_id", name=op.f("pk_audit_anchor")),
    )
    op.execute(sa.text("INSERT INTO audit_anchor (anchor_id, legacy_upto, legacy_head) "
                       "SELECT head_id, seq, hash FROM audit_head WHERE head_id = 1"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION audit_anchor_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN RAISE EXCEPTION 'audit_anchor is append-only'; END $$")
        op.execute("CREATE TRIGGER audit_anchor_append_only BEFORE UPDATE OR DELETE ON audit_anchor "
                   "FOR EACH ROW EXECUTE FUNCTION audit_anchor_append_only()")
    else:
        for what in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_anchor_no_{what.lower()} BEFORE {what} ON audit_anchor "
                       "BEGIN SELECT RAISE(ABORT, 'audit_anchor is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_anchor_append_only ON audit_anchor")
        op.execute("DROP FUNCTION IF EXISTS audit_anchor_append_only()")
    op.drop_table("audit_anchor")
