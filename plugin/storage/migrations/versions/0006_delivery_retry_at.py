"""analyses.retry_at: when a scheduled write-back retry is due, so the sweeper never starts a second chain

A plain ADD COLUMN (nullable, no default) on both databases: no batch rebuild on SQLite (see 0005).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('analyses', sa.Column('retry_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('analyses', 'retry_at')
