"""job: long work run as jobs (yishe_kit.jobs) — the daily job, with state, progress and result

Revision ID: 7b1c0d2e9f33
Revises: e0536695d5cd
Create Date: 2026-12-02 15:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '7b1c0d2e9f33'
down_revision: str | None = 'e0536695d5cd'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('job',
    sa.Column('job_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=True),
    sa.Column('done', sa.BigInteger(), nullable=False),
    sa.Column('failed', sa.BigInteger(), nullable=False),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('params', sa.JSON(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('error', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('job_id', name=op.f('pk_job'))
    )
    op.create_index(op.f('ix_job_key'), 'job', ['key'], unique=False)
    op.create_index(op.f('ix_job_state'), 'job', ['state'], unique=False)
    # one queued or running job per key, across replicas (JOB-1)
    op.create_index('uq_job_active_key', 'job', ['key'], unique=True,
                    sqlite_where=sa.text("state IN ('queued', 'running')"),
                    postgresql_where=sa.text("state IN ('queued', 'running')"))


def downgrade() -> None:
    op.drop_index('uq_job_active_key', table_name='job')
    op.drop_index(op.f('ix_job_state'), table_name='job')
    op.drop_index(op.f('ix_job_key'), table_name='job')
    op.drop_table('job')
