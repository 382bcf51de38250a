"""POST /api/candidates/<id>/panel-link: a signed URL that opens one candidate's profile, read-only, in the
CRM's side panel for a few minutes (plugin/panel)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from plugin.api.auth import load_connection_from_token, own_candidate_or_404
from plugin.panel import links
from schemas.panel import PanelLinkSchema

blp = Blueprint("panel_links", __name__, url_prefix="/api/candidates",
                description="Signed URLs for the embedded CRM panel.")
blp.before_request(load_connection_from_token)


@blp.route("/<path:external_id>/panel-link")
class PanelLinks(MethodView):
    @blp.response(201, PanelLinkSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def post(self, external_id: str) -> links.PanelLink:
        """A new panel URL for the candidate, valid PASSION_PANEL_LINK_MINUTES (default 15). Ask for one
        each time the CRM shows the candidate and put it in the side panel's iframe; it is the
        credential, so it belongs in that iframe only, not in a CRM field or an email."""
        return links.issue(own_candidate_or_404(external_id))
