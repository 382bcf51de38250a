"""POST /api/candidates/<id>/worksheet-link: a personal worksheet link for one candidate of the token's
connection; DELETE …/worksheet-links/<link id> withdraws one."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from plugin.api.auth import load_connection_from_token, own_candidate_or_404
from plugin.storage import worksheets
from plugin.worksheet import links
from schemas.candidate_worksheet import DEFAULT_LINK_DAYS, WorksheetLinkRequestSchema, WorksheetLinkSchema

blp = Blueprint("worksheet_links", __name__, url_prefix="/api/candidates",
                description="Candidates' personal passion-worksheet links.")
blp.before_request(load_connection_from_token)


@blp.route("/<path:external_id>/worksheet-link")
class WorksheetLinks(MethodView):
    @blp.arguments(WorksheetLinkRequestSchema(), required=False)
    @blp.response(201, WorksheetLinkSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def post(self, args: dict, external_id: str) -> links.IssuedLink:
        """A new signed link to the candidate's worksheet, valid `days` (default 14) unless withdrawn.
        Send it to the candidate only: it opens their worksheet and result without signing in."""
        candidate = own_candidate_or_404(external_id)
        return links.issue(candidate.id, days=args.get("days", DEFAULT_LINK_DAYS))


@blp.route("/<path:external_id>/worksheet-links/<link_id>")
class WorksheetLinkById(MethodView):
    @blp.response(204)
    @blp.doc(security=[{"bearerAuth": []}])
    def delete(self, external_id: str, link_id: str) -> None:
        """Withdraw a link: it opens nothing from now on (the candidate's saved answers stay)."""
        candidate = own_candidate_or_404(external_id)
        if not worksheets.revoke(link_id, candidate_id=candidate.id):
            abort(404, message="No such open link for this candidate.")
