"""indexes on the status columns the sweeper and /metrics query every minute

Revision ID: 0004
Revises: 0003
"""
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_candidates_status', 'candidates', ['status'])
    op.create_index('ix_analyses_delivery_status', 'analyses', ['delivery_status'])


def downgrade():
    op.drop_index('ix_analyses_delivery_status', table_name='analyses')
    op.drop_index('ix_candidates_status', table_name='candidates')
