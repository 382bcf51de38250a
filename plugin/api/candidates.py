"""GET /api/candidates (filter by theme), GET one, POST re-analyse."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from kombu.exceptions import OperationalError as BrokerError

from plugin.api.auth import current_connection, load_connection_from_token, own_candidate_or_404
from plugin.extensions import db
from plugin.queue import enqueue_analysis
from plugin.receiving.ingest import mark_enqueue_failed
from plugin.storage import audit, pool
from plugin.storage.models import AuditAction, Candidate, CandidateStatus, utcnow
from schemas.api import (
    CandidateDetailSchema,
    CandidateFilterSchema,
    CandidateSummarySchema,
    ReanalyzeSchema,
)

blp = Blueprint("candidates", __name__, url_prefix="/api/candidates",
                description="The candidate pool of the token's connection.")
blp.before_request(load_connection_from_token)


@blp.route("")
class Candidates(MethodView):
    @blp.arguments(CandidateFilterSchema, location="query", as_kwargs=True)
    @blp.response(200, CandidateSummarySchema(many=True))
    @blp.paginate()
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self, pagination_parameters, **filters):  # type: ignore[no-untyped-def]
        """Candidates whose analysis has every requested passion, aversion and skill, none of the
        excluded aversions, and every word of `q` in their name, a job title or an employer."""
        query = pool.filtered(current_connection().id, **filters)
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
        return own_candidate_or_404(external_id)


@blp.route("/<path:external_id>/reanalyze")
class Reanalyze(MethodView):
    @blp.response(202, ReanalyzeSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def post(self, external_id: str) -> dict:
        """Queue an analysis of the current history: it runs when the engine changed since the last one,
        or the last one failed; an analysis by the same engine is kept (the engine is deterministic)."""
        candidate = own_candidate_or_404(external_id)
        queue_reanalysis(candidate, by=audit.CRM)
        return {"status": CandidateStatus.QUEUED.value, "history_version": candidate.history_version}


def queue_reanalysis(candidate: Candidate, *, by: audit.Who) -> None:
    """Mark the candidate waiting from now, with the request in the audit log, and queue the analysis
    (the API's and the page's button): the worker settles it back to analysed when the engine has not
    changed. Raises kombu's OperationalError when the broker is down, after recording that for the
    sweeper."""
    candidate.status = CandidateStatus.QUEUED
    candidate.queued_at = utcnow()
    audit.record(candidate, by, AuditAction.REANALYSIS_REQUESTED,
                 detail=f"history version {candidate.history_version}")
    candidate_id, version = candidate.id, candidate.history_version
    db.session.commit()
    try:
        enqueue_analysis(candidate_id, version)
    except BrokerError:
        mark_enqueue_failed(candidate_id)
        raise
