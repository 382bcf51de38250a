"""Replays the bad-input corpus through the real, signed webhook route: each case is refused as listed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.support import (
    assert_nothing_stored,
    assert_service_up,
    error_fields,
    post_signed,
)
from tests.webhook_sender import event, history

CORPUS = Path(__file__).parent / "corpus"
CASES: list[dict[str, Any]] = json.loads((CORPUS / "manifest.json").read_text())["cases"]


def _body(case: dict[str, Any]) -> bytes:
    """The bytes to send: a corpus file, or a large body built from the manifest's recipe."""
    if "file" in case:
        return (CORPUS / case["file"]).read_bytes()
    recipe = case["generate"]
    return (recipe["prefix"] + recipe["repeat"] * recipe["times"] + recipe["suffix"]).encode()


def _problem(case: dict[str, Any], response: Any) -> str | None:
    """What is wrong with the answer to one case, or None."""
    if response.status_code != case["status"]:
        return f"{case['name']}: {response.status_code} instead of {case['status']}: {response.data[:200]!r}"
    body = response.get_json()
    fields = error_fields(response)
    if case["field"] not in body["errors"].get(case["location"], {}):
        return f"{case['name']}: {case['location']}.{case['field']} not named in {fields}"
    if case["status"] == 422 and case["field"] not in body["message"]:
        return f"{case['name']}: message {body['message']!r} does not name {case['field']}"
    return None


def test_manifest_is_consistent() -> None:
    """Every case names a body that exists and a 4xx; names are unique so failures point somewhere."""
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names))
    listed = {case["file"] for case in CASES if "file" in case}
    on_disk = {path.name for path in CORPUS.iterdir()} - {"manifest.json"}
    assert listed == on_disk
    assert {case["status"] for case in CASES} <= {400, 413, 415, 422}
    assert len(CASES) >= 90


def test_every_corpus_case_is_refused_and_leaves_no_trace(app, client, connection, redis_client) -> None:
    """One app per database for the whole corpus, checking the stored state after every case."""
    problems = []
    for case in CASES:
        response = post_signed(client, connection, _body(case),
                               content_type=case.get("content_type", "application/json"))
        problem = _problem(case, response)
        if problem:
            problems.append(problem)
        assert_nothing_stored(app, redis_client)
    assert problems == []
    assert_service_up(client)
    accepted = post_signed(client, connection, event("candidate.created", history("c-1", ["research"])))
    assert accepted.status_code == 202


@pytest.mark.parametrize("content_type", [
    "application/json", "application/json; charset=utf-8", "Application/JSON; charset=UTF-8",
    "application/cloudevents+json",
])
def test_json_content_types_are_accepted(client, connection, content_type) -> None:
    """The 415 rule refuses non-JSON only: charset and +json suffixes still pass."""
    payload = event("candidate.created", history("c-1", ["research"]))
    assert post_signed(client, connection, payload, content_type=content_type).status_code == 202
