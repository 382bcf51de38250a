"""Unbound extension singletons, bound to an app in create_app()."""

from datetime import datetime
from typing import Any

import flask_smorest
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import DateTime
from sqlalchemy.orm import DeclarativeBase, registry


class Base(DeclarativeBase):
    """Declarative base shared by every model; every timestamp is timezone-aware."""

    registry = registry(type_annotation_map={datetime: DateTime(timezone=True)})


class Api(flask_smorest.Api):
    """flask-smorest's Api, whose every error (routing 404s, 405s and 500s too) carries a message."""

    def handle_http_exception(self, error: Any) -> Any:
        payload, code, headers = super().handle_http_exception(error)
        payload.setdefault("message", error.description)
        return payload, code, headers

    def _register_pagination_header(self) -> None:
        """X-Pagination carries JSON text, so it is `content`, not a `schema` a client would comma-split."""
        from flask_smorest.pagination import PaginationMetadataSchema

        self.spec.components.header("PAGINATION", {
            "description": "Pagination metadata, as JSON",
            "content": {"application/json": {"schema": PaginationMetadataSchema}}}, lazy=True)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = Api()
csrf = CSRFProtect()  # WTF_CSRF_CHECK_DEFAULT is off: the pages blueprint checks its own forms
