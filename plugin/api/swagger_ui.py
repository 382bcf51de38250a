"""Serves Swagger UI's files from the flask-swagger-ui package, so /docs works without internet.

Only its bundled `dist/` assets are used (flask-smorest renders the page): Swagger UI 5, since the
document is OpenAPI 3.1, which Swagger UI 4 refuses to render.
"""

from importlib import resources

from flask import Blueprint

SWAGGER_UI_DIST = str(resources.files("flask_swagger_ui").joinpath("dist"))

bp = Blueprint("api_docs_assets", __name__, static_folder=SWAGGER_UI_DIST,
               static_url_path="/docs/assets")
