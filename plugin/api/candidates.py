"""GET /api/candidates (filter by theme), GET one, POST re-analyse."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from plugin.api.auth import current_connection, load_connection_from_token
from plugin.extensions import db
from plugin.queue import enqueue_analysis
from plugin.storage import pool
from plugin.storage.models import Candidate, CandidateStatus
from schemas.api import (
    CandidateDetailSchema,
    CandidateFilterSchema,
    CandidateSummarySchema,
    ReanalyzeSchema,
)

blp = Blueprint("candidates", __name__, url_prefix="/api/candidates",
                description="The candidate pool of the token's connection.")
blp.before_request(load_connection_from_token)


def _candidate_or_404(external_id: str) -> Candidate:
    candidate = pool.get_candidate(current_connection().id, external_id)
    if candidate is None:
        abort(404, message="No such candidate.")
    return candidate


@blp.route("")
class Candidates(MethodView):
    @blp.arguments(CandidateFilterSchema, location="query", as_kwargs=True)
    @blp.response(200, CandidateSummarySchema(many=True))
    @blp.paginate()
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self, pagination_parameters, theme, aversion, skill):  # type: ignore[no-untyped-def]
        """Candidates whose analysis has every requested passion, aversion and skill."""
        query = pool.filtered(current_connection().id, themes=theme, aversions=aversion,
                              skills=skill)
        rows, total = pool.page(query, page=pagination_parameters.page,
                                page_size=pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return rows


# path: CRM ids may hold "/" (e.g. "people/42"), which the default converter would make unreachable
@blp.route("/<path:external_id>")
class CandidateById(MethodView):
    @blp.response(200, CandidateDetailSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self, external_id: str) -> Candidate:
        """One candidate: history, status and latest analysis with its evidence."""
        return _candidate_or_404(external_id)


@blp.route("/<path:external_id>/reanalyze")
class Reanalyze(MethodView):
    @blp.response(202, ReanalyzeSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def post(self, external_id: str) -> dict:
        """Queue an analysis of the current history: it runs when the engine changed since the last one,
        or the last one failed; an analysis by the same engine is kept (the engine is deterministic)."""
        candidate = _candidate_or_404(external_id)
        if candidate.status == CandidateStatus.FAILED:
            candidate.status = CandidateStatus.QUEUED
            db.session.commit()
        enqueue_analysis(candidate.id, candidate.history_version)
        return {"status": CandidateStatus.QUEUED.value, "history_version": candidate.history_version}
