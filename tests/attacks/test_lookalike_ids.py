"""Issue 13, finding 11: ids that look alike. Dot segments would make /pool links resolve to other pages,
NFC and NFD spellings of one name made two candidates, an RTL override disguises an id."""

from __future__ import annotations

import unicodedata

import pytest

from plugin.extensions import db
from plugin.storage.models import Candidate
from tests.hardening.support import auth, post_signed
from tests.webhook_sender import event, history

DOT_SEGMENTS = [".", "..", "a/../b-1", "a/./b", "./a", "a/..", "../a"]
BIDI = ["invoice\u202egnp.exe", "a\u202db", "a\u2066b\u2069", "a\u200fb", "a\u061cb"]


@pytest.mark.parametrize("candidate_id", DOT_SEGMENTS)
def test_dot_segments_are_refused_naming_the_field(client, connection, candidate_id):
    response = post_signed(client, connection, event("candidate.created", history(candidate_id, ["x"])))
    assert response.status_code == 422
    assert response.json["errors"]["json"]["data.candidate_id"] == [
        'Must not have "." or ".." as a "/"-separated segment.']


@pytest.mark.parametrize("candidate_id", BIDI)
def test_bidirectional_controls_are_refused_naming_the_field(client, connection, candidate_id):
    for payload in (event("candidate.created", history(candidate_id, ["x"])),
                    event("candidate.deleted", {"candidate_id": candidate_id})):
        response = post_signed(client, connection, payload)
        assert response.status_code == 422
        [message] = response.json["errors"]["json"]["data.candidate_id"]
        assert message.startswith("Must not contain bidirectional control characters (found U+")


def test_dots_inside_a_segment_are_still_ids(client, connection):
    for candidate_id in ("a.b", "...", "v1..2", "people/42.x"):
        response = post_signed(client, connection, event("candidate.created", history(candidate_id, ["x"])))
        assert response.status_code == 202, candidate_id


def test_nfc_and_nfd_spellings_are_one_candidate(app, client, connection):
    composed = unicodedata.normalize("NFC", "zoë-élan")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    for spelling, likes in ((composed, ["research"]), (decomposed, ["writing"])):
        response = post_signed(client, connection, event("candidate.updated", history(spelling, likes)))
        assert response.status_code == 202
    with app.app_context():
        rows = db.session.query(Candidate.external_id, Candidate.history_version).all()
    assert rows == [(composed, 2)]
    for spelling in (composed, decomposed):
        detail = client.get(f"/api/candidates/{spelling}", headers=auth(connection.token))
        assert detail.status_code == 200 and detail.json["id"] == composed
