"""drop columns nothing reads: connections.credentials_encrypted and field_mapping, webhook_events.history_version

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('connections') as batch_op:
        batch_op.drop_column('credentials_encrypted')
        batch_op.drop_column('field_mapping')
    with op.batch_alter_table('webhook_events') as batch_op:
        batch_op.drop_column('history_version')


def downgrade():
    with op.batch_alter_table('webhook_events') as batch_op:
        batch_op.add_column(sa.Column('history_version', sa.Integer(), nullable=True))
    with op.batch_alter_table('connections') as batch_op:
        batch_op.add_column(sa.Column('field_mapping', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('credentials_encrypted', sa.Text(), nullable=True))
