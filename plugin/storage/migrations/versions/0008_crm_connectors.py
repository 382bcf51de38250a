"""CRM connectors that call the vendor's API: encrypted credentials, connector state, what was written

Plain ADD COLUMN on both databases, not a batch operation: on SQLite a batch rebuilds the table, and
dropping the old connections table with foreign keys on would cascade and delete every candidate.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('connections', sa.Column('crm_credentials_encrypted', sa.Text(), nullable=True))
    op.add_column('candidates', sa.Column('crm_written', sa.JSON(), nullable=True))
    op.create_table(
        'connector_states',
        sa.Column('connection_id', sa.String(length=32), nullable=False),
        sa.Column('crm_objects', sa.JSON(), nullable=True),
        sa.Column('checkpoint', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reconciled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure', sa.String(length=200), nullable=True),
        sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('connection_id'),
    )


def downgrade():
    op.drop_table('connector_states')
    op.drop_column('candidates', 'crm_written')
    op.drop_column('connections', 'crm_credentials_encrypted')
