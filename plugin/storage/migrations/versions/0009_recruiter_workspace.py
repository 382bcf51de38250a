"""the recruiter's workspace: candidates' name, CRM link and search text; tags' strength; recruiter accounts
with their sign-in failures, and which recruiter a page session is

Plain ADD COLUMNs (nullable, no default) on both databases, then a batched backfill of the search text (from the
stored history) and of the tags' strength (from each candidate's latest analysis), so the pool searches and
sorts every candidate, not only those analysed after the upgrade. Names and links arrive with the next event.
Two indexes let the pool's list, count and facet counts read indexes instead of the candidates' wide rows.

Revision ID: 0009
Revises: 0008
"""
import json

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    op.add_column('candidates', sa.Column('name', sa.String(length=200), nullable=True))
    op.add_column('candidates', sa.Column('crm_url', sa.String(length=2000), nullable=True))
    op.add_column('candidates', sa.Column('search_text', sa.Text(), nullable=True))
    op.add_column('candidate_tags', sa.Column('strength', sa.Double(), nullable=True))
    _backfill(op.get_bind())
    op.create_index('ix_candidates_connection_updated', 'candidates', ['connection_id', 'updated_at', 'id'])
    op.create_index('ix_candidate_tags_candidate_kind_value', 'candidate_tags',
                    ['candidate_id', 'kind', 'value'])
    op.create_table(
        'recruiters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.String(length=32), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('email'),
    )
    op.create_index('ix_recruiters_connection_id', 'recruiters', ['connection_id'])
    op.create_table(
        'sign_in_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_sign_in_failures_key_at', 'sign_in_failures', ['key_hash', 'at'])
    # page sessions last 12 hours: dropping them signs everyone in again, and lets SQLite add the foreign
    # key column without rebuilding the table
    op.execute('DELETE FROM page_sessions')
    with op.batch_alter_table('page_sessions') as batch_op:
        batch_op.add_column(sa.Column('recruiter_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_page_sessions_recruiter_id', 'recruiters', ['recruiter_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_index('ix_page_sessions_recruiter_id', ['recruiter_id'])


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
    op.execute('DELETE FROM page_sessions')
    with op.batch_alter_table('page_sessions') as batch_op:
        batch_op.drop_index('ix_page_sessions_recruiter_id')
        batch_op.drop_constraint('fk_page_sessions_recruiter_id', type_='foreignkey')
        batch_op.drop_column('recruiter_id')
    op.drop_index('ix_candidate_tags_candidate_kind_value', table_name='candidate_tags')
    op.drop_index('ix_candidates_connection_updated', table_name='candidates')
    op.drop_index('ix_sign_in_failures_key_at', table_name='sign_in_failures')
    op.drop_table('sign_in_failures')
    op.drop_index('ix_recruiters_connection_id', table_name='recruiters')
    op.drop_table('recruiters')
    # plain DROP COLUMN, not a batch: on SQLite a batch rebuilds the table and the cascade empties the pool
    op.drop_column('candidate_tags', 'strength')
    for column in ('search_text', 'crm_url', 'name'):
        op.drop_column('candidates', column)
