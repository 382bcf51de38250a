"""GET /api/connection/status: where the token's own connection stands (events, reconciliation,
failures, dead-lettered write-backs)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from plugin.api.auth import current_connection, load_connection_from_token
from plugin.storage.connection_status import ConnectionStatus, status_of
from schemas.connections import ConnectionStatusSchema

blp = Blueprint("connection_status", __name__, url_prefix="/api/connection",
                description="The operations status of the token's connection.")
blp.before_request(load_connection_from_token)


@blp.route("/status")
class Status(MethodView):
    @blp.response(200, ConnectionStatusSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self) -> ConnectionStatus:
        """The last webhook event, the last reconciliation and its result, recent failures with their
        reason in words, and write-backs dead-lettered or still pending; counts only, no candidate."""
        return status_of(current_connection())
