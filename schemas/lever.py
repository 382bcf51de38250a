"""Lever webhook bodies (unknown fields excluded): the signed pair `token` + `triggeredAt` and the event.

Only `token` and `triggeredAt` are signed, so the rest of the body is a pointer at most: which contact to
read from the API, never data to store."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from schemas.history import MAX_ID_CHARS, Identifier

# an event about a person (a contact and its opportunities): the worker must read it from the API
CHANGE_EVENTS = ("applicationCreated", "candidateStageChange", "candidateArchiveChange", "candidateHired",
                 "contactCreated", "contactUpdated")
DELETE_EVENT = "candidateDeleted"
# triggeredAt in epoch milliseconds, 2001 to 2100: a number beyond is not a time Lever sent
EARLIEST_MS, LATEST_MS = 10**12, 4_102_444_800_000


class SignedPartSchema(Schema):
    """What the signature covers; read before anything else in the body is trusted."""

    class Meta:
        unknown = EXCLUDE

    token = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    triggeredAt = fields.Integer(required=True, strict=True,  # noqa: N815 - Lever's field name
                                 validate=validate.Range(min=EARLIEST_MS, max=LATEST_MS))
    signature = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-fA-F]{64}$"))


class LeverDataSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    contactId = Identifier(load_default=None, allow_none=True,  # noqa: N815
                           validate=validate.Length(min=1, max=MAX_ID_CHARS))
    candidateId = Identifier(load_default=None, allow_none=True,  # noqa: N815
                             validate=validate.Length(min=1, max=MAX_ID_CHARS))
    opportunityId = Identifier(load_default=None, allow_none=True,  # noqa: N815
                               validate=validate.Length(min=1, max=MAX_ID_CHARS))


class LeverEventSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    event = fields.String(required=True, validate=validate.Length(min=1, max=64))
    triggeredAt = fields.Integer(required=True, strict=True)  # noqa: N815
    data = fields.Nested(LeverDataSchema, load_default=None, allow_none=True)
