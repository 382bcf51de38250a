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
    validates_schema,
)

from schemas.history import MAX_ID_CHARS, CandidateHistorySchema, Identifier

HISTORY_EVENTS = ("candidate.created", "candidate.updated")
# an anonymised candidate is erased like a deleted one: nothing of them may stay here
DELETE_EVENTS = ("candidate.deleted", "candidate.anonymized")
# Python reads years 1 to 9999 at any offset, but e.g. 9999-12-31T23:59-05:00 is year 10000 in UTC, which the
# database stores and then cannot hand back: a 500 on the candidate's next event
EARLIEST_EVENT = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_EVENT = datetime(2100, 1, 1, tzinfo=UTC)


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
    timestamp = fields.AwareDateTime(
        load_default=None, allow_none=True, default_timezone=UTC,
        validate=validate.Range(min=EARLIEST_EVENT, max=LATEST_EVENT, max_inclusive=False),
        metadata={"description": "When the change happened in the CRM (ISO 8601); an event older than "
                                 "one already applied to the candidate is ignored"})
    data = fields.Dict(required=True)

    @staticmethod
    def _data_schema(event_type: str) -> Schema:
        return CandidateHistorySchema() if event_type in HISTORY_EVENTS else CandidateRefSchema()

    @validates_schema(skip_on_field_errors=True)
    def _validate_data(self, payload: dict[str, Any], **kwargs: Any) -> None:
        errors = self._data_schema(payload["type"]).validate(payload["data"])
        if errors:
            raise ValidationError(errors, field_name="data")

    @post_load
    def _load_data(self, payload: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        payload["data"] = self._data_schema(payload["type"]).load(payload["data"])
        return payload
