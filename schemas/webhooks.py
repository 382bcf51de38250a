"""Inbound events from the `standard` connector (Standard Webhooks payload: type, timestamp, data)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
)

from schemas.api import SkillRefSchema
from schemas.catalogue import THEME_IDS
from schemas.history import MAX_ID_CHARS, CandidateHistorySchema, Identifier

HISTORY_EVENTS = ("candidate.created", "candidate.updated")
# an anonymised candidate is erased like a deleted one: nothing of them may stay here
DELETE_EVENTS = ("candidate.deleted", "candidate.anonymized")
# Python reads years 1 to 9999 at any offset, but e.g. 9999-12-31T23:59-05:00 is year 10000 in UTC, which the
# database stores and then cannot hand back: a 500 on the candidate's next event
EARLIEST_EVENT = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_EVENT = datetime(2100, 1, 1, tzinfo=UTC)
# what we send back (plugin/connectors/standard.py)
ANALYZED_EVENT = "candidate.analyzed"


def _occurred_at() -> fields.AwareDateTime:
    """The envelope's `timestamp`: one definition for validation and for the documented envelopes."""
    return fields.AwareDateTime(
        load_default=None, allow_none=True, default_timezone=UTC,
        validate=validate.Range(min=EARLIEST_EVENT, max=LATEST_EVENT, max_inclusive=False),
        metadata={"description": "When the change happened in the CRM (ISO 8601, 1970 to 2099; without an "
                                 "offset it is read as UTC); an event older than one already applied to "
                                 "the candidate, or not newer than its erasure, is ignored. Without it, "
                                 "events apply in arrival order."})


class CandidateRefSchema(Schema):
    """The payload of a deletion: only which candidate."""

    class Meta:
        unknown = EXCLUDE

    candidate_id = Identifier(required=True, validate=validate.Length(min=1, max=MAX_ID_CHARS))


class StandardEventSchema(Schema):
    """The envelope; `data` is loaded with the schema its `type` calls for."""

    class Meta:
        unknown = EXCLUDE

    type = fields.String(required=True, validate=validate.OneOf(HISTORY_EVENTS + DELETE_EVENTS))
    timestamp = _occurred_at()
    data = fields.Dict(required=True)

    @staticmethod
    def _data_schema(event_type: str) -> Schema:
        return _HISTORY_SCHEMA if event_type in HISTORY_EVENTS else _REF_SCHEMA

    @post_load
    def _load_data(self, payload: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """`data` in one pass with the schema its type calls for; its errors are reported under "data"."""
        try:
            payload["data"] = self._data_schema(payload["type"]).load(payload["data"])
        except ValidationError as exc:
            raise ValidationError(exc.messages, field_name="data") from exc
        return payload


# loading keeps no state on the schema, so one instance of each serves every delivery (building one per
# load was a fifth of the receiver's time)
_HISTORY_SCHEMA = CandidateHistorySchema()
_REF_SCHEMA = CandidateRefSchema()


# The schemas below document the webhook route and the write-back in the OpenAPI document
# (plugin/api/webhook_docs.py). StandardEventSchema validates: its `data` depends on `type`, which one field
# cannot say in JSON Schema, so each envelope is also declared with its `data` schema. Validation and these
# share the event types, the `timestamp` field and the `data` schemas; tests/web/test_openapi_document.py
# checks they agree.


class _DocumentedEnvelopeSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    timestamp = _occurred_at()


class HistoryEventSchema(_DocumentedEnvelopeSchema):
    """candidate.created or candidate.updated: the candidate's full job history."""

    type = fields.String(required=True, validate=validate.OneOf(HISTORY_EVENTS))
    data = fields.Nested(CandidateHistorySchema, required=True)


class ErasureEventSchema(_DocumentedEnvelopeSchema):
    """candidate.deleted or candidate.anonymized: the candidate and its analyses are erased."""

    type = fields.String(required=True, validate=validate.OneOf(DELETE_EVENTS))
    data = fields.Nested(CandidateRefSchema, required=True)


class DeliveryAcceptedSchema(Schema):
    """The answer to a delivery that was stored (202)."""

    status = fields.String(
        required=True, validate=validate.OneOf(("accepted", "stale")),
        metadata={"description": "accepted, or stale: older than what the candidate already reflects "
                                 "(or than its erasure), so ignored"})
    delivery_id = fields.String(required=True, metadata={"description": "The delivery's webhook-id"})
    analysis_queued = fields.Boolean(
        required=True,
        metadata={"description": "Whether an analysis was queued: false when the history did not change, "
                                 "for a stale event or an erasure, and when the queue was down (the event "
                                 "is stored and the analysis is queued once it is back)"})


class DeliveryDuplicateSchema(Schema):
    """The answer to a delivery id seen before (200): nothing was done."""

    status = fields.String(required=True, validate=validate.OneOf(("duplicate",)))
    delivery_id = fields.String(required=True, metadata={"description": "The delivery's webhook-id"})


_theme_id = fields.String(validate=validate.OneOf(THEME_IDS))


class CorrectionFieldsSchema(Schema):
    """What the candidate said about one theme on their worksheet's result page."""

    kind = fields.String(required=True, validate=validate.OneOf(("passion", "aversion")))
    theme = fields.String(required=True, validate=validate.OneOf(THEME_IDS))
    rejected = fields.Boolean(required=True, metadata={"description": "They said: that's not me"})
    note = fields.String(required=True, metadata={"description": "Their note to the recruiter, or empty"})


class AnalyzedFieldsSchema(Schema):
    """The structured candidate fields a CRM stores: the `data` of candidate.analyzed."""

    class Meta:
        # documents what we send: fields may be added, and a receiver should ignore those it does not know
        unknown = EXCLUDE

    candidate_id = fields.String(required=True, metadata={"description": "The CRM's own candidate id"})
    history_version = fields.Integer(
        required=True,
        metadata={"description": "The version of the history analysed (1, then one more for each change); "
                                 "an analysis of a version that has since changed is never sent"})
    history_hash = fields.String(required=True,
                                 metadata={"description": "Hash of the normalised jobs analysed"})
    analysis_version = fields.String(
        required=True, metadata={"description": "The engine, its data and model that made the analysis"})
    passion_themes = fields.List(_theme_id, required=True,
                                 metadata={"description": "Theme ids the candidate liked in several jobs"})
    aversions = fields.List(_theme_id, required=True,
                            metadata={"description": "Theme ids the candidate disliked in several jobs"})
    mixed_themes = fields.List(_theme_id, required=True,
                               metadata={"description": "Theme ids liked in some jobs, disliked in others"})
    skills = fields.List(fields.Nested(SkillRefSchema), required=True,
                         metadata={"description": "ESCO skills (URI and preferred label)"})
    summary = fields.String(required=True, metadata={"description": "One readable sentence or two"})
    worksheet_url = fields.String(
        required=True, allow_none=True,
        metadata={"description": "The candidate's personal passion-worksheet link, for the CRM's own email "
                                 "templates; valid a week or more from the write-back (docs/worksheet.md); "
                                 "null while a link the recruiter withdrew would still have run"})
    candidate_corrections = fields.List(
        fields.Nested(CorrectionFieldsSchema), required=True,
        metadata={"description": "The candidate's own corrections from the passion worksheet, by theme; kept "
                                 "across analyses (those made after a write-back go out with the next one)"})


class AnalyzedEventSchema(Schema):
    """candidate.analyzed, POSTed to the connection's callback URL."""

    class Meta:
        unknown = EXCLUDE

    type = fields.String(required=True, validate=validate.OneOf((ANALYZED_EVENT,)))
    timestamp = fields.AwareDateTime(
        required=True, metadata={"description": "When the analysis was made: ISO 8601 with its UTC offset"})
    data = fields.Nested(AnalyzedFieldsSchema, required=True)
