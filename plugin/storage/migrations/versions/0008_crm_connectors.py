"""CRM connectors that call the vendor's API: encrypted credentials, connector state, what was written

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
    with op.batch_alter_table('connections') as batch:
        batch.add_column(sa.Column('credentials_encrypted', sa.Text(), nullable=True))
    with op.batch_alter_table('candidates') as batch:
        batch.add_column(sa.Column('crm_written', sa.JSON(), nullable=True))
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
    with op.batch_alter_table('candidates') as batch:
        batch.drop_column('crm_written')
    with op.batch_alter_table('connections') as batch:
        batch.drop_column('credentials_encrypted')
