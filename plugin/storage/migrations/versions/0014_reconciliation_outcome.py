"""connector_states: the last reconciliation's outcome (candidates it queued, or why it failed);
webhook_events indexed by connection and time, for the connection's status

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('connector_states') as batch:
        batch.add_column(sa.Column('reconcile_changed', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('reconcile_failed_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('reconcile_error', sa.String(length=200), nullable=True))
    op.create_index('ix_webhook_events_connection_received', 'webhook_events',
                    ['connection_id', 'received_at'])


def downgrade():
    op.drop_index('ix_webhook_events_connection_received', table_name='webhook_events')
    with op.batch_alter_table('connector_states') as batch:
        batch.drop_column('reconcile_error')
        batch.drop_column('reconcile_failed_at')
        batch.drop_column('reconcile_changed')
