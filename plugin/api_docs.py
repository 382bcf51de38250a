"""Serves Swagger UI's files from the swagger-ui-bundle package, so /docs works without internet."""

from flask import Blueprint
from swagger_ui_bundle import swagger_ui_path

bp = Blueprint("api_docs_assets", __name__, static_folder=swagger_ui_path,
               static_url_path="/docs/assets")
