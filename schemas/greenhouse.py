"""Greenhouse: webhook payloads (unknown fields excluded), its dates and its worksheet field. Webhooks
date employments MM/DD/YYYY, the Harvest API in ISO 8601; schemas/crm_history.py builds the history."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

# the actions mapped to our event types (docs/connectors.md); any other is acknowledged and ignored
UPDATE_ACTION = "update_candidate"
APPLICATION_ACTIONS = ("new_candidate_application", "new_prospect_application")
DELETE_ACTION = "delete_candidate"
ANONYMIZE_ACTION = "candidate_anonymized"
MERGE_ACTION = "merge_candidate"
PING_ACTION = "ping"

_WEBHOOK_DATE = re.compile(r"(0[1-9]|1[0-2])/([0-2][0-9]|3[01])/((?:19|20)[0-9]{2})")
_API_DATE = re.compile(r"((?:19|20)[0-9]{2})-(0[1-9]|1[0-2])-[0-3][0-9](T.*)?")


class WebhookDate(fields.String):
    """A webhook date, MM/DD/YYYY (1900-2099), read as the month "YYYY-MM"."""

    default_error_messages = {"invalid_date": "Must be a date in the form MM/DD/YYYY (1900 to 2099)."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        found = _WEBHOOK_DATE.fullmatch(text)
        if found is None:
            raise self.make_error("invalid_date")
        return f"{found.group(3)}-{found.group(1)}"


class _Loose(Schema):
    class Meta:
        unknown = EXCLUDE


class EmploymentSchema(_Loose):
    company_name = fields.String(load_default=None, allow_none=True)
    title = fields.String(load_default=None, allow_none=True)
    start_date = WebhookDate(load_default=None, allow_none=True)
    end_date = WebhookDate(load_default=None, allow_none=True)


class WebhookCandidateSchema(_Loose):
    id = fields.Integer(required=True, strict=False, validate=validate.Range(min=1))
    employments = fields.List(fields.Nested(EmploymentSchema), load_default=list)
    custom_fields = fields.Dict(load_default=dict, allow_none=True)


class _CandidateRef(_Loose):
    id = fields.Integer(required=True, strict=False, validate=validate.Range(min=1))


class ApplicationSchema(_Loose):
    candidate = fields.Nested(_CandidateRef, required=True)


class PersonSchema(_Loose):
    id = fields.Integer(required=True, strict=False, validate=validate.Range(min=1))
    new_candidate_id = fields.Integer(load_default=None, allow_none=True, strict=False)


class EnvelopeSchema(_Loose):
    action = fields.String(required=True, validate=validate.Length(min=1, max=64))
    payload = fields.Dict(load_default=dict)


_PAYLOAD_SCHEMAS: dict[str, tuple[str, type[Schema]]] = {
    UPDATE_ACTION: ("candidate", WebhookCandidateSchema),
    **{action: ("application", ApplicationSchema) for action in APPLICATION_ACTIONS},
    DELETE_ACTION: ("person", PersonSchema),
    MERGE_ACTION: ("person", PersonSchema),
}


def load_payload(action: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The part of the payload this action needs, validated; errors name the field under `payload`."""
    if action == ANONYMIZE_ACTION:
        schema: Schema = Schema.from_dict({"candidate_id": fields.Integer(
            required=True, strict=False, validate=validate.Range(min=1))})(unknown=EXCLUDE)
        errors = schema.validate(payload)
        if errors:
            raise ValidationError({"payload": errors})
        return dict(schema.load(payload))
    key, schema_class = _PAYLOAD_SCHEMAS[action]
    if not isinstance(payload.get(key), dict):
        raise ValidationError({"payload": {key: ["Missing data for required field."]}})
    try:
        return dict(schema_class().load(payload[key]))
    except ValidationError as exc:
        raise ValidationError({"payload": {key: exc.messages}}) from exc


def month_from_api(value: str | None) -> str | None:
    """An API date or datetime (ISO 8601) as "YYYY-MM"; anything else (or out of range) as unknown."""
    found = _API_DATE.fullmatch(value or "")
    return f"{found.group(1)}-{found.group(2)}" if found else None


def worksheet_text(custom_fields: Any, name_key: str) -> str | None:
    """The worksheet field's text from a webhook's or the API's `custom_fields` (keyed by name_key;
    the value is either the bare value or an object with a `value`)."""
    if not isinstance(custom_fields, dict):
        return None
    entry = custom_fields.get(name_key)
    value = entry.get("value") if isinstance(entry, dict) else entry
    return value if isinstance(value, str) else None
