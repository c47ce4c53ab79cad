"""credit_profile: clear grade_valid_until where the grade has gone (data fix)

Revision ID: 9e4b61c2d7a8
Revises: 7d522487df5f
Create Date: 2026-11-22 06:40:00

Before the fix in profile handling, an expired or revoked grade (grade None) left its validity date behind; new
events now clear it, this clears the rows written before.
"""
from collections.abc import Sequence

from alembic import op

revision: str = '9e4b61c2d7a8'
down_revision: str | None = '7d522487df5f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE credit_profile SET grade_valid_until = NULL WHERE grade IS NULL AND grade_valid_until IS NOT NULL")


def downgrade() -> None:
    pass  # the cleared dates described grades that no longer exist: nothing to restore
