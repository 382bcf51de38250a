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
    from plugin.outbound import RefusedURL
    from plugin.storage.connections import create_connection

    if (provider == "lever") != bool(signature_tokens):
        raise click.BadParameter("required for --provider lever, and only for it",
                                 param_hint="'--signature-token'")
    if api_key and provider != "lever":
        raise click.UsageError(f"--api-key is for lever, not {provider}")
    if (subdomain or api_token) and provider != "workable":
        raise click.UsageError(f"--subdomain and --api-token are for workable, not {provider}")
    if (username or password or field) and provider != "bullhorn":
        raise click.UsageError(f"--username, --password and --field are for bullhorn, not {provider}")
    credentials = _crm_credentials(provider, client_id, client_secret, user_id)
    vendor_secrets = list(signature_tokens) or None
    if provider == "lever":
        credentials = _lever_credentials(api_key)
    if provider == "workable":
        credentials = _workable_credentials(subdomain, api_token)
        vendor_secrets = [credentials["api_token"]]  # Workable signs webhooks with the API token
    if provider == "bullhorn":
        credentials = _bullhorn_credentials(credentials or {}, username, password, field)
    with _app_context(must_exist=False):
        checked = _check_credentials(provider, credentials) if credentials else None
        if provider == "bullhorn" and credentials:
            _subscribe(checked, credentials["subscription_id"])
        try:
            issued = create_connection(provider=provider, name=name, callback_url=callback_url,
                                       credentials=credentials, vendor_secrets=vendor_secrets)
        except RefusedURL as exc:
            raise click.BadParameter(str(exc), param_hint="'--callback-url'") from exc
    shown = issued.as_dict()
    if provider == "workable":  # the API token itself: never printed back
        shown["secret"] = "the API token (Workable signs webhooks with it)"
    if as_json:
        click.echo(json.dumps(shown))
        return
    for key, value in shown.items():
        click.echo(f"{key + ':':13}{value}")
    if provider == "greenhouse":
        click.echo("In Greenhouse (Configure > Dev Center > Web Hooks), create one web hook per event "
                   "(update_candidate, new_candidate_application, new_prospect_application, "
                   "delete_candidate, merge_candidate, candidate_anonymized) with the webhook URL "
                   "above as Endpoint URL and the secret above as Secret key.")
    if provider == "lever":
        click.echo("In Lever (Settings > Integrations and API > Webhooks), send the contact and candidate "
                   "events (applicationCreated, candidateStageChange, candidateArchiveChange, "
                   "candidateHired, candidateDeleted, contactCreated, contactUpdated) to the webhook URL "
                   "above; each webhook's signature token must be one given with --signature-token.")
    if provider == "workable":
        click.echo("In Workable, subscribe the webhook URL above to candidate_created and to "
                   "candidate_moved with POST /spi/v3/subscriptions (docs/connectors.md, \"Workable\"); "
                   "subscriptions expire (valid_until), and the reconciliation sweep covers the gap.")
    if provider == "bullhorn":
        click.echo("Bullhorn sends no webhooks: the worker's beat polls the event subscription created "
                   "just now, so the webhook URL and secret above are not used.")


def _crm_credentials(provider: str, client_id: str | None, client_secret: str | None,
                     user_id: str | None) -> dict[str, str] | None:
    """The CRM API's credentials a provider needs; a missing one is named, the secret asked for."""
    if provider not in ("greenhouse", "bullhorn"):
        if client_id or client_secret or user_id:
            raise click.UsageError(f"--client-id, --client-secret and --user-id are for greenhouse and "
                                   f"bullhorn, not {provider}")
        return None
    if user_id and provider != "greenhouse":
        raise click.UsageError(f"--user-id is for greenhouse, not {provider}")
    if not client_id:
        raise click.BadParameter(f"required for --provider {provider}", param_hint="'--client-id'")
    if not client_secret:
        client_secret = click.prompt(f"{provider.capitalize()} client secret", hide_input=True)
    credentials = {"client_id": client_id, "client_secret": str(client_secret)}
    if user_id:
        credentials["user_id"] = user_id
    return credentials


def _bullhorn_credentials(credentials: dict[str, str], username: str | None, password: str | None,
                          field: str | None) -> dict[str, str]:
    """The API user's login (the password asked for, hidden, when not given), the field for the themes,
    and a new event-subscription id."""
    from plugin.receiving.connectors.bullhorn.field import FIELD
    from plugin.receiving.connectors.bullhorn.poll import new_subscription_id

    if not username:
        raise click.BadParameter("required for --provider bullhorn", param_hint="'--username'")
    if not field or not FIELD.fullmatch(field):
        raise click.BadParameter("required for --provider bullhorn: customText1-40 or "
                                 "customTextBlock1-10", param_hint="'--field'")
    if not password:
        password = click.prompt("Bullhorn API user's password", hide_input=True)
    return {**credentials, "username": username, "password": str(password), "field": field,
            "subscription_id": new_subscription_id()}


def _subscribe(client: Any, subscription_id: str) -> None:
    """Create the event subscription the worker polls, in the session just checked, before anything is
    stored."""
    from plugin.receiving.connectors import CrmError
    from plugin.receiving.connectors.bullhorn.poll import subscribe

    try:
        subscribe(client, subscription_id)
    except CrmError as exc:
        raise click.ClickException(f"the Bullhorn event subscription was not created: {exc}") from exc


def _lever_credentials(api_key: str | None) -> dict[str, str]:
    """Lever's API key, asked for (hidden) when neither the option nor the variable gives it."""
    if not api_key:
        api_key = click.prompt("Lever API key", hide_input=True)
    return {"api_key": str(api_key)}


def _workable_credentials(subdomain: str | None, api_token: str | None) -> dict[str, str]:
    """Workable's subdomain (a DNS label) and API token, the token asked for (hidden) when neither the
    option nor the variable gives it."""
    from plugin.receiving.connectors.workable.api import SUBDOMAIN

    if not subdomain:
        raise click.BadParameter("required for --provider workable", param_hint="'--subdomain'")
    subdomain = subdomain.strip().lower()
    if not SUBDOMAIN.fullmatch(subdomain):
        raise click.BadParameter("must be the account's subdomain: letters, digits and hyphens",
                                 param_hint="'--subdomain'")
    if not api_token:
        api_token = click.prompt("Workable API token", hide_input=True)
    return {"subdomain": subdomain, "api_token": str(api_token)}


def _check_credentials(provider: str, credentials: dict[str, str]) -> Any:
    """One small read against the CRM (Greenhouse: after getting a token), before anything is stored;
    the client, logged in."""
    from flask import current_app

    from plugin.receiving.connectors import CrmAccount, CrmError
    from plugin.receiving.connectors.bullhorn.api import BullhornClient
    from plugin.receiving.connectors.greenhouse.harvest import HarvestClient
    from plugin.receiving.connectors.lever.api import LeverClient
    from plugin.receiving.connectors.workable.api import WorkableClient

    client_class = {"greenhouse": HarvestClient, "lever": LeverClient, "workable": WorkableClient,
                    "bullhorn": BullhornClient}[provider]
    client = client_class(CrmAccount("new", provider, credentials), current_app.config, shared=False)
    try:
        client.check_credentials()
    except CrmError as exc:
        what = {"lever": "API key", "workable": "API token", "bullhorn": "login"}.get(provider, "credentials")
        raise click.ClickException(f"the {client.vendor} {what} did not work: {exc}") from exc
    return client


@connections.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_connections(as_json: bool) -> None:
    """List the connections and their state.

    No secrets or tokens: those were shown once, when issued."""
    from plugin.extensions import db
    from plugin.storage import crm_state
    from plugin.storage.connections import webhook_url
    from plugin.storage.models import Connection

    with _app_context():
        rows = [{"id": c.id, "name": c.name, "provider": c.provider, "enabled": c.enabled,
                 "webhook_url": webhook_url(c.id), "callback_url": c.callback_url,
                 "frame_ancestors": c.frame_ancestor_origins, "crm": crm_state.status(c.id)}
                for c in db.session.scalars(db.select(Connection).order_by(Connection.created_at))]
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
    from plugin.storage.connections import set_frame_ancestors

    if bool(frame_ancestors) == no_frame_ancestors:
        raise click.UsageError("give --frame-ancestor (one or more) or --no-frame-ancestors")
    with _app_context():
        try:
            stored = set_frame_ancestors(_connection(connection_id), list(frame_ancestors))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="'--frame-ancestor'") from exc
    click.echo(f"frame ancestors: {' '.join(stored) or 'none (the panel cannot be framed)'}")


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
        from plugin.storage.connections import set_enabled

        set_enabled(connection, enabled)
        return f"{connection.id} {'enabled' if enabled else 'disabled'}"

    return action


_single("rotate-secret", "Add a new signing secret (the old one still verifies).\n\n"
        "The old one keeps working until drop-old-secrets, so the CRM can switch at its pace.", _rotate)
_single("drop-old-secrets", "End a secret rotation: only the newest secret verifies.", _drop)
_single("new-token", "Issue a new API token (the old one stops at once).", _new_token)
_single("disable", "Refuse every webhook and API call of this connection.", _enable(False))
_single("enable", "Accept this connection's webhooks and API calls again.", _enable(True))
