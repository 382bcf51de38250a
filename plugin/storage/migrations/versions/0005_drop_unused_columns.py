"""drop columns nothing reads: connections.credentials_encrypted and field_mapping, webhook_events.history_version

Plain ALTER TABLE ... DROP COLUMN on both databases (SQLite has it since 3.35). Not a batch operation: on
SQLite a batch rebuilds the table, and dropping the old connections table with foreign keys on would cascade
and delete every candidate, analysis and event.

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
    op.drop_column('connections', 'credentials_encrypted')
    op.drop_column('connections', 'field_mapping')
    op.drop_column('webhook_events', 'history_version')


def downgrade():
    op.add_column('webhook_events', sa.Column('history_version', sa.Integer(), nullable=True))
    op.add_column('connections', sa.Column('field_mapping', sa.JSON(), nullable=True))
    op.add_column('connections', sa.Column('credentials_encrypted', sa.Text(), nullable=True))
