"""The CRM's side of the OpenAPI document: the inbound webhook route and the candidate.analyzed write-back.

plugin/receiving/webhooks.py is a plain Flask blueprint (it must read the raw body to check the signature), so
flask-smorest has no decorators to document it from. It is described here with the marshmallow schemas that
validate it (schemas/webhooks.py, schemas/history.py), which the marshmallow plugin turns into components, so
the document cannot drift from validation; tests/web/test_openapi_document.py checks the rest.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from plugin.extensions import api
from plugin.queue import DELIVERY_MAX_RETRIES
from plugin.receiving.webhooks import MAX_DELIVERY_ID_CHARS
from schemas.webhooks import (
    ANALYZED_EVENT,
    DELETE_EVENTS,
    HISTORY_EVENTS,
    AnalyzedEventSchema,
    DeliveryAcceptedSchema,
    DeliveryDuplicateSchema,
    ErasureEventSchema,
    HistoryEventSchema,
)

TAG = "CRM webhooks"
INBOUND_ENDPOINT = "webhooks.receive"  # plugin/receiving/webhooks.py: its URL rule gives the documented path

_SIGNING = """\
Both directions are signed the [Standard Webhooks](https://www.standardwebhooks.com/) way:

- The secret is the connection's `whsec_…` string, printed by `passion connections create`; the HMAC key \
is the base64 text after `whsec_`, decoded.
- The signed content is `id.timestamp.body`: the `webhook-id` header, a full stop, the \
`webhook-timestamp` header, a full stop, and the raw body bytes exactly as sent.
- The signature is HMAC-SHA256 of that content, base64-encoded and prefixed `v1,`. `webhook-signature` \
holds one or more of them, separated by spaces; one matching signature is enough.
- `webhook-timestamp` is the signing time in Unix seconds. We refuse a delivery whose timestamp is more \
than {tolerance} seconds from our clock, which bounds replays; check ours the same way.

Any Standard Webhooks library signs and verifies this (e.g. `standardwebhooks`, `svix`)."""

_INBOUND = """\
Send a candidate's job history when it is created or changes, and their erasure. The answer comes before \
any analysis: the delivery is checked, stored and queued, and the result is written back later \
(`candidate.analyzed`, under `webhooks`). No API token is used here: the signature authenticates.

Checks, in this order: unknown connection (404), `Content-Type` (415), body size (413) and arrival \
(408), signature and timestamp (401), disabled connection (403, told only to a correctly signed delivery), \
`webhook-id` (400), JSON (400), schema (422); then a `webhook-id` already seen (200), else 202.

Send a retry with the same `webhook-id`, and each new event with a new one. Give each event a `timestamp` \
(when it happened in the CRM), so that a late delivery never overwrites a newer one. The body may also be \
labelled `application/*+json`, with no charset or UTF-8; fields not documented here are ignored.

{signing}

During a secret rotation (`passion connections rotate-secret`), deliveries signed with the old or the \
new secret are both accepted until `passion connections drop-old-secrets`."""

_OUTBOUND = """\
When the connection has a callback URL (`passion connections create --callback-url URL`), each analysis \
of the candidate's current history is POSTed there as JSON, signed like the deliveries you send us, with \
every active secret: during a rotation `webhook-signature` carries one `v1,` signature per secret, \
space-separated, so either secret verifies it. The URL must be https (and reach no internal address) \
unless the operator allows otherwise.

`webhook-id` is `msg_analysis_<analysis id>` and stays the same across our retries: a retry after a lost \
answer may reach you twice, so ignore an id you have already processed. An analysis of a history version \
that has changed since is not sent: the newer version's analysis follows.

Your answer: any 2xx means delivered; we read at most 64 KB of its body and never follow a redirect (a 3xx \
is not retried). 429, 5xx, no complete answer within {timeout} s and network errors are retried \
with exponential backoff (from 2 s, doubling, with jitter, and never sooner than your `Retry-After` up to \
a cap of at most 10 minutes), up to {retries} retries. Any other 4xx is not retried. A write-back that \
is not retried or runs out of retries is dead-lettered: the API shows \
`latest_analysis.delivery_status: dead`, and `passion replay` sends it again.

{signing}"""


def _header(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": True, "description": description, "schema": schema}


def _signature_headers(msg_id: str) -> list[dict[str, Any]]:
    return [
        _header("webhook-id", msg_id, {"type": "string", "minLength": 1}),
        _header("webhook-timestamp", "Unix time in seconds when the delivery was signed",
                {"type": "string", "pattern": "^[0-9]+$"}),
        _header("webhook-signature", "`v1,` and the base64 HMAC-SHA256 signature; several separated "
                                     "by spaces", {"type": "string", "minLength": 1}),
    ]


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description,
                                "content": {"application/json": {"schema": api.ERROR_SCHEMA}}}
    if headers:
        response["headers"] = headers
    return response


_RETRY_AFTER = {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}

_EXAMPLES = {
    "created": {"summary": "A new candidate with their jobs", "value": {
        "type": "candidate.created", "timestamp": "2026-11-25T10:00:00Z",
        "data": {"candidate_id": "crm-42", "jobs": [
            {"title": "Law Clerk", "employer": "Hale & Partners", "start": "2021-02", "end": None,
             "description": "Research and memos for two partners.",
             "likes": ["digging through case law", "writing memos"],
             "dislikes": ["billing clients by the hour"]},
            {"title": "Paralegal", "employer": "City Legal Aid", "start": "2018-09", "end": "2021-01",
             "likes": ["legal research"], "dislikes": ["cold calling"]}]}}},
    "deleted": {"summary": "An erasure", "value": {
        "type": "candidate.deleted", "timestamp": "2026-11-26T08:30:00Z",
        "data": {"candidate_id": "crm-42"}}},
}


def _inbound_operation(app: Flask) -> dict[str, Any]:
    signing = _SIGNING.format(tolerance=app.config["WEBHOOK_TOLERANCE_SECONDS"])
    limit = app.config["MAX_CONTENT_LENGTH"]
    history_ref = "#/components/schemas/HistoryEvent"
    erasure_ref = "#/components/schemas/ErasureEvent"
    return {
        "tags": [TAG],
        "operationId": "receiveCrmEvent",
        "summary": "Receive a signed CRM event (Standard Webhooks)",
        "description": _INBOUND.format(signing=signing),
        "security": [],  # the signature authenticates; the API's bearer token is not used here
        "parameters": _signature_headers(
            f"The delivery's unique id (at most {MAX_DELIVERY_ID_CHARS} characters); the same id again "
            "is answered 200 and changes nothing"),
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {
                "oneOf": [HistoryEventSchema, ErasureEventSchema],
                "discriminator": {"propertyName": "type", "mapping": {
                    **dict.fromkeys(HISTORY_EVENTS, history_ref),
                    **dict.fromkeys(DELETE_EVENTS, erasure_ref)}},
            },
            "examples": _EXAMPLES,
        }}},
        "responses": {
            "200": {"description": "A `webhook-id` already received: nothing was done",
                    "content": {"application/json": {"schema": DeliveryDuplicateSchema}}},
            "202": {"description": "Stored (`accepted`) and an analysis queued if the history changed; or "
                                   "`stale`, older than what the candidate already reflects, and ignored",
                    "content": {"application/json": {"schema": DeliveryAcceptedSchema}}},
            "400": _error("The body is not strict UTF-8 JSON (NaN, Infinity and a byte-order mark are "
                          f"refused), or `webhook-id` is longer than {MAX_DELIVERY_ID_CHARS} characters or "
                          "holds a control character; `errors` names `body` or the header"),
            "401": _error("A signature header is missing, no `v1` signature matches an active secret, or "
                          "`webhook-timestamp` is not Unix seconds within the tolerance"),
            "403": _error("The connection is disabled (said only to a correctly signed delivery)"),
            "404": _error("Unknown connection"),
            "408": _error("The body stopped arriving for longer than the server waits: send it again"),
            "413": _error(f"The body is larger than {limit} bytes"),
            "415": _error("`Content-Type` is missing or is not JSON in UTF-8"),
            "422": _error("The body breaks the schema; `errors.json` maps each field path (e.g. "
                          "`data.jobs[1].start`) to its messages"),
            "503": _error("Nothing was stored: the database is unavailable, or too many analyses are "
                          "waiting (`PASSION_INTAKE_MAX_BACKLOG`); retry after `Retry-After` seconds",
                          headers={"Retry-After": _RETRY_AFTER}),
        },
    }


def _outbound_operation(app: Flask) -> dict[str, Any]:
    signing = _SIGNING.format(tolerance=app.config["WEBHOOK_TOLERANCE_SECONDS"])
    crm_retry_after = {"description": "When to retry: seconds or an HTTP date", "schema": {"type": "string"}}
    return {
        "tags": [TAG],
        "operationId": "candidateAnalyzed",
        "summary": "candidate.analyzed: the analysis, written back to your callback URL",
        "description": _OUTBOUND.format(signing=signing, retries=DELIVERY_MAX_RETRIES,
                                        timeout=f"{app.config['WRITEBACK_TIMEOUT_SECONDS']:g}"),
        "security": [],
        "parameters": _signature_headers(
            "`msg_analysis_<analysis id>`: the same on every retry of one write-back, so deduplicate "
            "on it"),
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": AnalyzedEventSchema}}},
        "responses": {
            "2XX": {"description": "Delivered; nothing more is sent for this analysis"},
            "429": {"description": "Retried later, not sooner than `Retry-After`",
                    "headers": {"Retry-After": crm_retry_after}},
            "5XX": {"description": "Retried later with backoff (so are timeouts and network errors), "
                                   "not sooner than `Retry-After`",
                    "headers": {"Retry-After": crm_retry_after}},
            "4XX": {"description": "Refused (any 4xx but 429): not retried; the write-back is "
                                   "dead-lettered until `passion replay`"},
        },
    }


def register_webhook_docs(app: Flask) -> None:
    """Add the webhook route to `paths` and candidate.analyzed to OpenAPI 3.1's `webhooks`."""
    api.spec.tag({"name": TAG, "description": "What a CRM sends us, and what we send back to it. Both "
                                              "directions are signed with the connection's secret."})
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == INBOUND_ENDPOINT)
    connection_id = {"name": "connection_id", "in": "path", "required": True,
                     "description": "The connection's id, in the webhook URL that `passion connections "
                                    "create` prints"}
    api.spec.path(rule=rule, operations={"post": _inbound_operation(app)}, parameters=[connection_id])
    outbound = {"post": _outbound_operation(app)}
    # apispec has no `webhooks` of its own: resolve the schemas as path() would, and add it as a top-level
    # key (APISpec merges its options into the document)
    api.ma_plugin.resolver.resolve_operations(outbound)
    api.spec.options["webhooks"] = {ANALYZED_EVENT: outbound}
