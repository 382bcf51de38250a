"""The parts on their own: work-history rows (epoch ms) as the canonical history, an event batch read as
ids (our own write-back's echo dropped, the last event of a candidate winning), the field's value."""

from __future__ import annotations

from datetime import UTC, datetime

from plugin.receiving.connectors import CrmAccount
from plugin.receiving.connectors.bullhorn.field import plan_for, value_of
from schemas.bullhorn import employments, month_of, read_batch
from schemas.crm_history import build_history
from tests.bullhorn.conftest import CREDENTIALS, ROWS

OURS = frozenset({"customText5"})


def test_rows_become_the_canonical_history_with_epoch_ms_dates():
    history = build_history("8592", employments(ROWS), None)
    assert [(j["title"], j["employer"], j["start"], j["end"]) for j in history["jobs"]] == [
        ("Executive Assistant", "Overflow Furnishings", "2021-01", None),
        ("Office Clerk", "Groove Ltd", "2018-03", "2020-12")]
    assert history["jobs"][0]["description"] == "Ran the office and the budget.\nBooked travel for 12 people."


def test_epoch_ms_edge_cases():
    assert month_of(1495559294820) == "2017-05"  # the reference's eventTimestamp
    assert month_of(0) == "1970-01"
    for unknown in (None, "1495559294820", True, -1, 10**15, 2018.5e30):
        assert month_of(unknown) is None


def _event(kind: str, entity_id: object, properties: list[str] | None = None, *,
           entity: str = "Candidate", event_id: str = "ID:JBM-1") -> dict[str, object]:
    return {"eventId": event_id, "eventType": "ENTITY", "eventTimestamp": 1495559294820,
            "eventMetadata": {"PERSON_ID": "1314", "TRANSACTION_ID": "c8d8f9ea"},
            "entityName": entity, "entityId": entity_id, "entityEventType": kind,
            "updatedProperties": properties or []}


def test_a_batch_is_read_as_ids_to_fetch_and_erase():
    batch = read_batch({"requestId": 7, "events": [
        _event("UPDATED", 8592, ["occupation", "customText5"]),
        _event("UPDATED", 8593, ["customText5"]),  # our own write-back's echo
        _event("INSERTED", 8594), _event("DELETED", 8594, event_id="ID:JBM-9"),
        _event("DELETED", 8595), _event("INSERTED", 8595),  # deleted, then created again
        _event("UPDATED", 77, entity="CandidateWorkHistory"), _event("UPDATED", "x' or 1=1"), "junk"]},
        ours=OURS)
    assert batch.request_id == 7 and batch.events == 8
    assert batch.changed == ("8592", "8595")
    assert [(d.candidate_id, d.event_id) for d in batch.deleted] == [("8594", "bullhorn:ID:JBM-9")]
    assert batch.deleted[0].occurred_at == datetime.fromtimestamp(1495559294.82, UTC)
    assert read_batch(None, ours=OURS).events == 0 and read_batch(None, ours=OURS).request_id is None


def test_the_field_value_keeps_whole_values_within_100_characters():
    values = [f"passion:theme-number-{n}" for n in range(8)]
    short = value_of(values, "customText5")
    assert len(short) <= 100 and short.split("; ") == values[:len(short.split("; "))]
    assert value_of(values, "customTextBlock2") == "; ".join(values)
    account = CrmAccount("con_1", "bullhorn", CREDENTIALS)
    plan = plan_for(account, "8592", ["passion:care"], None)
    assert plan is not None and (plan.field, plan.value) == ("customText5", "passion:care")
    assert plan_for(CrmAccount("c", "bullhorn", {**CREDENTIALS, "field": "id"}), "1", [], None) is not None
    written = {"field": "customText5", "value": "passion:care"}
    assert plan_for(account, "8592", ["passion:care"], written) is None
