"""refused bids: a bid refused at submission, with its frozen PROC-4 evidence (issue 13)

Revision ID: 3b7c1e9f2a40
Revises: 7b1c0d2e9f33
Create Date: 2026-12-02 16:05:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '3b7c1e9f2a40'
down_revision: str | None = '7b1c0d2e9f33'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('refused_bid',
    sa.Column('refusal_id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=36), nullable=False),
    sa.Column('division_code', sa.String(length=6), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('org_name', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('bid_date', sa.Date(), nullable=False),
    sa.Column('refused_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.project_id'], name=op.f('fk_refused_bid_project_id_project')),
    sa.PrimaryKeyConstraint('refusal_id', name=op.f('pk_refused_bid'))
    )
    op.create_index(op.f('ix_refused_bid_project_id'), 'refused_bid', ['project_id'], unique=False)
    op.create_index(op.f('ix_refused_bid_uscc'), 'refused_bid', ['uscc'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_refused_bid_uscc'), table_name='refused_bid')
    op.drop_index(op.f('ix_refused_bid_project_id'), table_name='refused_bid')
    op.drop_table('refused_bid')
