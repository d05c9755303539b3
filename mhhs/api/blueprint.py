"""The API's blueprint under /api/v1 and its OpenAPI description (flask-smorest), with every request counted per
token. init_api() imports the modules that add to the blueprint: authentication, errors and one per resource."""
import hashlib

from flask import current_app, request
from flask_smorest import Api, Blueprint

from ..core.urls import public_url
from ..extensions import csrf, limiter
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


def init_api(app):
    from . import authentication, baseline, certificates, deployments, errors, outages, rfcs  # noqa: F401 (routes)

    api = JsonApi(app, spec_kwargs={"security": [{"bearer": []}], "info": {"description": (
        "Raise and submit RFCs, record deployments, upload certificates, log outages and read the baseline from a "
        "delivery pipeline. Send a personal token made on the API tokens page as Authorization: Bearer rd_…; "
        "errors are RFC 9457 problem details.")}})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    app.extensions["openapi_spec"] = api.spec  # what /api/v1/openapi.json and the reference page show
    csrf.exempt(bp)  # a bearer token, never a cookie: nothing another site could forge
    api.register_blueprint(bp)
