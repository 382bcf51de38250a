"""Migrations keep the data they find: each is applied to a database holding rows, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import upgrade

from plugin import create_app
from plugin.extensions import db

ROWS = [
    "INSERT INTO connections (id, provider, name, signing_secrets_encrypted, token_hash, field_mapping,"
    " enabled, created_at) VALUES ('con_1', 'standard', 'CRM', 'x', 'h', '{}', true, '2026-01-01 00:00:00')",
    "INSERT INTO candidates (id, connection_id, external_id, history, history_hash, history_version, status,"
    " created_at, updated_at) VALUES (1, 'con_1', 'c-1', '{\"jobs\": []}', 'hh', 1, 'analyzed',"
    " '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    "INSERT INTO webhook_events (connection_id, event_id, event_type, external_id, history_version,"
    " received_at, status) VALUES ('con_1', 'msg_1', 'candidate.created', 'c-1', 1,"
    " '2026-01-01 00:00:00', 'accepted')",
]


def _unmigrated_app(tmp_path, database_url, redis_url):
    """An app on the empty test database; each test upgrades it to the revision it starts from."""
    return create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": "k",
                       "SQLALCHEMY_DATABASE_URI": database_url, "BROKER_URL": redis_url})


def test_dropping_unused_columns_keeps_every_row(tmp_path, database_url, redis_url):
    app = _unmigrated_app(tmp_path, database_url, redis_url)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0004")
        with db.engine.begin() as connection:
            for statement in ROWS:
                connection.execute(sa.text(statement))
        upgrade(directory=directory)
        with db.engine.connect() as connection:
            counts = [connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
                      for table in ("connections", "candidates", "webhook_events")]
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("connections")}
        db.engine.dispose()
    assert counts == [1, 1, 1]
    assert not columns & {"credentials_encrypted", "field_mapping"}


def test_adding_the_retry_due_time_keeps_every_analysis(tmp_path, database_url, redis_url):
    app = _unmigrated_app(tmp_path, database_url, redis_url)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0005")
        with db.engine.begin() as connection:
            for statement in ROWS[:2]:
                connection.execute(sa.text(statement.replace(" field_mapping,", "")
                                           .replace(" '{}',", "")))
            connection.execute(sa.text(
                "INSERT INTO analyses (candidate_id, history_version, history_hash, engine_version, result,"
                " created_at, delivery_status, delivery_attempts) VALUES (1, 1, 'hh', 'e1', '{}',"
                " '2026-01-01 00:00:00', 'pending', 3)"))
        upgrade(directory=directory)
        with db.engine.connect() as connection:
            row = connection.execute(sa.text(
                "SELECT delivery_attempts, retry_at FROM analyses")).one()
        db.engine.dispose()
    assert (row.delivery_attempts, row.retry_at) == (3, None)


def test_adding_crm_connector_state_keeps_every_row(tmp_path, database_url, redis_url):
    """0008 adds columns in place (no table rebuild, which on SQLite would cascade-delete candidates)."""
    app = _unmigrated_app(tmp_path, database_url, redis_url)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0007")
        with db.engine.begin() as connection:
            for statement in ROWS[:2]:
                connection.execute(sa.text(statement.replace(" field_mapping,", "")
                                           .replace(" '{}',", "")))
        upgrade(directory=directory)
        with db.engine.connect() as connection:
            row = connection.execute(sa.text(
                "SELECT c.crm_written, n.crm_credentials_encrypted FROM candidates c"
                " JOIN connections n ON n.id = c.connection_id")).one()
            states = connection.execute(sa.text("SELECT count(*) FROM connector_states")).scalar()
        db.engine.dispose()
    assert (row.crm_written, row.crm_credentials_encrypted, states) == (None, None, 0)


def test_the_workspace_migration_backfills_search_text_and_strength(tmp_path, database_url, redis_url):
    """0009 on a pool analysed before it: every candidate is searchable and sortable at once, none lost."""
    app = _unmigrated_app(tmp_path, database_url, redis_url)
    result = '{"passions": [{"theme": "research", "strength": 0.8}], "aversions": []}'
    history = '{"jobs": [{"title": "Law Clerk", "employer": "Acme LLP"}, {"title": "Paralegal"}]}'
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0007")
        with db.engine.begin() as connection:
            connection.execute(sa.text(ROWS[0].replace(" field_mapping,", "").replace(" '{}',", "")))
            connection.execute(sa.text(ROWS[1].replace('\'{"jobs": []}\'', f"'{history}'")))
            connection.execute(sa.text(
                "INSERT INTO analyses (candidate_id, history_version, history_hash, engine_version, result,"
                f" created_at, delivery_status, delivery_attempts) VALUES (1, 1, 'hh', 'e1', '{result}',"
                " '2026-01-01 00:00:00', 'pending', 0)"))
            connection.execute(sa.text(
                "INSERT INTO candidate_tags (candidate_id, kind, value, label) VALUES"
                " (1, 'passion', 'research', 'Research'), (1, 'skill', 'http://x', 'legal research')"))
        upgrade(directory=directory)
        with db.engine.connect() as connection:
            text = connection.execute(sa.text("SELECT search_text FROM candidates")).scalar()
            strengths = connection.execute(sa.text(
                "SELECT kind, strength FROM candidate_tags ORDER BY kind")).all()
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("page_sessions")}
        db.engine.dispose()
    assert text == "law clerk\nacme llp\nparalegal"
    assert [tuple(row) for row in strengths] == [("passion", 0.8), ("skill", None)]
    assert "recruiter_id" in columns


def test_the_tag_set_migration_fills_every_candidates_tags(tmp_path, database_url, redis_url):
    """0013 on a pool tagged before it: the filters find every candidate at once, by their tag rows."""
    from plugin.storage.models import Candidate

    app = _unmigrated_app(tmp_path, database_url, redis_url)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0012")
        with db.engine.begin() as connection:
            connection.execute(sa.text(ROWS[0].replace(" field_mapping,", "").replace(" '{}',", "")))
            connection.execute(sa.text(ROWS[1]))
            connection.execute(sa.text(ROWS[1].replace("(1,", "(2,").replace("'c-1'", "'c-2'")))
            connection.execute(sa.text(
                "INSERT INTO candidate_tags (candidate_id, kind, value, label) VALUES"
                " (1, 'passion', 'research', 'Research'), (1, 'aversion', 'numbers', 'Numbers'),"
                " (1, 'skill', 'http://x', 'legal research')"))
        upgrade(directory=directory)
        tag_sets = {c.external_id: sorted(c.tag_set) for c in db.session.scalars(sa.select(Candidate))}
        db.session.remove()
        db.engine.dispose()
    assert tag_sets == {"c-1": ["aversion:numbers", "passion:research", "skill:http://x"], "c-2": []}
