"""The explanation of one candidate's tags (GET /api/explanations/<crm id>), dumped from the typed
plugin.explanation.Explanation that the printable page renders too."""

from __future__ import annotations

from marshmallow import Schema, fields

from schemas.api import UtcDateTime

RULES = ("only_job", "two_jobs", "ahead_by_two", "mixed")


class JobReadSchema(Schema):
    number = fields.Integer(required=True, metadata={"description": "1 is the most recent job"})
    name = fields.String(required=True, metadata={"description": "Title and employer (\"Job N\" when the "
                                                                 "analysis read an earlier history)"})
    likes = fields.List(fields.String(), required=True, metadata={"description": "As the analysis read them"})
    dislikes = fields.List(fields.String(), required=True)


class PhraseReadSchema(Schema):
    text = fields.String(required=True)
    listed_as = fields.String(required=True, metadata={"description": "likes or dislikes"})
    polarity = fields.Integer(required=True, metadata={"description": "+1 enjoys, -1 dislikes"})
    confidence = fields.Float(required=True, metadata={"description": "The labeller's confidence, 0-1"})


class JobEvidenceSchema(Schema):
    job = fields.Integer(required=True, metadata={"description": "The job's number, 1 the most recent"})
    job_name = fields.String(required=True)
    phrases = fields.List(fields.Nested(PhraseReadSchema), required=True)


class SkillPointerSchema(Schema):
    id = fields.String(required=True, metadata={"description": "ESCO skill URI"})
    label = fields.String(required=True)
    esco_url = fields.String(allow_none=True, metadata={"description": "The skill's ESCO page"})
    source = fields.String(required=True, metadata={"description": "theme (a passion) or text (the job's "
                                                                   "own text)"})


class CorrectionShownSchema(Schema):
    kind = fields.String(required=True, metadata={"description": "passion or aversion"})
    theme = fields.String(required=True)
    label = fields.String(required=True)
    rejected = fields.Boolean(required=True, metadata={"description": "The candidate said \"that's not me\""})
    note = fields.String(required=True, metadata={"description": "The candidate's own note"})
    at = UtcDateTime(required=True)


class ThemeExplainedSchema(Schema):
    kind = fields.String(required=True, metadata={"description": "passion, mixed or aversion"})
    theme = fields.String(required=True)
    label = fields.String(required=True)
    liked_jobs = fields.Integer(required=True, metadata={"description": "Jobs with a phrase enjoying it"})
    disliked_jobs = fields.Integer(required=True, metadata={"description": "Jobs with a phrase disliking it"})
    rule = fields.String(required=True, metadata={
        "description": "The part of the recurring rule that made it: " + ", ".join(RULES)})
    reason = fields.String(required=True, metadata={"description": "The rule, in words"})
    evidence = fields.List(fields.Nested(JobEvidenceSchema), required=True,
                           metadata={"description": "Every phrase read with this theme, by job"})
    skills = fields.List(fields.Nested(SkillPointerSchema), required=True,
                         metadata={"description": "The skills a passion points to"})
    correction = fields.Nested(CorrectionShownSchema, allow_none=True)


class ExplanationSchema(Schema):
    """What was read, which rule made each theme, the skills, the corrections, and when."""

    candidate_id = fields.String(required=True, metadata={"description": "The CRM's own candidate id"})
    name = fields.String(allow_none=True)
    analysed = fields.Boolean(required=True)
    analysed_at = UtcDateTime(allow_none=True)
    engine_version = fields.String(allow_none=True)
    history_version = fields.Integer(allow_none=True, metadata={"description": "The history version read"})
    current = fields.Boolean(required=True, metadata={
        "description": "false while a newer history waits for analysis"})
    jobs = fields.List(fields.Nested(JobReadSchema), required=True)
    themes = fields.List(fields.Nested(ThemeExplainedSchema), required=True,
                         metadata={"description": "Passions, then mixed themes, then aversions"})
    skills = fields.List(fields.Nested(SkillPointerSchema), required=True)
    corrections = fields.List(fields.Nested(CorrectionShownSchema), required=True)
    not_a_score = fields.String(required=True)
