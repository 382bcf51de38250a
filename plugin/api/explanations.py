"""GET /api/explanations/<crm id>: why one candidate of the token's connection has their tags, the JSON
twin of the printable page (both render plugin.explanation.explain).

Its own prefix rather than /api/candidates/<id>/explanation: CRM ids may contain "/", and a GET there would
be ambiguous with the candidate whose id ends in "/explanation"."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from plugin.api.auth import load_connection_from_token, own_candidate_or_404
from plugin.explanation import Explanation, explain
from schemas.explanation import ExplanationSchema

blp = Blueprint("explanations", __name__, url_prefix="/api/explanations",
                description="Why a candidate has their passion themes, aversions and skills.")
blp.before_request(load_connection_from_token)


@blp.route("/<path:external_id>")
class ExplanationById(MethodView):
    @blp.response(200, ExplanationSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self, external_id: str) -> Explanation:
        """What the latest analysis read, which part of the recurring rule made each theme (the phrases
        behind it by job, with polarity and the labeller's confidence), the skills each passion points to,
        the candidate's corrections, the engine version and the analysis time."""
        return explain(own_candidate_or_404(external_id))
