"""`passion connections …`: register CRMs, list them, rotate secrets and tokens, disable them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from plugin.receiving.connectors import PROVIDERS


@click.group()
def connections() -> None:
    """Manage CRM connections."""


@contextmanager
def _app_context(*, must_exist: bool = True) -> Iterator[None]:
    """Every command names its database on stderr; only `create` may start a new one."""
    from plugin.cli.database import app_context

    with app_context(must_exist=must_exist):
        yield


def _connection(connection_id: str) -> Any:
    from plugin.extensions import db
    from plugin.storage.models import Connection

    found = db.session.get(Connection, connection_id)
    if found is None:
        raise click.ClickException(f"no connection {connection_id}")
    return found


@connections.command("create")
@click.option("--provider", type=click.Choice(PROVIDERS), default="standard", show_default=True)
@click.option("--name", required=True, help="A name the recruiters recognise.")
@click.option("--callback-url", default=None,
              help="Where candidate.analyzed events are POSTed (signed with the same secret); https, "
                   "and no internal address unless PASSION_WRITEBACK_HTTP_HOSTS and "
                   "PASSION_WRITEBACK_ALLOWED_NETWORKS allow it.")
@click.option("--client-id", default=None,
              envvar=["PASSION_GREENHOUSE_CLIENT_ID", "PASSION_BULLHORN_CLIENT_ID"],
              help="Greenhouse: the Harvest v3 OAuth client id. Bullhorn: the OAuth client id.")
@click.option("--client-secret", default=None,
              envvar=["PASSION_GREENHOUSE_CLIENT_SECRET", "PASSION_BULLHORN_CLIENT_SECRET"],
              help="Greenhouse or Bullhorn: the client secret (asked for, hidden, when not given; or set "
                   "PASSION_GREENHOUSE_CLIENT_SECRET or PASSION_BULLHORN_CLIENT_SECRET so it stays out of "
                   "the shell history).")
@click.option("--user-id", default=None,
              help="Greenhouse: the user id the integration acts as (the token's `sub`).")
@click.option("--signature-token", "signature_tokens", multiple=True,
              help="Lever: a webhook's signature token (repeat it for each webhook).")
@click.option("--api-key", default=None, envvar="PASSION_LEVER_API_KEY",
              help="Lever: the API key (asked for, hidden, when not given; or set PASSION_LEVER_API_KEY "
                   "so it stays out of the shell history).")
@click.option("--subdomain", default=None,
              help="Workable: the account's subdomain (SUBDOMAIN in https://SUBDOMAIN.workable.com).")
@click.option("--api-token", default=None, envvar="PASSION_WORKABLE_API_TOKEN",
              help="Workable: an API access token with r_candidates and w_candidates (asked for, hidden, "
                   "when not given; or set PASSION_WORKABLE_API_TOKEN so it stays out of the shell "
                   "history). Workable also signs its webhooks with it.")
@click.option("--username", default=None, help="Bullhorn: the API user's username.")
@click.option("--password", default=None, envvar="PASSION_BULLHORN_PASSWORD",
              help="Bullhorn: the API user's password (asked for, hidden, when not given; or set "
                   "PASSION_BULLHORN_PASSWORD so it stays out of the shell history).")
@click.option("--field", default=None,
              help="Bullhorn: the candidate field an admin labelled for the themes (customText1-40, "
                   "100 characters and filterable, or customTextBlock1-10).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def create(provider: str, name: str, callback_url: str | None, client_id: str | None,
           client_secret: str | None, user_id: str | None, signature_tokens: tuple[str, ...],
           api_key: str | None, subdomain: str | None, api_token: str | None, username: str | None,
           password: str | None, field: str | None, as_json: bool) -> None:
    """Create a connection and print its credentials once.

    Prints its id, webhook URL, signing secret and API token; only hashes or ciphertexts are stored, so
    they cannot be shown again (new-token and rotate-secret issue new ones). The CRM API's credentials
    (Greenhouse's client credentials, Lever's API key, Workable's API token, Bullhorn's login) are
    checked against it first, and nothing is stored if they fail. Workable signs webhooks with its API
    token, which is therefore the connection's signing secret too, and is never printed back. Bullhorn
    pushes nothing: its event subscription is created here and polled."""
    from plugin.admin import setup

    request = setup.NewConnection(provider, name, callback_url, fields={
        "client_id": client_id, "client_secret": client_secret, "user_id": user_id,
        "signature_tokens": list(signature_tokens), "api_key": api_key, "subdomain": subdomain,
        "api_token": api_token, "username": username, "password": password, "field": field})
    request = _ask_for_secrets(request)
    with _app_context(must_exist=False):
        try:
            created = setup.create(request)
        except setup.InvalidField as exc:
            raise click.BadParameter(str(exc), param_hint=_option(exc.field)) from exc
        except setup.CrmRefused as exc:
            raise click.ClickException(str(exc)) from exc
    shown = created.issued.as_dict()
    if provider == "workable":  # the API token itself: never printed back
        shown["secret"] = "the API token (Workable signs webhooks with it)"
    if as_json:
        click.echo(json.dumps(shown))
        return
    for key, value in shown.items():
        click.echo(f"{key + ':':13}{value}")
    click.echo(created.next_step)


def _option(field_name: str) -> str:
    """The option that gives an API field."""
    option = "signature-token" if field_name == "signature_tokens" else field_name.replace("_", "-")
    return f"'--{option}'"


def _ask_for_secrets(request: Any) -> Any:
    """Every other field checked first (a mistake is named before anything is asked), then each missing
    secret asked for, hidden."""
    from dataclasses import replace

    from plugin.admin import setup

    secrets = setup.missing_secrets(request)
    wrong = {name: message for name, message in setup.problems(request).items() if name not in secrets}
    if wrong:
        name, message = next(iter(wrong.items()))
        raise click.BadParameter(message, param_hint=_option(name))
    asked = {name: str(click.prompt(_PROMPTS[name].format(request.provider.capitalize()), hide_input=True))
             for name in secrets}
    return replace(request, fields={**request.fields, **asked})


_PROMPTS = {"client_secret": "{} client secret", "password": "Bullhorn API user's password",
            "api_key": "Lever API key", "api_token": "Workable API token"}


@connections.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_connections(as_json: bool) -> None:
    """List the connections and their state.

    No secrets or tokens: those were shown once, when issued."""
    from plugin.admin.connections import list_all
    from plugin.storage import crm_state

    with _app_context():
        rows = [{"id": c.id, "name": c.name, "provider": c.provider, "enabled": c.enabled,
                 "webhook_url": c.webhook_url, "callback_url": c.callback_url,
                 "frame_ancestors": c.frame_ancestors, "credentials_set": c.credentials_set,
                 "crm": crm_state.status(c.id)} for c in list_all()]
    for row in rows:
        click.echo(json.dumps(row) if as_json else
                   f"{row['id']}  {'enabled ' if row['enabled'] else 'DISABLED'}  {row['name']}")


@connections.command("update")
@click.argument("connection_id")
@click.option("--frame-ancestor", "frame_ancestors", multiple=True, metavar="ORIGIN",
              help="An https origin that may show the CRM panel in a frame, e.g. "
                   "https://acme.greenhouse.io (repeat it for each; replaces the list).")
@click.option("--no-frame-ancestors", is_flag=True, help="No site may frame the CRM panel.")
def update(connection_id: str, frame_ancestors: tuple[str, ...], no_frame_ancestors: bool) -> None:
    """Set which sites may frame the CRM panel.

    The connection's https origins; the panel refuses every other frame (docs/workspace.md)."""
    from plugin.admin import connections as service
    from plugin.admin.setup import InvalidField

    if bool(frame_ancestors) == no_frame_ancestors:
        raise click.UsageError("give --frame-ancestor (one or more) or --no-frame-ancestors")
    with _app_context():
        try:
            updated = service.update(connection_id, frame_ancestors=list(frame_ancestors))
        except service.NoSuchConnection:
            raise click.ClickException(f"no connection {connection_id}") from None
        except InvalidField as exc:
            raise click.BadParameter(str(exc), param_hint="'--frame-ancestor'") from exc
    click.echo(f"frame ancestors: {' '.join(updated.frame_ancestors) or 'none (the panel cannot be framed)'}")


@connections.command("show")
@click.argument("connection_id")
def show(connection_id: str) -> None:
    """Show one connection and its operations status, as JSON.

    Last event, last reconciliation and its result, recent failures with their reason, dead-lettered
    write-backs; which CRM credentials are set, never their values."""
    from plugin.admin import connections as service
    from schemas.connections import ConnectionDetailSchema

    with _app_context():
        try:
            shown = ConnectionDetailSchema().dump(service.show(connection_id))
        except service.NoSuchConnection:
            raise click.ClickException(f"no connection {connection_id}") from None
    click.echo(json.dumps(shown, indent=2))


def _single(name: str, help_text: str, action: Callable[[Any], str]) -> None:
    """Register `passion connections NAME ID`, which runs `action` on the connection."""

    @connections.command(name, help=help_text)
    @click.argument("connection_id")
    def command(connection_id: str) -> None:
        with _app_context():
            click.echo(action(_connection(connection_id)))


def _rotate(connection: Any) -> str:
    from plugin.storage.connections import rotate_secret

    return f"new signing secret: {rotate_secret(connection)} (the previous one still verifies)"


def _drop(connection: Any) -> str:
    from plugin.storage.connections import drop_old_secrets

    drop_old_secrets(connection)
    return "only the newest signing secret verifies now"


def _new_token(connection: Any) -> str:
    from plugin.storage.connections import reissue_token

    return f"new API token: {reissue_token(connection).token} (the old one no longer works)"


def _enable(enabled: bool) -> Callable[[Any], str]:
    def action(connection: Any) -> str:
        from plugin.admin.connections import set_enabled

        set_enabled(connection.id, enabled)
        return f"{connection.id} {'enabled' if enabled else 'disabled'}"

    return action


_single("rotate-secret", "Add a new signing secret (the old one still verifies).\n\n"
        "The old one keeps working until drop-old-secrets, so the CRM can switch at its pace.", _rotate)
_single("drop-old-secrets", "End a secret rotation: only the newest secret verifies.", _drop)
_single("new-token", "Issue a new API token (the old one stops at once).", _new_token)
_single("disable", "Refuse every webhook and API call of this connection.", _enable(False))
_single("enable", "Accept this connection's webhooks and API calls again.", _enable(True))
