"""the recruiter's workspace: candidates' name, CRM link and search text; tags' strength

Plain ADD COLUMNs (nullable, no default) on both databases, then a batched backfill of the search text (from the
stored history) and of the tags' strength (from each candidate's latest analysis), so the pool searches and
sorts every candidate, not only those analysed after the upgrade. Names and links arrive with the next event.

Revision ID: 0010
Revises: 0007
"""
import json

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0007'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    op.add_column('candidates', sa.Column('name', sa.String(length=200), nullable=True))
    op.add_column('candidates', sa.Column('crm_url', sa.String(length=2000), nullable=True))
    op.add_column('candidates', sa.Column('search_text', sa.Text(), nullable=True))
    op.add_column('candidate_tags', sa.Column('strength', sa.Float(), nullable=True))
    _backfill(op.get_bind())


def _json(value):
    return json.loads(value) if isinstance(value, str) else (value or {})


def _search_text(history):
    """As plugin.storage.pool.search_text, frozen here: a migration must not change with the code."""
    parts = []
    for job in history.get('jobs', []):
        parts += [job.get('title') or '', job.get('employer') or '']
    return '\n'.join(p.lower() for p in parts if p)


def _backfill(bind):
    last = 0
    while True:
        rows = bind.execute(sa.text(
            'SELECT id, history FROM candidates WHERE id > :last ORDER BY id LIMIT :n'),
            {'last': last, 'n': BATCH}).all()
        if not rows:
            return
        for candidate_id, history in rows:
            bind.execute(sa.text('UPDATE candidates SET search_text = :t WHERE id = :id'),
                         {'t': _search_text(_json(history)), 'id': candidate_id})
            _backfill_strength(bind, candidate_id)
        last = rows[-1][0]


def _backfill_strength(bind, candidate_id):
    result = bind.execute(sa.text(
        'SELECT result FROM analyses WHERE candidate_id = :id ORDER BY id DESC LIMIT 1'),
        {'id': candidate_id}).scalar()
    result = _json(result)
    for kind, key in (('passion', 'passions'), ('aversion', 'aversions')):
        for item in result.get(key, []):
            bind.execute(sa.text(
                'UPDATE candidate_tags SET strength = :s WHERE candidate_id = :id AND kind = :k '
                'AND value = :v'), {'s': item.get('strength'), 'id': candidate_id, 'k': kind,
                                    'v': item.get('theme')})


def downgrade():
    # plain DROP COLUMN, not a batch: on SQLite a batch rebuilds the table and the cascade empties the pool
    op.drop_column('candidate_tags', 'strength')
    for column in ('search_text', 'crm_url', 'name'):
        op.drop_column('candidates', column)
