"""Hypothesis against the real webhook route: no input earns a 500, every refusal is a 4xx in the one
error shape naming the field and changes nothing, and whatever is accepted is served back unchanged."""

from __future__ import annotations

import io
import uuid
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.history import CandidateHistorySchema, forbidden_char, is_plausible_id
from tests.hardening.strategies import (
    FIELD_PATH,
    SPECIAL_CHARS,
    dotted,
    events,
    json_values,
    mutated,
    nasty_text,
    replaced,
)
from tests.hardening.support import (
    REFUSALS,
    assert_service_up,
    auth,
    error_fields,
    post_signed,
    snapshot,
)
from tests.webhook_sender import signed_delivery

# the app fixture is per test, not per example: deliberate, since every example checks the state it left
ROUTE = settings(max_examples=40, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                        HealthCheck.data_too_large])


def _check_outcome(app, client, connection, redis_client, before, response, sent: Any) -> None:
    """A refusal changed nothing and names a field; an acceptance is readable back through the API."""
    assert response.status_code in REFUSALS | {202}, (response.status_code, response.data[:300])
    if response.status_code in REFUSALS:
        fields = error_fields(response)
        assert fields
        assert snapshot(app, redis_client) == before
        if response.status_code == 422:
            assert all(FIELD_PATH.fullmatch(field) for field in fields), fields
        return
    if response.json["status"] != "stale":  # a valid but older timestamp is acknowledged and ignored
        _check_served_back(client, connection, sent)


def _check_served_back(client, connection, sent: dict[str, Any]) -> None:
    """Accepted text comes back as JSON exactly as loaded: markup is data, escaping is the page's job."""
    external_id = sent["data"]["candidate_id"]
    detail = client.get(f"/api/candidates/{quote(external_id, safe='')}", headers=auth(connection.token))
    if sent["type"] == "candidate.deleted":
        assert detail.status_code == 404
        return
    assert detail.status_code == 200, detail.data[:300]
    assert detail.mimetype == "application/json"
    assert detail.json["history"] == {"jobs": CandidateHistorySchema().load(sent["data"])["jobs"]}


@ROUTE
@given(body=st.binary(max_size=3000))
def test_arbitrary_bytes(app, client, connection, redis_client, body: bytes) -> None:
    before = snapshot(app, redis_client)
    response = post_signed(client, connection, body)
    assert response.status_code in {400, 422}, response.data[:300]
    error_fields(response)
    assert snapshot(app, redis_client) == before


@ROUTE
@given(value=json_values)
def test_arbitrary_json(app, client, connection, redis_client, value: Any) -> None:
    before = snapshot(app, redis_client)
    response = post_signed(client, connection, value)
    assert response.status_code == 422, response.data[:300]
    error_fields(response)
    assert snapshot(app, redis_client) == before


@ROUTE
@given(data=st.data(), sent=events)
def test_valid_and_mutated_events(app, client, connection, redis_client, data: st.DataObject,
                                  sent: dict[str, Any]) -> None:
    """Half the examples are sent as generated (valid), half with one position broken."""
    if data.draw(st.booleans()):
        sent, _ = data.draw(mutated(sent))
    before = snapshot(app, redis_client)
    response = post_signed(client, connection, sent)
    if response.status_code == 202:
        assert isinstance(sent.get("data"), dict)
    _check_outcome(app, client, connection, redis_client, before, response, sent)


TEXT_FIELDS = [("candidate_id",), ("jobs", 0, "title"), ("jobs", 0, "employer"), ("jobs", 0, "description"),
               ("jobs", 0, "likes", 0), ("jobs", 0, "dislikes", 0)]


def _send_text(app, client, connection, redis_client, path: tuple, text: str) -> int:
    """One delivery with `text` at `path`; checks the outcome and returns the status."""
    job = {"title": "Clerk", "employer": "E", "description": "", "likes": ["x"], "dislikes": ["y"]}
    data = replaced({"candidate_id": f"c-{uuid.uuid4().hex}", "jobs": [job]}, path, text)
    sent = {"type": "candidate.created", "timestamp": "2026-11-25T10:00:00Z", "data": data}
    before = snapshot(app, redis_client)
    response = post_signed(client, connection, sent)
    _check_outcome(app, client, connection, redis_client, before, response, sent)
    if response.status_code == 422:
        assert dotted(("data", *path)) in error_fields(response)
    return response.status_code


@ROUTE
@given(path=st.sampled_from(TEXT_FIELDS), text=nasty_text.filter(bool))
def test_any_text_in_any_text_field(app, client, connection, redis_client, path: tuple, text: str) -> None:
    """Whatever characters a field holds (NUL, surrogates, markup), it is stored and served back, or
    refused naming that field; PostgreSQL never sees what it cannot store."""
    _send_text(app, client, connection, redis_client, path, text)


def test_every_special_character_in_every_text_field(app, client, connection, redis_client) -> None:
    """The systematic half of the above: each trap character inside each field, refused exactly when the
    rules say (ids refuse every control character, text keeps tab, newline and carriage return)."""
    for path in TEXT_FIELDS:
        for char in SPECIAL_CHARS:
            status = _send_text(app, client, connection, redis_client, path, f"a{char}b")
            refused = (not is_plausible_id(f"a{char}b")) if path == ("candidate_id",) else (
                forbidden_char(char) is not None)
            assert status == (422 if refused else 202), (path, char)


@ROUTE
@given(content_type=st.none() | st.text(max_size=60).filter(lambda t: "\n" not in t and "\r" not in t)
       | st.sampled_from(["text/plain", "application/xml", "application/json;charset=latin-1",
                          "multipart/form-data", "application/x-www-form-urlencoded", "*/*"]))
def test_non_json_content_types_are_415(app, client, connection, redis_client,
                                        content_type: str | None) -> None:
    payload = {"type": "candidate.deleted", "data": {"candidate_id": "nobody"}}
    before = snapshot(app, redis_client)
    response = post_signed(client, connection, payload, content_type=content_type)
    mimetype = (content_type or "").split(";")[0].strip().lower()
    if mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json")):
        assert response.status_code in {202, 415}
    else:
        assert response.status_code == 415
    if response.status_code == 415:
        assert "content-type" in error_fields(response)
        assert snapshot(app, redis_client) == before


@ROUTE
@given(msg_id=st.text(st.characters(max_codepoint=0xFF, exclude_characters="\r\n"), min_size=1,
                      max_size=300))
def test_any_webhook_id_is_stored_or_refused(app, client, connection, redis_client, msg_id: str) -> None:
    """The id a signed sender picks is stored for dedupe: too long or with controls is a 400 naming it."""
    payload = {"type": "candidate.deleted", "data": {"candidate_id": "nobody"}}
    before = snapshot(app, redis_client)
    body, headers = signed_delivery(connection.secret, payload, msg_id=msg_id)
    response = client.post(f"/webhooks/{connection.id}", data=body, headers=headers)
    if response.status_code == 400:
        assert "webhook-id" in error_fields(response)
        assert snapshot(app, redis_client) == before
    else:
        # 401 for ids whose edge whitespace a WSGI stack strips; never a 500
        assert response.status_code in {202, 200, 401}, response.data[:300]


@ROUTE
@given(connection_id=nasty_text | st.text(min_size=30, max_size=300))
def test_any_connection_id_in_the_path_is_404(app, client, connection, redis_client,
                                             connection_id: str) -> None:
    body, headers = signed_delivery(connection.secret, {"type": "candidate.deleted", "data": {}})
    path = "/webhooks/" + quote(connection_id.encode("utf-8", "surrogatepass"), safe="")
    response = client.post(path, data=body, headers=headers)
    assert response.status_code in {404, 405, 308}  # "/" ids miss the route; "//" is merged by a redirect
    if response.status_code != 308:
        assert {"code", "status", "message"} <= set(response.json)
    assert redis_client.llen("passion") == 0


def test_the_service_is_up_after_a_barrage(app, client, connection, redis_client) -> None:
    """A run of the worst bodies in a row, then an ordinary delivery still goes through."""
    for body in (b"[" * 200_000, b"\xff" * 1000, b'{"a":' * 10_000, b"9" * 10_000, b"\x00" * 100):
        assert post_signed(client, connection, body).status_code == 400
    assert_service_up(client)
    ok = post_signed(client, connection, {"type": "candidate.created",
                                          "data": {"candidate_id": f"c-{uuid.uuid4().hex}", "jobs": []}})
    assert ok.status_code == 202


def test_a_chunked_body_over_the_limit_is_413(app, client, connection, redis_client) -> None:
    """Without a Content-Length (chunked, as gunicorn passes it on) the limit holds while reading."""
    payload = {"type": "candidate.created", "data": {"candidate_id": "c", "jobs": [], "pad": "x" * 300_000}}
    body, headers = signed_delivery(connection.secret, payload)
    headers["Transfer-Encoding"] = "chunked"
    response = client.post(f"/webhooks/{connection.id}", input_stream=io.BytesIO(body), headers=headers,
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413  # not a 401 for the signature of a silently truncated body
    assert "body" in error_fields(response)
    assert snapshot(app, redis_client) == ([], [], 0, 0)
    small, headers = signed_delivery(connection.secret, {"type": "candidate.deleted",
                                                         "data": {"candidate_id": "c"}})
    headers["Transfer-Encoding"] = "chunked"
    accepted = client.post(f"/webhooks/{connection.id}", input_stream=io.BytesIO(small), headers=headers,
                           environ_overrides={"wsgi.input_terminated": True})
    assert accepted.status_code == 202


# latin-1 is what WSGI decodes header bytes as; the samples are known traps (superscripts pass isdigit())
_latin1 = st.characters(max_codepoint=0xFF, exclude_characters="\r\n")
_header_text = st.text(_latin1, max_size=60) | st.sampled_from(
    ["\xb2", "\xb9\xb2\xb3", "9" * 5000, "-1", "+1700000000", " 1700000000", "1e9", "0x10", "v1,", "v1, ",
     "v2,abc", "v1,=", "v1," + "A" * 10_000])


@ROUTE
@given(name=st.sampled_from(["webhook-id", "webhook-timestamp", "webhook-signature"]), value=_header_text)
def test_any_signature_header_is_refused_cleanly(app, client, connection, redis_client, name: str,
                                                 value: str) -> None:
    """Garbage in any of the three Standard Webhooks headers is a 401 naming no secret, never a 500."""
    body, headers = signed_delivery(connection.secret, {"type": "candidate.deleted",
                                                        "data": {"candidate_id": "nobody"}})
    headers[name] = value
    response = client.post(f"/webhooks/{connection.id}", data=body, headers=headers)
    assert response.status_code == 401, (name, value[:50], response.status_code)
    assert response.json["message"].startswith("Signature verification failed")
    assert snapshot(app, redis_client) == ([], [], 0, 0)
