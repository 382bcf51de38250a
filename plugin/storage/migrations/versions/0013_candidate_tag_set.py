"""candidates.tag_set: each candidate's tags as one array (PostgreSQL varchar[] with a GIN index; JSON on
SQLite), filled from candidate_tags, so the pool filters and counts facets with one indexed test per row

The backfill is one UPDATE per batch of candidate ids, built from candidate_tags in the database (no rows
through Python); the tags are namespaced "kind:value", as plugin/storage/tag_sets.py writes them.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

BATCH = 20000


def upgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == 'postgresql'
    if postgres:
        op.add_column('candidates', sa.Column('tag_set', postgresql.ARRAY(sa.String(length=300)),
                                              server_default=sa.text("'{}'"), nullable=False))
        aggregate = "array_agg(t.kind || ':' || t.value ORDER BY t.kind, t.value)"
    else:
        op.add_column('candidates', sa.Column('tag_set', sa.JSON(), server_default=sa.text("'[]'"),
                                              nullable=False))
        aggregate = "json_group_array(t.kind || ':' || t.value)"
    last = bind.execute(sa.text('SELECT max(id) FROM candidates')).scalar() or 0
    for start in range(0, last, BATCH):
        bind.execute(sa.text(
            f'UPDATE candidates SET tag_set = (SELECT {aggregate} FROM candidate_tags t '
            'WHERE t.candidate_id = candidates.id) '
            'WHERE id > :start AND id <= :end '
            'AND EXISTS (SELECT 1 FROM candidate_tags e WHERE e.candidate_id = candidates.id)'),
            {'start': start, 'end': start + BATCH})
    if postgres:
        op.create_index('ix_candidates_tag_set', 'candidates', ['tag_set'], postgresql_using='gin')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_candidates_tag_set', table_name='candidates')
    # plain DROP COLUMN, not a batch: on SQLite a batch rebuilds the table and the cascade empties the pool
    op.drop_column('candidates', 'tag_set')
