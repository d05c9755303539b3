"""The API's blueprint under /api/v1 and its OpenAPI description (flask-smorest), with every request counted per
token; mhhs.api.init_api() imports the modules that add to it."""
import hashlib

from flask import current_app, request
from flask_smorest import Api, Blueprint

from ..core.urls import public_url
from ..extensions import limiter
from .schemas import Problem

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="Release Desk for delivery pipelines.")


def _rate_key():
    """Requests are counted per token (per secret sent, so a guessing client is limited too)."""
    return hashlib.sha256(request.headers.get("Authorization", "").encode()).hexdigest()


limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_rate_key)(bp)


def next_link(page, endpoint):
    """The next page's URL (the list's filters and the cursor after its last row), or None on the last page; under
    PUBLIC_URL, never the request's Host."""
    return public_url(endpoint, **page.base_args, **page.next_args) if page.has_next else None


class JsonApi(Api):
    """flask-smorest for the OpenAPI description; errors are the app's own handlers' (problem details under /api/)."""

    ERROR_SCHEMA = Problem

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        # The error responses it describes are problem details, as core/errors.py sends them.
        self.DEFAULT_RESPONSE_CONTENT_TYPE = "application/problem+json"
        try:
            super()._register_responses()
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE  # the class's application/json again, for the answers
