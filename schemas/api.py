"""Bodies and query strings of the recruiter-facing REST API (unknown fields are refused)."""

from datetime import UTC, datetime
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from schemas.analysis import AnalysisResultSchema
from schemas.catalogue import THEME_IDS
from schemas.history import JobSchema, Text

# each filter adds a subquery; SQLite refuses expression trees deeper than 1,000
MAX_FILTER_VALUES = 20
# parsed by flask-smorest's paginate(), beside the filters
PAGINATION_ARGS = ("page", "page_size")
MAX_SEARCH_CHARS = 100
SORTS = ("recent", "strength")  # plugin.storage.pool.Sort

_theme = fields.String(validate=validate.OneOf(THEME_IDS))
_filter_count = validate.Length(max=MAX_FILTER_VALUES)


class UtcDateTime(fields.DateTime):
    """RFC 3339 with its offset: SQLite hands stored UTC datetimes back without one."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any,
                   **kwargs: Any) -> str | float | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class CandidateFilterSchema(Schema):
    """Filters for the candidate pool, shared by the API and the pool page; repeated values must all hold.
    Loaded under the names of plugin.storage.pool.filtered's arguments."""

    class Meta:
        unknown = RAISE

    themes = fields.List(_theme, data_key="theme", load_default=list, validate=_filter_count,
                         metadata={"description": "Passion theme id; repeat to require several"})
    aversions = fields.List(_theme, data_key="aversion", load_default=list, validate=_filter_count,
                            metadata={"description": "Aversion theme id the candidate must hold; repeat "
                                                     "to require several"})
    exclude_aversions = fields.List(
        _theme, data_key="exclude_aversion", load_default=list, validate=_filter_count,
        metadata={"description": "Aversion theme id the candidate must not hold; repeat to exclude "
                                 "several"})
    skills = fields.List(Text(validate=validate.Length(min=1, max=255)), data_key="skill",
                         load_default=list, validate=_filter_count,
                         metadata={"description": "ESCO skill URI, or any part of a skill's label in any "
                                                  "case; repeat to require several"})
    text = Text(data_key="q", load_default="", validate=validate.Length(max=MAX_SEARCH_CHARS),
                metadata={"description": "Words that must all appear in the name, a job title or an "
                                         "employer (any case)"})
    sort = fields.String(load_default="recent", validate=validate.OneOf(SORTS),
                         metadata={"description": "recent: latest changed first; strength: strongest "
                                                  "passions first (of the requested themes, if any)"})

    @validates_schema(pass_original=True)
    def _no_unknown_args(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        """webargs loads query strings with unknown=EXCLUDE whatever Meta says, so a typo such as
        `?themes=` would silently widen the search: refuse it here."""
        known = {field.data_key or name for name, field in self.fields.items()}
        unknown = set(original) - known - set(PAGINATION_ARGS)
        if unknown:
            raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})


class SkillRefSchema(Schema):
    id = fields.String(required=True)
    label = fields.String(required=True)


class CandidateSummarySchema(Schema):
    """A candidate as a list row: the written-back fields."""

    id = fields.String(required=True, attribute="external_id",
                       metadata={"description": "The CRM's own candidate id"})
    name = fields.String(allow_none=True, metadata={"description": "As the CRM last sent it"})
    crm_url = fields.String(allow_none=True,
                            metadata={"description": "The candidate's record in the CRM (https)"})
    status = fields.String(required=True,
                           metadata={"description": "queued, analyzed, enqueue_failed (the sweeper will "
                                                    "queue it) or failed (the engine raised; re-analyse)"})
    history_version = fields.Integer(required=True)
    passion_themes = fields.List(fields.String(), attribute="profile.passion_themes")
    aversions = fields.List(fields.String(), attribute="profile.aversions")
    mixed_themes = fields.List(fields.String(), attribute="profile.mixed_themes")
    skills = fields.List(fields.Nested(SkillRefSchema), attribute="profile.skills")
    summary = fields.String(attribute="profile.summary", allow_none=True)
    analysis_version = fields.String(attribute="profile.analysis_version", allow_none=True)
    updated_at = UtcDateTime(required=True)


class HistoryOutSchema(Schema):
    jobs = fields.List(fields.Nested(JobSchema), required=True)


class AnalysisOutSchema(Schema):
    id = fields.Integer(required=True)
    history_version = fields.Integer(required=True)
    engine_version = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    delivery_status = fields.String(
        required=True, metadata={"description": "pending, delivered, superseded or dead"})
    delivered_at = UtcDateTime(allow_none=True, metadata={"description": "when the CRM accepted it"})
    last_error = fields.String(allow_none=True, metadata={
        "description": "why the last write-back attempt failed (an HTTP status or error class, no data)"})
    result = fields.Nested(AnalysisResultSchema, required=True)


class CandidateDetailSchema(CandidateSummarySchema):
    """One candidate with their history and latest analysis, evidence included."""

    history = fields.Nested(HistoryOutSchema, required=True)
    latest_analysis = fields.Nested(AnalysisOutSchema, allow_none=True)


class ReanalyzeSchema(Schema):
    status = fields.String(required=True)
    history_version = fields.Integer(required=True)


class ThemeSchema(Schema):
    id = fields.String(required=True)
    label = fields.String(required=True)
    covers = fields.String(required=True)
    passion_count = fields.Integer(required=True,
                                   metadata={"description": "Your candidates with this passion"})


class AuditEntrySchema(Schema):
    """One entry of the connection's audit log: ids and fixed words only."""

    id = fields.Integer(required=True)
    at = UtcDateTime(required=True)
    actor = fields.String(required=True, metadata={
        "description": "recruiter (recruiter_id says which account), administrator (the pages, signed in "
                       "with the API token), crm (the API), worker, or candidate (their worksheet)"})
    recruiter_id = fields.Integer(allow_none=True)
    action = fields.String(required=True, metadata={
        "description": "analysis_stored, write_back_delivered, write_back_failed (for good), "
                       "correction_saved, correction_removed or reanalysis_requested"})
    candidate_id = fields.Integer(required=True, metadata={"description": "The candidate's internal id"})
    analysis_id = fields.Integer(allow_none=True)
    detail = fields.String(required=True, metadata={
        "description": "A history version, a theme id, or why a write-back failed"})
