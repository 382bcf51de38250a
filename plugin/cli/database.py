"""Which database a command uses, said on stderr every time, and never a silent new one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import Flask
from sqlalchemy.engine import make_url

_HOW_TO_CHOOSE = ("`passion` uses var/ in the project it was installed from (or the user's data dir for "
                  "a packaged install); set PASSION_DATA_DIR or PASSION_DATABASE_URL to choose another")


def shown(url: str) -> str:
    """The URL with any password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def planned_database() -> str:
    """The database the current settings point at, computed without creating anything."""
    from plugin.config import database_uri, planned_config

    return database_uri(planned_config())


def announce(url: str, *, new: bool) -> None:
    click.echo(f"database: {shown(url)}{' (new and empty: created now)' if new else ''}", err=True)


@contextmanager
def app_context(*, must_exist: bool, named: bool = True) -> Iterator[Flask]:
    """The app with its database migrated, named on stderr. `must_exist` refuses a SQLite file that is not
    there yet (commands that read connections): creating one would only hide that it is the wrong one.
    `named=False` when the caller has named it already (`passion run`)."""
    url = planned_database()
    path = sqlite_file(url)
    new = path is not None and not path.exists()
    if new and must_exist:
        raise click.ClickException(f"no database at {path}: nothing was set up there. {_HOW_TO_CHOOSE}.")
    from plugin import create_app
    from plugin.storage.migrations_runner import upgrade_database

    app = create_app()
    if named:
        announce(app.config["SQLALCHEMY_DATABASE_URI"], new=new)
    with app.app_context():
        upgrade_database()
        yield app


def candidate_by_crm_id(crm_id: str, connection_id: str | None) -> Any:
    """The one candidate with this CRM id (in this connection, when given), or a ClickException naming
    what is missing or ambiguous; inside app_context."""
    from sqlalchemy import select

    from plugin.extensions import db
    from plugin.storage.models import Candidate
    from schemas.history import normalize_id

    query = select(Candidate).where(Candidate.external_id == normalize_id(crm_id))
    if connection_id:
        query = query.where(Candidate.connection_id == connection_id)
    found = list(db.session.scalars(query.limit(2)))
    if not found:
        where = f" in {connection_id}" if connection_id else ""
        raise click.ClickException(f"no candidate {crm_id!r}{where}")
    if len(found) > 1:
        raise click.ClickException(f"several connections have a candidate {crm_id!r}: pass --connection")
    return found[0]
