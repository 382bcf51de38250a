"""GET /api/themes: the catalogue, with how many of your candidates hold each passion."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from plugin.api.auth import current_connection, load_connection_from_token
from plugin.storage import pool
from schemas.api import ThemeSchema
from schemas.catalogue import THEMES

blp = Blueprint("themes", __name__, url_prefix="/api/themes",
                description="The passion theme catalogue (fixed ids).")
blp.before_request(load_connection_from_token)


@blp.route("")
class Themes(MethodView):
    @blp.response(200, ThemeSchema(many=True))
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self) -> list[dict]:
        """Every theme id with its label and your pool's count."""
        counts = pool.passion_counts(current_connection().id)
        return [{"id": t.id, "label": t.label, "covers": t.covers,
                 "passion_count": counts.get(t.id, 0)} for t in THEMES]
