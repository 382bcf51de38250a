"""GET /api/audit: the token's connection's audit log, newest first."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from plugin.api.auth import current_connection, load_connection_from_token
from plugin.storage import audit, pool
from plugin.storage.models import AuditEntry
from schemas.api import AuditEntrySchema

blp = Blueprint("audit", __name__, url_prefix="/api/audit",
                description="Who did what to the connection's analyses, and when.")
blp.before_request(load_connection_from_token)


@blp.route("")
class AuditLog(MethodView):
    @blp.response(200, AuditEntrySchema(many=True))
    @blp.paginate()
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self, pagination_parameters) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
        """Analyses stored, write-backs delivered or failed for good, candidates' corrections and
        re-analysis requests; ids only. A candidate's entries are erased with the candidate."""
        rows, total = pool.page(audit.newest_first(current_connection().id),
                                page=pagination_parameters.page, page_size=pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return rows
