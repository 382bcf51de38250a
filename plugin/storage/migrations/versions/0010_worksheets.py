"""worksheets: candidates' personal links, their drafts, and their corrections to the analysis

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _candidate_fk():
    return sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], ondelete='CASCADE')


def upgrade():
    op.create_table(
        'worksheet_links',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('candidate_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('window_hits', sa.Integer(), nullable=False),
        _candidate_fk(),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_worksheet_links_candidate_id', 'worksheet_links', ['candidate_id'])
    op.create_table(
        'worksheet_drafts',
        sa.Column('candidate_id', sa.Integer(), nullable=False),
        sa.Column('jobs', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('submitted_jobs', sa.JSON(), nullable=True),
        _candidate_fk(),
        sa.PrimaryKeyConstraint('candidate_id'),
    )
    op.create_table(
        'worksheet_corrections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('candidate_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('theme', sa.String(length=64), nullable=False),
        sa.Column('rejected', sa.Boolean(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        _candidate_fk(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('candidate_id', 'kind', 'theme'),
    )
    op.create_index('ix_worksheet_corrections_candidate_id', 'worksheet_corrections', ['candidate_id'])


def downgrade():
    op.drop_index('ix_worksheet_corrections_candidate_id', table_name='worksheet_corrections')
    op.drop_table('worksheet_corrections')
    op.drop_table('worksheet_drafts')
    op.drop_index('ix_worksheet_links_candidate_id', table_name='worksheet_links')
    op.drop_table('worksheet_links')
