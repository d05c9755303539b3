"""The JSON API for delivery pipelines (/api/v1): personal tokens with scopes, over the same services as the pages."""


def init_api(app):
    from ..extensions import csrf, limiter
    from . import (  # noqa: F401 (routes)
        allocation,
        authentication,
        baseline,
        certificates,
        deployments,
        errors,
        outages,
        participants,
        readiness,
        rfcs,
    )
    from .blueprint import JsonApi, bp

    api = JsonApi(app, spec_kwargs={"security": [{"bearer": []}], "info": {"description": (
        "Raise and submit RFCs, record deployments, upload certificates, log outages and read the baseline from a "
        "delivery pipeline. Send a personal token made on the API tokens page as Authorization: Bearer rd_…; "
        "errors are RFC 9457 problem details.")}})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    app.extensions["openapi_spec"] = api.spec  # what /api/v1/openapi.json and the reference page show
    csrf.exempt(bp)  # a bearer token, never a cookie: nothing another site could forge
    api.register_blueprint(bp)
    # The API's per-token limit is the only one the limiter keeps per request (a PDF counts itself): its hooks (the
    # check, the X-RateLimit headers, the end of its context) run for the API's requests alone, the check first of
    # the API's own before_request functions (before the token is read); no page or static file pays for them.
    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        limiters = [hook for hook in hooks[None] if _of(hook, limiter)]
        hooks[None] = [hook for hook in hooks[None] if not _of(hook, limiter)]
        hooks.setdefault(bp.name, [])[:0] = limiters


def _of(hook, extension):
    """Whether a hook function is the extension's (a bound method of it, or a partial given it)."""
    return getattr(hook, "__self__", None) is extension or extension in getattr(hook, "args", ())
