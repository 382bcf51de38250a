"""Logs carry ids only: through a full accept, analyse, write-back, API and refusal cycle, no record
holds a candidate's name, email, phrases or history text, nor a secret, token or signature."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from plugin.extensions import db
from plugin.storage.models import Analysis, Candidate
from tests.hardening.support import auth, post_signed
from tests.webhook_sender import event, signed_delivery
from workers import pipeline

EMAIL_ID = "ada.quill@example.org"  # some CRMs key candidates by email
NAME = "Ada Lovelace-Quill"
PERSONAL = [EMAIL_ID, NAME, "Quill & Partners LLP", "drafting pleadings for Mrs Featherstone",
            "researching case law at night", "billing the Featherstone estate", "Senior Scrivener"]


def _history(likes: list[str]) -> dict:
    job = {"title": "Senior Scrivener", "employer": "Quill & Partners LLP",
           "description": f"{NAME} ({EMAIL_ID}) handled the Featherstone file.", "likes": likes,
           "dislikes": ["billing the Featherstone estate"]}
    return {"candidate_id": EMAIL_ID, "name": NAME, "email": EMAIL_ID, "jobs": [job, dict(job)]}


def _cycle(app, client, issued, redis_client) -> None:
    """Everything a day brings: accepted, duplicate, updated, refused every way, analysed, served."""
    first = _history(["drafting pleadings for Mrs Featherstone", "researching case law at night"])
    assert post_signed(client, issued, event("candidate.created", first), msg_id="msg_1").status_code == 202
    assert post_signed(client, issued, event("candidate.created", first), msg_id="msg_1").status_code == 200
    bad = _history([NAME * 20]) | {"jobs": [{"title": NAME * 10, "likes": [EMAIL_ID + "\x00"]}]}
    refusals = [
        post_signed(client, issued, event("candidate.updated", bad)),
        post_signed(client, issued, f'{{"name": "{NAME}", "email": "{EMAIL_ID}"'.encode()),
        post_signed(client, issued, event("candidate.updated", first), content_type="text/plain"),
        post_signed(client, issued, event("candidate.updated", first), secret=issued.secret[:-4] + "AAA="),
    ]
    body, headers = signed_delivery(issued.secret, event("candidate.updated", first), age=timedelta(hours=1))
    refusals.append(client.post(f"/webhooks/{issued.id}", data=body, headers=headers))
    assert [r.status_code for r in refusals] == [422, 400, 415, 401, 401]
    with app.app_context():
        candidate = db.session.query(Candidate).one()
        analysis_id = pipeline.analyze(candidate.id, candidate.history_version)
        assert analysis_id is not None
        pipeline.deliver(analysis_id)
        assert db.session.get(Analysis, analysis_id).delivery_status == "delivered"
    for url in ("/api/candidates", f"/api/candidates/{EMAIL_ID}", "/api/themes",
                f"/api/candidates?skill={NAME}"):
        assert client.get(url, headers=auth(issued.token)).status_code == 200
    assert client.get("/api/candidates", headers=auth(issued.token + "x")).status_code == 401
    assert client.post(f"/api/candidates/{EMAIL_ID}/reanalyze", headers=auth(issued.token)).status_code == 202
    deleted = event("candidate.deleted", {"candidate_id": EMAIL_ID})
    assert post_signed(client, issued, deleted).status_code == 202


def _record_text(record: logging.LogRecord) -> str:
    """All a handler could print: message, raw args, traceback and any extra attributes."""
    parts = [record.getMessage(), repr(record.args), record.exc_text or "", str(record.exc_info or "")]
    parts += [repr(v) for k, v in vars(record).items() if k not in {"msg", "args", "exc_info", "exc_text"}]
    return "\n".join(parts)


@pytest.fixture
def issued_with_callback(callback_connection):
    receiver, issued = callback_connection
    return issued, receiver


def test_no_personal_data_or_secret_reaches_any_log_record(app, client, redis_client, caplog,
                                                           issued_with_callback) -> None:
    issued, receiver = issued_with_callback
    caplog.set_level(logging.DEBUG)
    _cycle(app, client, issued, redis_client)
    assert len(receiver.deliveries) == 1
    secrets = [issued.secret, issued.secret.removeprefix("whsec_"), issued.token,
               issued.token.removeprefix("pt_")]
    leaks = [(record.name, needle) for record in caplog.records for needle in PERSONAL + secrets
             if needle in _record_text(record)]
    assert leaks == []
    messages = [record.getMessage() for record in caplog.records]
    # the cycle was logged (ids only), so the absence above means something
    for expected in ("webhook accepted", "webhook invalid", "webhook refused", "analysis stored",
                     "write-back done"):
        assert any(expected in message for message in messages), expected
