"""The OpenAPI document describes what a CRM integrator sees: the signed webhook route and the signed
candidate.analyzed write-back, with schemas that real deliveries, answers and write-backs satisfy."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator, oas31_format_checker
from openapi_spec_validator import validate as validate_openapi

from plugin.extensions import db
from plugin.storage.connections import set_enabled
from plugin.storage.models import Candidate, Connection
from schemas.webhooks import (
    AnalyzedEventSchema,
    AnalyzedFieldsSchema,
    ErasureEventSchema,
    HistoryEventSchema,
    StandardEventSchema,
)
from tests.webhook_sender import event, history, signed_delivery
from workers import pipeline

INBOUND = "/webhooks/{connection_id}"
ANSWERS = {"200", "202", "400", "401", "403", "404", "408", "413", "415", "422", "503"}


@pytest.fixture
def spec(client) -> dict[str, Any]:
    return client.get("/openapi.json").json


def _errors(spec: dict[str, Any], instance: Any, schema: dict[str, Any]) -> list[str]:
    """What keeps `instance` from matching a schema of the document (its refs resolved in the document)."""
    rooted = {**schema, "components": spec["components"]}  # "#/components/..." resolves against the root
    validator = OAS31Validator(rooted, format_checker=oas31_format_checker)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


def _inbound(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["paths"][INBOUND]["post"]


def _outbound(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["webhooks"]["candidate.analyzed"]["post"]


def _body_schema(operation: dict[str, Any]) -> dict[str, Any]:
    return operation["requestBody"]["content"]["application/json"]["schema"]


def _answer_schema(operation: dict[str, Any], status: int) -> dict[str, Any]:
    return operation["responses"][str(status)]["content"]["application/json"]["schema"]


def _assert_headers_documented(spec: dict[str, Any], operation: dict[str, Any],
                               headers: dict[str, str]) -> None:
    sent = {name.lower(): value for name, value in headers.items()}
    for parameter in operation["parameters"]:
        if parameter["in"] == "header":
            assert parameter["required"] and parameter["name"] in sent, parameter["name"]
            assert not _errors(spec, sent[parameter["name"]], parameter["schema"]), parameter["name"]


def _refs(node: Any) -> list[str]:
    """Every `$ref` in the document (the discriminator's mapping holds refs too)."""
    found: list[str] = []
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            found.append(node["$ref"])
        if "propertyName" in node and "mapping" in node:
            found.extend(node["mapping"].values())
        children: Any = node.values()
    else:
        children = node if isinstance(node, list) else []
    for child in children:
        found.extend(_refs(child))
    return found


def _resolve(spec: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = spec
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_the_document_is_valid_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1.")
    validate_openapi(spec)  # raises, naming the place, when it is not


def test_every_ref_resolves(spec):
    refs = _refs(spec)
    assert "#/components/schemas/HistoryEvent" in refs and "#/components/schemas/AnalyzedEvent" in refs
    for ref in refs:
        assert isinstance(_resolve(spec, ref), dict), ref


def test_the_webhook_route_is_documented(spec):
    operation = _inbound(spec)
    assert operation["security"] == []  # signed, not bearer-authenticated
    assert {p["name"] for p in operation["parameters"] if p["in"] == "header" and p["required"]} == {
        "webhook-id", "webhook-timestamp", "webhook-signature"}
    assert [p["name"] for p in spec["paths"][INBOUND]["parameters"]] == ["connection_id"]
    assert set(operation["responses"]) == ANSWERS
    assert operation["responses"]["503"]["headers"]["Retry-After"]
    for words in ("HMAC-SHA256", "`id.timestamp.body`", "`v1,`", "whsec_", "300 seconds", "rotation"):
        assert words in operation["description"], words
    body = _body_schema(operation)
    assert [_resolve(spec, choice["$ref"])["properties"]["data"]["$ref"] for choice in body["oneOf"]] == [
        "#/components/schemas/CandidateHistory", "#/components/schemas/CandidateRef"]


def test_the_write_back_is_documented_under_webhooks(spec):
    operation = _outbound(spec)
    assert operation["security"] == []
    assert _body_schema(operation) == {"$ref": "#/components/schemas/AnalyzedEvent"}
    assert {p["name"] for p in operation["parameters"]} == {
        "webhook-id", "webhook-timestamp", "webhook-signature"}
    assert set(operation["responses"]) == {"2XX", "429", "5XX", "4XX"}
    assert "Retry-After" in operation["responses"]["429"]["headers"]
    assert "dead-lettered" in operation["responses"]["4XX"]["description"]


def test_the_documented_envelopes_say_what_validation_does():
    """StandardEventSchema picks `data`'s schema by `type`; the documented envelopes must pick the same."""
    validated = StandardEventSchema()
    documented: dict[str, type] = {}
    for envelope in (HistoryEventSchema(), ErasureEventSchema()):
        assert set(envelope.fields) == set(validated.fields)
        for event_type in envelope.fields["type"].validate.choices:
            documented[event_type] = type(envelope.fields["data"].schema)
    assert set(documented) == set(validated.fields["type"].validate.choices)
    for event_type, data_schema in documented.items():
        assert type(validated._data_schema(event_type)) is data_schema


def test_the_documented_examples_are_accepted(spec):
    media = _inbound(spec)["requestBody"]["content"]["application/json"]
    for name, example in media["examples"].items():
        assert not _errors(spec, example["value"], media["schema"]), name
        StandardEventSchema().load(example["value"])
    # and the schema refuses what validation refuses: a history without jobs, an unknown type
    assert _errors(spec, {"type": "candidate.created", "data": {"candidate_id": "crm-42"}}, media["schema"])
    assert _errors(spec, {"type": "candidate.hired", "data": {"candidate_id": "crm-42"}}, media["schema"])


def _post(client, connection_id: str, body: bytes, headers: dict[str, str]):
    return client.post(f"/webhooks/{connection_id}", data=body, headers=headers)


def test_signed_deliveries_and_their_answers_match_the_document(spec, client, connection):
    """Built by the reference Standard Webhooks library, as a CRM would."""
    operation = _inbound(spec)
    now = datetime.now(UTC)
    payloads = [event("candidate.created", history("crm-42", ["legal research"]), at=now),
                event("candidate.updated", history("crm-42", ["drafting memos"]),
                      at=now + timedelta(seconds=1)),
                event("candidate.deleted", {"candidate_id": "crm-42"}, at=now + timedelta(seconds=2)),
                event("candidate.anonymized", {"candidate_id": "crm-7"}, at=now + timedelta(seconds=3)),
                event("candidate.created", history("crm-42", ["too late"]), at=now)]  # stale
    answers = []
    for payload in payloads:
        body, headers = signed_delivery(connection.secret, payload)
        assert not _errors(spec, payload, _body_schema(operation)), payload["type"]
        _assert_headers_documented(spec, operation, headers)
        response = _post(client, connection.id, body, headers)
        assert response.status_code == 202, response.json
        assert not _errors(spec, response.json, _answer_schema(operation, 202))
        answers.append(response.json["status"])
    assert answers == ["accepted"] * 4 + ["stale"]
    again = _post(client, connection.id, body, headers)
    assert again.status_code == 200
    assert not _errors(spec, again.json, _answer_schema(operation, 200))


def _refusals(app, connection) -> list[tuple[int, str, bytes, dict[str, str]]]:
    """One delivery for each refusal the route gives to an enabled connection."""
    good = event("candidate.created", history("crm-42", ["legal research"]))
    body, headers = signed_delivery(connection.secret, good)
    _, forged = signed_delivery("whsec_" + "A" * 32, good)
    bad_json, bad_json_headers = signed_delivery(connection.secret, b"{not json")
    long_id, long_id_headers = signed_delivery(connection.secret, good, msg_id="m" * 256)
    invalid, invalid_headers = signed_delivery(connection.secret, event("candidate.created", {"jobs": 1}))
    large, large_headers = signed_delivery(connection.secret, event("candidate.created", {
        "candidate_id": "c", "jobs": [], "notes": "n" * app.config["MAX_CONTENT_LENGTH"]}))
    form = {**headers, "content-type": "application/x-www-form-urlencoded"}
    return [(404, uuid.uuid4().hex, body, headers), (401, connection.id, body, forged),
            (400, connection.id, bad_json, bad_json_headers), (400, connection.id, long_id, long_id_headers),
            (422, connection.id, invalid, invalid_headers), (413, connection.id, large, large_headers),
            (415, connection.id, body, form)]


def test_refusals_are_documented_with_the_error_shape(spec, app, client, connection):
    operation = _inbound(spec)
    for status, connection_id, body, headers in _refusals(app, connection):
        response = _post(client, connection_id, body, headers)
        assert response.status_code == status, (status, response.json)
        assert not _errors(spec, response.json, _answer_schema(operation, status)), status
    with app.app_context():
        set_enabled(db.session.get(Connection, connection.id), False)
    body, headers = signed_delivery(connection.secret, event("candidate.deleted", {"candidate_id": "c"}))
    response = _post(client, connection.id, body, headers)
    assert response.status_code == 403
    assert not _errors(spec, response.json, _answer_schema(operation, 403))


def test_a_real_write_back_is_the_documented_candidate_analyzed(spec, app, client, callback_connection):
    """pool.profile_fields() builds the body by hand: AnalyzedEventSchema and the document must agree."""
    receiver, issued = callback_connection
    sent: list[dict[str, str]] = []
    handle = receiver.handle
    receiver.handle = lambda headers, body: (sent.append(headers), handle(headers, body))[1]
    body, headers = signed_delivery(issued.secret, event("candidate.created", history(
        "researcher", ["legal research on CanLII", "drafting memos"],
        ["digging through case law", "writing reports"], dislikes=["cold calling clients"])))
    assert _post(client, issued.id, body, headers).status_code == 202
    with app.app_context():
        candidate = db.session.query(Candidate).one()
        analysis_id = pipeline.analyze(candidate.id, candidate.history_version)
        db.session.remove()
        pipeline.deliver(analysis_id)
    [delivery] = receiver.deliveries
    payload = delivery["payload"]
    data = payload["data"]
    assert data["passion_themes"] and data["aversions"] and data["skills"]  # every list shown filled
    assert AnalyzedEventSchema().validate(payload) == {}
    # ISO 8601 in UTC; on SQLite without its offset (documented so, see AnalyzedEventSchema)
    assert datetime.fromisoformat(payload["timestamp"]).utcoffset() == timedelta(0)
    assert set(payload) == set(AnalyzedEventSchema().fields)  # nothing sent that is not documented
    assert set(data) == set(AnalyzedFieldsSchema().fields)
    operation = _outbound(spec)
    assert not _errors(spec, payload, _body_schema(operation))
    _assert_headers_documented(spec, operation, sent[0])
    assert sent[0]["webhook-id"] == f"msg_analysis_{analysis_id}"
