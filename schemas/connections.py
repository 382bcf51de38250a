"""Setting up CRM connections (the admin API, and the CLI's same rules) and their operations status.

Which fields each provider takes is data here, read by the one service that creates connections
(plugin/admin/setup.py): the admin API's schema and `passion connections create` cannot drift apart."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from schemas.api import UtcDateTime
from schemas.panel import MAX_FRAME_ANCESTORS

PROVIDERS = ("standard", "greenhouse", "lever", "workable", "bullhorn")
# field -> required? per provider; any field not listed for a provider is refused by name
PROVIDER_FIELDS: dict[str, dict[str, bool]] = {
    "standard": {},
    "greenhouse": {"client_id": True, "client_secret": True, "user_id": False},
    "lever": {"signature_tokens": True, "api_key": True},
    "workable": {"subdomain": True, "api_token": True},
    "bullhorn": {"client_id": True, "client_secret": True, "username": True, "password": True,
                 "field": True},
}
# never shown back, never logged; the CLI asks for them hidden when not given
SECRET_FIELDS = ("client_secret", "password", "api_key", "api_token")
MAX_SIGNATURE_TOKENS = 20
_credential = fields.String(validate=validate.Length(min=1, max=500))


class ConnectionCreateSchema(Schema):
    """A new connection: its provider's credentials are checked against the CRM before anything is
    stored. Fields that are not the provider's are refused by name (422)."""

    class Meta:
        unknown = RAISE

    provider = fields.String(required=True, validate=validate.OneOf(PROVIDERS),
                             metadata={"description": "Which CRM (its connector)."})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200),
                         metadata={"description": "A name the recruiters recognise."})
    callback_url = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                                 metadata={"description": "standard: where candidate.analyzed events "
                                                          "are POSTed (https, public unless allowed)."})
    client_id = _credential
    client_secret = fields.String(validate=validate.Length(min=1, max=500), load_only=True,
                                  metadata={"description": "Greenhouse or Bullhorn: never shown back."})
    user_id = fields.String(validate=validate.Length(min=1, max=100),
                            metadata={"description": "Greenhouse: the user the integration acts as."})
    signature_tokens = fields.List(fields.String(validate=validate.Length(min=1, max=500)),
                                   validate=validate.Length(min=1, max=MAX_SIGNATURE_TOKENS),
                                   load_only=True,
                                   metadata={"description": "Lever: each webhook's signature token."})
    api_key = fields.String(validate=validate.Length(min=1, max=500), load_only=True,
                            metadata={"description": "Lever: the API key; never shown back."})
    subdomain = fields.String(validate=validate.Length(min=1, max=63),
                              metadata={"description": "Workable: SUBDOMAIN in https://SUBDOMAIN.workable.com."})
    api_token = fields.String(validate=validate.Length(min=1, max=500), load_only=True,
                              metadata={"description": "Workable: the API token (it also signs the "
                                                       "webhooks); never shown back."})
    username = fields.String(validate=validate.Length(min=1, max=200),
                             metadata={"description": "Bullhorn: the API user's username."})
    password = fields.String(validate=validate.Length(min=1, max=500), load_only=True,
                             metadata={"description": "Bullhorn: the API user's password; never shown back."})
    field = fields.String(validate=validate.Length(min=1, max=40),
                          metadata={"description": "Bullhorn: the candidate field for the themes "
                                                   "(customText1-40 or customTextBlock1-10)."})


class ConnectionUpdateSchema(Schema):
    """What an operator may change on a connection (the CLI's `connections update`)."""

    class Meta:
        unknown = RAISE

    frame_ancestors = fields.List(fields.String(validate=[validate.Length(min=1, max=300),
                                                          validate.Regexp(r"^https://")],
                                                metadata={"description": "https://host[:port], a host "
                                                                         "name with a dot, no path"}),
                                  required=True,
                                  validate=validate.Length(max=MAX_FRAME_ANCESTORS),
                                  metadata={"description": "https origins that may frame the CRM panel "
                                                           "(replaces the list; [] for none)."})


class FailureSchema(Schema):
    at = UtcDateTime(metadata={"description": "When it failed."})
    what = fields.String(metadata={"description": "write-back, CRM call or reconciliation."})
    reason = fields.String(metadata={"description": "Why, in words (no personal data)."})


class ReconciliationSchema(Schema):
    succeeded_at = UtcDateTime(allow_none=True, metadata={"description": "The last that succeeded."})
    changed = fields.Integer(allow_none=True,
                             metadata={"description": "Candidates that one found changed and fetched."})
    failed_at = UtcDateTime(allow_none=True, metadata={"description": "The last that failed."})
    error = fields.String(allow_none=True, metadata={"description": "Why it failed."})
    ok = fields.Boolean(allow_none=True, metadata={
        "description": "Whether the newest attempt succeeded; null before the first, or for a connector "
                       "that does not read its CRM."})


class ConnectionStatusSchema(Schema):
    """Where a connection stands: counts, times and reasons only, never a candidate's data."""

    reads_crm = fields.Boolean(metadata={"description": "Whether its connector reads the CRM's API "
                                                         "(and so reconciles)."})
    last_event_at = UtcDateTime(allow_none=True, metadata={"description": "The last webhook accepted."})
    events_last_day = fields.Integer(metadata={"description": "Webhook deliveries accepted in 24 hours."})
    reconciliation = fields.Nested(ReconciliationSchema)
    dead_letters = fields.Integer(metadata={"description": "Write-backs that gave up (`passion replay` "
                                                           "retries them)."})
    pending_write_backs = fields.Integer(metadata={"description": "Write-backs still to be sent."})
    crm_refusals = fields.Integer(metadata={"description": "CRM calls refused for good since the "
                                                           "connection was made."})
    recent_failures = fields.List(fields.Nested(FailureSchema),
                                  metadata={"description": "The last few, newest first."})


class ConnectionSchema(Schema):
    """A connection as an operator sees it: which credentials are set, never their values."""

    id = fields.String()
    name = fields.String()
    provider = fields.String()
    enabled = fields.Boolean()
    webhook_url = fields.String(metadata={"description": "Register it in the CRM (unused for Bullhorn)."})
    callback_url = fields.String(allow_none=True)
    frame_ancestors = fields.List(fields.String())
    credentials_set = fields.List(fields.String(), metadata={
        "description": "Names of the CRM credentials stored (encrypted); their values are never shown."})
    created_at = UtcDateTime()


class ConnectionDetailSchema(ConnectionSchema):
    status = fields.Nested(ConnectionStatusSchema)


class CreatedConnectionSchema(Schema):
    """Shown once: only hashes or ciphertexts are kept."""

    id = fields.String()
    provider = fields.String()
    webhook_url = fields.String(metadata={"description": "The URL to register in the CRM."})
    secret = fields.String(allow_none=True, metadata={
        "description": "The signing secret for the CRM's webhooks; null when the CRM issued it (Lever's "
                       "signature tokens, Workable's API token), so it is not sent back."})
    token = fields.String(metadata={"description": "The connection's API token for the recruiters' API "
                                                   "and pages; not retrievable again."})
    next_step = fields.String(metadata={"description": "What to do in the CRM now."})
