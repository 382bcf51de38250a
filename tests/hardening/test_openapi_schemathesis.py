"""schemathesis against /openapi.json through the WSGI app, authenticated with a real token: every
documented operation, with inputs that fit the spec and inputs that do not, checked for 5xx and for
conformance (status codes, content types, headers, response bodies). The webhook route is fuzzed with
signed deliveries to the test connection, so that every body the document allows is shown accepted."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from marshmallow import ValidationError, fields
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from schemas.webhooks import EARLIEST_EVENT, LATEST_EVENT
from tests.hardening.support import auth, post_signed
from tests.webhook_sender import event, history, signed_delivery

WEBHOOK = ("/webhooks/{connection_id}", "POST")
OPERATIONS = [("/api/candidates", "GET"), ("/api/candidates/{external_id}", "GET"),
              ("/api/candidates/{external_id}/reanalyze", "POST"), ("/api/themes", "GET"), WEBHOOK,
              ("/api/candidates/{external_id}/worksheet-link", "POST"),
              ("/api/candidates/{external_id}/worksheet-links/{link_id}", "DELETE"),
              ("/api/candidates/{external_id}/panel-link", "POST"),
              ("/api/explanations/{external_id}", "GET"), ("/api/audit", "GET"),
              ("/api/connection/status", "GET")]
ADMIN_OPERATIONS = [("/api/admin/connections", "GET"), ("/api/admin/connections", "POST"),
                    ("/api/admin/connections/{connection_id}", "GET"),
                    ("/api/admin/connections/{connection_id}", "PATCH"),
                    ("/api/admin/connections/{connection_id}/disable", "POST"),
                    ("/api/admin/connections/{connection_id}/enable", "POST")]
OPERATIONS += ADMIN_OPERATIONS
ADMIN_TOKEN = "operator-token-for-the-fuzzer"
# bodies the document allows but a rule it states in words refuses: which fields each provider needs
# (and the CRM's verdict on the credentials, here an unreachable CRM); an origin's host name
SAID_IN_WORDS = {("/api/admin/connections", "POST"), ("/api/admin/connections/{connection_id}", "PATCH")}
# only the lists take arguments a spec can forbid (a path id is any text; themes takes none). The webhook
# route has no negative run: its header mutations would be undone by signing, and a body negated in one
# branch of its oneOf can still match the other; its refusals have their own corpus and hypothesis tests
RUNS = [(path, method, GenerationMode.POSITIVE) for path, method in OPERATIONS] + [
    ("/api/candidates", "GET", GenerationMode.NEGATIVE), ("/api/audit", "GET", GenerationMode.NEGATIVE),
    ("/api/admin/connections", "POST", GenerationMode.NEGATIVE),
    ("/api/admin/connections/{connection_id}", "PATCH", GenerationMode.NEGATIVE)]
# bounded so the whole run stays well under a minute on both databases
EXAMPLES = {GenerationMode.POSITIVE: 40, GenerationMode.NEGATIVE: 60}


@pytest.fixture
def app_config() -> dict[str, str]:
    """The admin API on, and every CRM's API on a closed loopback port: a generated connection whose
    credentials must be tried is refused fast (502), never sent to a real vendor."""
    closed = "http://127.0.0.1:9"
    return {"ADMIN_TOKEN": ADMIN_TOKEN, "GREENHOUSE_API_URL": closed, "GREENHOUSE_TOKEN_URL": f"{closed}/t",
            "LEVER_API_URL": closed, "WORKABLE_API_URL": f"{closed}/{{subdomain}}",
            "BULLHORN_AUTH_URL": closed, "BULLHORN_LOGIN_URL": closed}


@pytest.fixture
def api_schema(app, client, connection):
    """The app's own spec, with a candidate in the pool so detail and re-analyse can succeed."""
    accepted = post_signed(client, connection, event("candidate.created",
                                                      history("crm-42", ["legal research"])))
    assert accepted.status_code == 202
    loaded = schemathesis.openapi.from_wsgi("/openapi.json", app)
    # the real token goes in every request; mutating it is test_access.py's job, not the fuzzer's
    loaded.config.generation.update(with_security_parameters=False)
    return loaded


def _mutated_query_only(case: schemathesis.Case) -> bool:
    """A query string carries only text: schemathesis's "became null/boolean/empty array" mutations of
    a query parameter arrive as valid text (or not at all), so their acceptance is no violation."""
    mutations = getattr(getattr(case.meta.phase, "data", None), "mutations", None) or ()
    return bool(mutations) and all(m.parameter_location.value == "query" for m in mutations)


def test_every_documented_operation_is_fuzzed(api_schema) -> None:
    """A new endpoint must join OPERATIONS, or this fails."""
    documented = {(op.ok().path, op.ok().method.upper()) for op in api_schema.get_all_operations()}
    assert documented == set(OPERATIONS)


def _sometimes(case: schemathesis.Case, connection_id: str) -> str:
    """The test connection's id for one generated case in two, so that show, update and disable also
    reach a connection that exists (a generated id is almost never one)."""
    return connection_id if len(case.path_parameters["connection_id"]) % 2 else \
        case.path_parameters["connection_id"]


def _readable_in_range(timestamp: str) -> bool:
    try:
        when = fields.AwareDateTime(default_timezone=UTC).deserialize(timestamp)
    except ValidationError:
        return False
    return EARLIEST_EVENT <= when < LATEST_EVENT


def _breaks_a_rule_said_in_words(body: Any, raw: bytes, limit: int) -> bool:
    """Rules of the webhook body that JSON Schema cannot state, so the document states them in words: the
    size limit; a `timestamp` in 1970-2099 UTC that Python can read (`date-time` has no range, and also
    admits year 0 and leap seconds); a job's end not before its start. A generated body breaking one of
    them may rightly be refused."""
    if len(raw) >= limit:
        return True
    if not isinstance(body, dict):
        return False
    timestamp = body.get("timestamp")
    if isinstance(timestamp, str) and not _readable_in_range(timestamp):
        return True
    data = body.get("data")
    jobs = data.get("jobs") if isinstance(data, dict) else None
    return isinstance(jobs, list) and any(
        isinstance(job.get("start"), str) and isinstance(job.get("end"), str) and job["end"] < job["start"]
        for job in jobs if isinstance(job, dict))


def _call_signed(case: schemathesis.Case, connection, limit: int) -> None:
    """Deliver the generated body to the test connection, signed by the reference library as its CRM
    would: unsigned, every delivery would stop at the signature check (401) before its body is read."""
    case.path_parameters = {"connection_id": connection.id}
    raw, headers = signed_delivery(connection.secret, case.body)
    excluded = [positive_data_acceptance] if _breaks_a_rule_said_in_words(case.body, raw, limit) else []
    case.call_and_validate(headers=headers, data=raw, excluded_checks=excluded)


@pytest.mark.parametrize(("path", "method", "mode"), RUNS, ids=[f"{m} {p} {g}" for p, m, g in RUNS])
def test_api_conforms_to_its_spec(app, api_schema, connection, path: str, method: str,
                                  mode: GenerationMode) -> None:
    """schemathesis's checks on every generated request (pytest 9 breaks its own plugin's lazy
    fixture loader, so the operation's strategy is driven by hypothesis directly)."""
    operation = api_schema[path][method]
    limit = app.config["MAX_CONTENT_LENGTH"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES[mode], deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def check(case: schemathesis.Case) -> None:
        if (path, method) == WEBHOOK:
            _call_signed(case, connection, limit)
            return
        excluded = [negative_data_rejection] if _mutated_query_only(case) else []
        if (path, method) in SAID_IN_WORDS:
            excluded.append(positive_data_acceptance)
        if (path, method) in ADMIN_OPERATIONS:
            if "connection_id" in case.path_parameters and case.path_parameters["connection_id"].isascii():
                case.path_parameters["connection_id"] = _sometimes(case, connection.id)
            case.call_and_validate(headers=auth(ADMIN_TOKEN), excluded_checks=excluded)
            return
        case.call_and_validate(headers=auth(connection.token), excluded_checks=excluded)

    check()
