"""The analysis result (the cli.md shape), as stored, written back and served by the API."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields


class LabelSchema(Schema):
    theme = fields.String(required=True)
    polarity = fields.Integer(required=True, metadata={"description": "+1 enjoys, -1 dislikes"})
    confidence = fields.Float()


class PhraseSchema(Schema):
    job = fields.Integer(required=True)
    list = fields.String(required=True, metadata={"description": "likes or dislikes"})
    index = fields.Integer(required=True)
    text = fields.String(required=True)
    labels = fields.List(fields.Nested(LabelSchema), required=True)


class EvidenceSchema(Schema):
    """Where a result comes from: a like or dislike, a job title (index 0) or a description sentence."""

    job = fields.Integer(required=True)
    list = fields.String(metadata={"description": "likes, dislikes, title or description"})
    index = fields.Integer()


class RecurringThemeSchema(Schema):
    theme = fields.String(required=True)
    label = fields.String(required=True)
    jobs = fields.List(fields.Integer(), required=True, metadata={"description": "job indexes"})
    strength = fields.Float(required=True)
    evidence = fields.List(fields.Nested(EvidenceSchema),
                           metadata={"description": "the phrases behind the theme"})


class MixedThemeSchema(Schema):
    theme = fields.String(required=True)
    label = fields.String(required=True)
    liked_in = fields.List(fields.Integer(), required=True)
    disliked_in = fields.List(fields.Integer(), required=True)


class SkillSchema(Schema):
    id = fields.String(required=True, metadata={"description": "ESCO skill URI"})
    label = fields.String(required=True)
    source = fields.String(metadata={"description": "theme or text"})
    themes = fields.List(fields.String())
    evidence = fields.List(fields.Nested(EvidenceSchema))


class AnalysisResultSchema(Schema):
    candidate_id = fields.String(required=True)
    analysis_version = fields.String(required=True)
    history_hash = fields.String(required=True)
    phrases = fields.List(fields.Nested(PhraseSchema), required=True)
    passions = fields.List(fields.Nested(RecurringThemeSchema), required=True)
    aversions = fields.List(fields.Nested(RecurringThemeSchema), required=True)
    mixed = fields.List(fields.Nested(MixedThemeSchema), required=True)
    skills = fields.List(fields.Nested(SkillSchema), required=True)
    summary = fields.String(required=True)


def dump_analysis(result: object) -> dict[str, Any]:
    """The engine's typed result as stored JSON, checked against the schema on its way out."""
    schema = AnalysisResultSchema()
    data: dict[str, Any] = schema.dump(result)
    errors = schema.validate(data)
    if errors:
        raise ValueError(f"analysis result does not match its schema: {sorted(errors)}")
    return data
