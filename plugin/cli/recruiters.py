"""`passion recruiters …`: an administrator's accounts for the people who use a connection's pages."""

from __future__ import annotations

import sys

import click


@click.group()
def recruiters() -> None:
    """Manage the accounts recruiters sign in with."""


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@recruiters.command("create")
@click.option("--connection", "connection_id", required=True, help="The connection's id (con_…).")
@click.option("--email", required=True, help="The recruiter's sign-in name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin "
                                                     "instead of prompting twice.")
def create(connection_id: str, email: str, password_stdin: bool) -> None:
    """Create an account; only the password's hash is stored (at least 12 characters)."""
    from plugin.cli.database import app_context
    from plugin.storage.recruiters import AccountError, create_recruiter

    password = _password(password_stdin)
    with app_context(must_exist=True):
        try:
            recruiter = create_recruiter(connection_id, email, password)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"recruiter {recruiter.email} can sign in to {connection_id}")


@recruiters.command("list")
@click.option("--connection", "connection_id", default=None, help="Only this connection's accounts.")
def list_(connection_id: str | None) -> None:
    """Every account: email, connection, enabled, created."""
    from sqlalchemy import select

    from plugin.cli.database import app_context
    from plugin.extensions import db
    from plugin.storage.models import Recruiter

    with app_context(must_exist=True):
        query = select(Recruiter).order_by(Recruiter.connection_id, Recruiter.email)
        if connection_id:
            query = query.where(Recruiter.connection_id == connection_id)
        for r in db.session.scalars(query):
            click.echo(f"{r.email}\t{r.connection_id}\t{'enabled' if r.enabled else 'disabled'}\t"
                       f"{r.created_at:%Y-%m-%d}")


@recruiters.command("delete")
@click.option("--email", required=True)
def delete(email: str) -> None:
    """Delete an account; its browsers are signed out at their next request."""
    from plugin.cli.database import app_context
    from plugin.storage.recruiters import delete_recruiter

    with app_context(must_exist=True):
        if not delete_recruiter(email):
            raise click.ClickException(f"no account {email}")
        click.echo(f"deleted {email}")
