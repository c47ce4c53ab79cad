"""organisation: index (division_code, uscc) replaces (division_code)

Revision ID: 7c3d2e8f4a61
Revises: 3b0a726cafcf
Create Date: 2026-11-22 06:20:00

A search within one division walks that division's organisations in USCC order and stops at the page size; the old
single-column index still serves division prefixes as the new one's leading column does.
"""
from collections.abc import Sequence

from alembic import op

revision: str = '7c3d2e8f4a61'
down_revision: str | None = '3b0a726cafcf'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_division_code'))
        batch_op.create_index('ix_organisation_division_code_uscc', ['division_code', 'uscc'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index('ix_organisation_division_code_uscc')
        batch_op.create_index(batch_op.f('ix_organisation_division_code'), ['division_code'], unique=False)
