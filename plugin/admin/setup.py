"""Creating a connection: the provider's fields checked (schemas.connections.PROVIDER_FIELDS), its CRM
credentials tried against the CRM, Bullhorn's event subscription made, then the row stored. The one path
for `passion connections create` and `POST /api/admin/connections`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from plugin.outbound import RefusedURL
from plugin.receiving.connectors import CrmAccount, CrmError
from plugin.storage.connections import IssuedConnection, create_connection
from schemas.connections import PROVIDER_FIELDS, SECRET_FIELDS

# what the CRM's admin does next, shown by the CLI and returned by the API
NEXT_STEPS = {
    "standard": "Configure the CRM to POST signed events to the webhook URL with the secret.",
    "greenhouse": "In Greenhouse (Configure > Dev Center > Web Hooks), create one web hook per event "
                  "(update_candidate, new_candidate_application, new_prospect_application, "
                  "delete_candidate, merge_candidate, candidate_anonymized) with the webhook URL "
                  "above as Endpoint URL and the secret above as Secret key.",
    "lever": "In Lever (Settings > Integrations and API > Webhooks), send the contact and candidate "
             "events (applicationCreated, candidateStageChange, candidateArchiveChange, "
             "candidateHired, candidateDeleted, contactCreated, contactUpdated) to the webhook URL "
             "above; each webhook's signature token must be one given when the connection was made.",
    "workable": "In Workable, subscribe the webhook URL above to candidate_created and to "
                "candidate_moved with POST /spi/v3/subscriptions (docs/connectors.md, \"Workable\"); "
                "subscriptions expire (valid_until), and the reconciliation sweep covers the gap.",
    "bullhorn": "Bullhorn sends no webhooks: the worker's beat polls the event subscription created "
                "just now, so the webhook URL and secret above are not used.",
}
_CREDENTIAL_WORD = {"lever": "API key", "workable": "API token", "bullhorn": "login"}


class InvalidField(ValueError):
    """A field missing, misplaced or malformed; `field` is its name in the API (the CLI's option)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


class CrmRefused(Exception):
    """The CRM refused the credentials or could not be reached (`retryable`); nothing was stored."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class NewConnection:
    provider: str
    name: str
    callback_url: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # the provider's, by PROVIDER_FIELDS name


@dataclass(frozen=True)
class CreatedConnection:
    issued: IssuedConnection
    provider: str
    secret_from_crm: bool  # the CRM issued the signing secret (Lever, Workable): not to be sent back
    next_step: str


def problems(request: NewConnection) -> dict[str, str]:
    """Each field the provider does not take, or needs and lacks, or that is malformed, with why."""
    wanted = PROVIDER_FIELDS[request.provider]
    found: dict[str, str] = {}
    for name, value in request.fields.items():
        if value in (None, "", [], ()):
            continue
        if name not in wanted:
            takers = " and ".join(p for p, names in PROVIDER_FIELDS.items() if name in names)
            found[name] = f"is for {takers}, not {request.provider}"
    for name, required in wanted.items():
        if required and request.fields.get(name) in (None, "", [], ()):
            found[name] = f"required for provider {request.provider}"
    found.update(_malformed(request))
    return found


def missing_secrets(request: NewConnection) -> list[str]:
    """The provider's secrets not given: the CLI asks for them hidden."""
    wanted = PROVIDER_FIELDS[request.provider]
    return [name for name in SECRET_FIELDS if name in wanted and not request.fields.get(name)]


def _malformed(request: NewConnection) -> dict[str, str]:
    from plugin.receiving.connectors.bullhorn.field import FIELD
    from plugin.receiving.connectors.workable.api import SUBDOMAIN

    given = request.fields
    found = {}
    if request.provider == "bullhorn" and given.get("field") and not FIELD.fullmatch(given["field"]):
        found["field"] = "must be customText1-40 or customTextBlock1-10"
    subdomain = str(given.get("subdomain") or "").strip().lower()
    if request.provider == "workable" and subdomain and not SUBDOMAIN.fullmatch(subdomain):
        found["subdomain"] = "must be the account's subdomain: letters, digits and hyphens"
    return found


def create(request: NewConnection) -> CreatedConnection:
    """Check, try the credentials (no transaction open meanwhile), subscribe, store. InvalidField or
    CrmRefused, and then nothing is stored."""
    wrong = problems(request)
    if wrong:
        name, message = next(iter(wrong.items()))
        raise InvalidField(name, message)
    credentials, vendor_secrets = _credentials(request)
    if credentials:
        client = _checked_client(request.provider, credentials)
        if request.provider == "bullhorn":
            _subscribe(client, credentials["subscription_id"])
    try:
        issued = create_connection(provider=request.provider, name=request.name,
                                   callback_url=request.callback_url, credentials=credentials,
                                   vendor_secrets=vendor_secrets)
    except RefusedURL as exc:
        raise InvalidField("callback_url", str(exc)) from exc
    return CreatedConnection(issued, request.provider, secret_from_crm=vendor_secrets is not None,
                             next_step=NEXT_STEPS[request.provider])


def _credentials(request: NewConnection) -> tuple[dict[str, str] | None, list[str] | None]:
    """The CRM credentials to store, and the signing secrets the CRM issued (None: generate one)."""
    given = {name: value for name, value in request.fields.items() if value not in (None, "", [], ())}
    if request.provider == "lever":
        return {"api_key": given["api_key"]}, list(given["signature_tokens"])
    if request.provider == "workable":
        token = given["api_token"]  # Workable signs webhooks with the API token
        return {"subdomain": given["subdomain"].strip().lower(), "api_token": token}, [token]
    if request.provider == "bullhorn":
        from plugin.receiving.connectors.bullhorn.poll import new_subscription_id

        return {**given, "subscription_id": new_subscription_id()}, None
    return (given or None), None


def _checked_client(provider: str, credentials: dict[str, str]) -> Any:
    """One small read against the CRM (after logging in where it wants that); the client, logged in."""
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
        what = _CREDENTIAL_WORD.get(provider, "credentials")
        raise CrmRefused(f"the {client.vendor} {what} did not work: {exc}", retryable=exc.retryable) from exc
    return client


def _subscribe(client: Any, subscription_id: str) -> None:
    """Bullhorn's event subscription, which the worker polls, made before anything is stored."""
    from plugin.receiving.connectors.bullhorn.poll import subscribe

    try:
        subscribe(client, subscription_id)
    except CrmError as exc:
        raise CrmRefused(f"the Bullhorn event subscription was not created: {exc}",
                         retryable=exc.retryable) from exc
