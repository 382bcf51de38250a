"""The recruiter-facing REST API (flask-smorest), one blueprint per resource, and the OpenAPI document,
which also describes the CRM's webhook route and the write-back (webhook_docs.py)."""

from flask import Flask

from plugin.api.auth import SECURITY_SCHEME
from plugin.extensions import api


def register_api(app: Flask) -> None:
    from plugin.api.admin import SECURITY_SCHEME as ADMIN_SECURITY_SCHEME
    from plugin.api.admin import blp as admin_blp
    from plugin.api.audit import blp as audit_blp
    from plugin.api.candidates import blp as candidates_blp
    from plugin.api.connection_status import blp as connection_status_blp
    from plugin.api.explanations import blp as explanations_blp
    from plugin.api.panel_links import blp as panel_links_blp
    from plugin.api.themes import blp as themes_blp
    from plugin.api.webhook_docs import register_webhook_docs
    from plugin.api.worksheet_links import blp as worksheet_links_blp

    api.spec.components.security_scheme("bearerAuth", SECURITY_SCHEME)
    api.spec.components.security_scheme("adminToken", ADMIN_SECURITY_SCHEME)
    api.register_blueprint(candidates_blp)
    api.register_blueprint(themes_blp)
    api.register_blueprint(worksheet_links_blp)
    api.register_blueprint(explanations_blp)
    api.register_blueprint(audit_blp)
    api.register_blueprint(panel_links_blp)
    api.register_blueprint(connection_status_blp)
    api.register_blueprint(admin_blp)
    register_webhook_docs(app)
