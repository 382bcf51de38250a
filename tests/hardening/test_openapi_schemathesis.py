"""schemathesis against /openapi.json through the WSGI app, authenticated with a real token: every
documented operation, with inputs that fit the spec and inputs that do not, checked for 5xx and for
conformance (status codes, content types, headers, response bodies)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection

from tests.hardening.support import auth, post_signed
from tests.webhook_sender import event, history

OPERATIONS = [("/api/candidates", "GET"), ("/api/candidates/{external_id}", "GET"),
              ("/api/candidates/{external_id}/reanalyze", "POST"), ("/api/themes", "GET")]
# only the list takes arguments a spec can forbid (a path id is any text; themes takes none)
RUNS = [(path, method, GenerationMode.POSITIVE) for path, method in OPERATIONS] + [
    ("/api/candidates", "GET", GenerationMode.NEGATIVE)]
# bounded so the whole run stays well under a minute on both databases
EXAMPLES = {GenerationMode.POSITIVE: 40, GenerationMode.NEGATIVE: 60}


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


@pytest.mark.parametrize(("path", "method", "mode"), RUNS, ids=[f"{m} {p} {g}" for p, m, g in RUNS])
def test_api_conforms_to_its_spec(api_schema, connection, path: str, method: str,
                                  mode: GenerationMode) -> None:
    """schemathesis's checks on every generated request (pytest 9 breaks its own plugin's lazy
    fixture loader, so the operation's strategy is driven by hypothesis directly)."""
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES[mode], deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def check(case: schemathesis.Case) -> None:
        excluded = [negative_data_rejection] if _mutated_query_only(case) else []
        case.call_and_validate(headers=auth(connection.token), excluded_checks=excluded)

    check()
