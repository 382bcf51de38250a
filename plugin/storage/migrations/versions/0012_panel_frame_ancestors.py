"""connections.frame_ancestors: the origins that may frame the embedded CRM panel

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('connections') as batch:
        batch.add_column(sa.Column('frame_ancestors', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('connections') as batch:
        batch.drop_column('frame_ancestors')
