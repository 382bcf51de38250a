"""audit log: analyses, write-backs, corrections and re-analysis requests per connection, by id only

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.String(length=32), nullable=False),
        sa.Column('candidate_id', sa.Integer(), nullable=False),
        sa.Column('actor', sa.String(length=16), nullable=False),
        sa.Column('recruiter_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('analysis_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.String(length=200), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_entries_connection_at', 'audit_entries', ['connection_id', 'at', 'id'])
    op.create_index('ix_audit_entries_candidate_id', 'audit_entries', ['candidate_id'])


def downgrade():
    op.drop_index('ix_audit_entries_candidate_id', table_name='audit_entries')
    op.drop_index('ix_audit_entries_connection_at', table_name='audit_entries')
    op.drop_table('audit_entries')
