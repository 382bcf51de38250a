"""The candidate's passion worksheet page (plugin/worksheet): the jobs they write (the same limits as every
inbound history), their corrections, and the API's link request and answer."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from schemas.catalogue import THEME_IDS
from schemas.history import MAX_JOBS, JobSchema, Text

DEFAULT_LINK_DAYS = 14
MAX_LINK_DAYS = 90
MAX_NOTE_CHARS = 1_000
CORRECTION_KINDS = ("passion", "aversion")


class WorksheetSchema(Schema):
    """The jobs a candidate wrote, most recent first; blank job blocks are dropped before loading."""

    class Meta:
        unknown = RAISE

    jobs = fields.List(fields.Nested(JobSchema), required=True, validate=validate.Length(max=MAX_JOBS))


class CorrectionSchema(Schema):
    """"That's not me" and a note on one theme of the candidate's result."""

    class Meta:
        unknown = RAISE

    kind = fields.String(required=True, validate=validate.OneOf(CORRECTION_KINDS))
    theme = fields.String(required=True, validate=validate.OneOf(THEME_IDS))
    rejected = fields.Boolean(load_default=False)
    note = Text(load_default="", validate=validate.Length(max=MAX_NOTE_CHARS))


class WorksheetLinkRequestSchema(Schema):
    """How long the new link stays valid."""

    class Meta:
        unknown = RAISE

    days = fields.Integer(load_default=DEFAULT_LINK_DAYS,
                          validate=validate.Range(min=1, max=MAX_LINK_DAYS),
                          metadata={"description": "Days until the link expires"})


class WorksheetLinkSchema(Schema):
    """A link to send the candidate; only they should see it (it opens their worksheet)."""

    link_id = fields.String(required=True, metadata={"description": "Revoke with this id"})
    url = fields.String(required=True)
    expires_at = fields.DateTime(required=True)
