"""403/404/CSRF/413/500 handlers: a full page, or a toast partial for htmx requests; under /api/, RFC 9457 problem
details in JSON. They never fail themselves."""
import json
import logging
from urllib.parse import urlsplit

from flask import current_app, flash, make_response, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from ..extensions import db

log = logging.getLogger("mhhs.errors")

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have access to this page.",
    404: "There is nothing here, or you do not have access to it.",
    405: "That action is not available here.",
    409: "Someone else changed this at the same moment; nothing was saved. Reload and try again.",
    413: "The file is too large.",
    500: "Something went wrong on our side. Nothing you sent was half-saved; please try again.",
}


API_PREFIX = "/api/"


def needs_attention():
    """A 422's words: a read's query parameters, or a write's fields, of which nothing was saved."""
    return ("Some query parameters need attention." if request.method in ("GET", "HEAD")
            else "Some fields need attention; nothing was saved.")


def problem(status, detail, errors=None, headers=None):
    """An RFC 9457 problem-details answer; errors: [{"field": ..., "detail": ...}] for validation."""
    body = {"type": "about:blank", "title": HTTP_STATUS_CODES.get(status, "Error"), "status": status,
            "detail": detail}
    if errors:
        body["errors"] = errors
    return make_response(json.dumps(body), status, {"Content-Type": "application/problem+json", **(headers or {})})


def _own_description(error):
    """The message a view gave abort(), or None for the exception's stock text."""
    description = getattr(error, "description", None)
    return description if description and description != type(error).description else None


def _validation_errors(error):
    """webargs's {location: {field: [messages]}} as one entry per field (nested fields joined with dots)."""
    found = []

    def walk(path, value):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(path + [str(key)], inner)
        else:
            found.append({"field": ".".join(path), "detail": " ".join(map(str, value)) if isinstance(value, list)
                          else str(value)})

    for location_errors in (getattr(error, "data", None) or {}).get("messages", {}).values():
        walk([], location_errors)
    return found


def _bind_urls():
    """A request naming a host that is not allowed has no URL adapter (Flask refused to route it): bind one to
    PUBLIC_URL's host, so that the page's links (relative, never made from the Host header) still build."""
    if request_ctx.url_adapter is None:
        host = urlsplit(current_app.config["PUBLIC_URL"]).netloc
        request_ctx.url_adapter = current_app.url_map.bind(host, script_name=request.script_root or "/",
                                                           url_scheme=request.scheme)


def error_response(status, message=None, error=None):
    if status == 500:
        # Whatever failed left the transaction unusable: end it, so the page can load the user again.
        db.session.rollback()
    if status in (403, 400):
        log.warning("refused %s %s: %s (%s)", request.method, request.path, status, request.remote_addr)
    if request.path.startswith(API_PREFIX):
        headers = {"WWW-Authenticate": 'Bearer realm="Release Desk"'} if status == 401 else {}
        if getattr(error, "retry_after", None) is not None:  # a 429 says when to come back
            headers["Retry-After"] = dict(error.get_headers())["Retry-After"]
        return problem(status, message or _own_description(error) or MESSAGES.get(status)
                       or (needs_attention() if status == 422 else getattr(error, "description", "")),
                       _validation_errors(error), headers)
    message = message or MESSAGES[status]
    try:
        _bind_urls()
        if request.htmx:
            response = make_response(render_template("errors/_toast.html", message=message), status)
            # htmx is configured to swap error responses; send them to the toast region only.
            response.headers["HX-Retarget"] = "#toasts"
            response.headers["HX-Reswap"] = "beforeend"
            return response
        return make_response(render_template("errors/page.html", status=status, message=message), status)
    except Exception:  # the page itself failed (the database gone, say): plain words still reach the user
        log.exception("error page %s failed to render", status)
        return make_response(message, status, {"Content-Type": "text/plain; charset=utf-8"})


def register_error_handlers(app):
    for status in MESSAGES:
        app.register_error_handler(status, lambda error, s=status: error_response(s, error=error))

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        # 401, 415, 422, 429 and the rest: problem details under /api/, the stock answer elsewhere.
        return error_response(error.code, error=error) if request.path.startswith(API_PREFIX) else error

    @app.errorhandler(RecursionError)
    def too_deep(error):
        # JSON (or anything parsed recursively) nested thousands deep: refused, never a 500.
        db.session.rollback()
        return error_response(400, "The request is nested too deeply to read.")

    @app.errorhandler(StaleDataError)
    def lost_update(error):
        # The net under every service's own Conflict: a lost update never becomes a 500.
        db.session.rollback()
        log.warning("lost update on %s %s", request.method, request.path)
        return error_response(409)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        log.warning("refused %s %s: CSRF %s (%s)", request.method, request.path, error.description,
                    request.remote_addr)
        message = "Your session form had expired, so nothing was saved. The page has been reloaded; please try again."
        if request.htmx:
            flash(message, "error")
            response = make_response("", 400)
            response.headers["HX-Refresh"] = "true"
            return response
        return make_response(render_template("errors/page.html", status=400, message=message), 400)
