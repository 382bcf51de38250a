"""page sessions: a signed-in browser is a row, so signing out revokes its cookie

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'page_sessions',
        sa.Column('id_hash', sa.String(length=64), nullable=False),
        sa.Column('connection_id', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id_hash'),
    )
    op.create_index('ix_page_sessions_connection_id', 'page_sessions', ['connection_id'])


def downgrade():
    op.drop_index('ix_page_sessions_connection_id', table_name='page_sessions')
    op.drop_table('page_sessions')
