"""/api/admin/connections: the operator's API, the same operations as `passion connections` through the
same service (plugin/admin). Opened by PASSION_ADMIN_TOKEN alone: no connection's token, no sign-in."""

from __future__ import annotations

import hmac
from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from plugin.admin import connections as service
from plugin.admin import setup
from schemas.connections import (
    ConnectionCreateSchema,
    ConnectionDetailSchema,
    ConnectionSchema,
    ConnectionUpdateSchema,
    CreatedConnectionSchema,
)

SECURITY_SCHEME = {"type": "http", "scheme": "bearer",
                   "description": "PASSION_ADMIN_TOKEN, the operator's token (not a connection's)."}
SECURITY: list[dict[str, list[str]]] = [{"adminToken": []}]

blp = Blueprint("admin_connections", __name__, url_prefix="/api/admin/connections",
                description="Operators: create, list, show, update and disable connections. Answers 404 "
                            "to everything while PASSION_ADMIN_TOKEN is unset.")


@blp.before_request
def require_operator_token() -> None:
    """404 while no admin token is configured (the API does not exist); else the token, compared in
    constant time, or 401. Neither the header nor the token is ever logged."""
    expected: str = current_app.config.get("ADMIN_TOKEN") or ""
    if not expected:
        abort(404, message="The admin API is off: set PASSION_ADMIN_TOKEN to turn it on.")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # bytes: compare_digest refuses str holding non-ASCII, and a header may hold latin-1
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        abort(401, message="Missing or invalid admin token.", headers={"WWW-Authenticate": "Bearer"})


def _connection_or_404(call: Any, *args: Any, **kwargs: Any) -> service.ConnectionView:
    try:
        return call(*args, **kwargs)
    except service.NoSuchConnection:
        abort(404, message="No such connection.")
    raise AssertionError("unreachable")


@blp.route("")
class Connections(MethodView):
    @blp.response(200, ConnectionSchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self) -> list[service.ConnectionView]:
        """Every connection, oldest first; which CRM credentials are set, never their values."""
        return service.list_all()

    @blp.arguments(ConnectionCreateSchema)
    @blp.response(201, CreatedConnectionSchema)
    @blp.alt_response(502, description="The CRM could not be reached; nothing was stored.")
    @blp.doc(security=SECURITY)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a connection. The CRM credentials are tried against the CRM first (Bullhorn's event
        subscription is made too), and nothing is stored if that fails: 422 when the CRM refused them,
        502 when it could not be reached. Returns the webhook URL to register and the connection's
        API token, once; CRM credentials and CRM-issued secrets are never sent back."""
        provider, name, callback_url = body.pop("provider"), body.pop("name"), body.pop("callback_url")
        try:
            created = setup.create(setup.NewConnection(provider, name, callback_url, fields=body))
        except setup.InvalidField as exc:
            abort(422, message=f"{exc.field}: {exc}", errors={"json": {exc.field: [str(exc)]}})
        except setup.CrmRefused as exc:
            abort(502 if exc.retryable else 422, message=str(exc))
        issued = created.issued
        return {"id": issued.id, "provider": created.provider, "webhook_url": issued.webhook_url,
                "secret": None if created.secret_from_crm else issued.secret, "token": issued.token,
                "next_step": created.next_step}


@blp.route("/<connection_id>")
class ConnectionById(MethodView):
    @blp.response(200, ConnectionDetailSchema)
    @blp.doc(security=SECURITY)
    def get(self, connection_id: str) -> service.ConnectionView:
        """One connection and its operations status: last event, last reconciliation and its result,
        recent failures with their reason, dead-lettered write-backs."""
        return _connection_or_404(service.show, connection_id)

    @blp.arguments(ConnectionUpdateSchema)
    @blp.response(200, ConnectionSchema)
    @blp.doc(security=SECURITY)
    def patch(self, body: dict[str, Any], connection_id: str) -> service.ConnectionView:
        """Set the https origins that may frame the connection's CRM panel (replaces the list)."""
        try:
            return _connection_or_404(service.update, connection_id, frame_ancestors=body["frame_ancestors"])
        except setup.InvalidField as exc:
            abort(422, message=f"{exc.field}: {exc}", errors={"json": {exc.field: [str(exc)]}})
        raise AssertionError("unreachable")


@blp.route("/<connection_id>/disable")
class Disable(MethodView):
    @blp.response(200, ConnectionSchema)
    @blp.doc(security=SECURITY)
    def post(self, connection_id: str) -> service.ConnectionView:
        """Refuse the connection's webhooks (403) and its API token (401); nothing is deleted."""
        return _connection_or_404(service.set_enabled, connection_id, False)


@blp.route("/<connection_id>/enable")
class Enable(MethodView):
    @blp.response(200, ConnectionSchema)
    @blp.doc(security=SECURITY)
    def post(self, connection_id: str) -> service.ConnectionView:
        """Accept the connection's webhooks and API token again."""
        return _connection_or_404(service.set_enabled, connection_id, True)
