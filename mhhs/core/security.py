"""Security headers on every response (static files included) and one log line per request."""
import logging
import re
import time
import uuid

from flask import g, request, session
from sqlalchemy import inspect

log = logging.getLogger("mhhs.requests")

# No inline script, style or handler anywhere: templates use htmx attributes and static files only.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def register_security(app):
    @app.before_request
    def start():
        g.started = time.perf_counter()
        # A request id from the proxy is kept (so its logs and ours match); otherwise one is made.
        g.request_id = (request.headers.get("X-Request-ID") or uuid.uuid4().hex)[:64]
        _expire_session(app)

    @app.after_request
    def headers(response):
        h = response.headers
        h["Content-Security-Policy"] = CSP
        h["X-Content-Type-Options"] = "nosniff"
        h["X-Frame-Options"] = "DENY"
        h["Referrer-Policy"] = "same-origin"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        if app.config["HSTS_SECONDS"] and (request.is_secure or app.config["SESSION_COOKIE_SECURE"]):
            h["Strict-Transport-Security"] = f"max-age={app.config['HSTS_SECONDS']}; includeSubDomains"
        h["X-Request-ID"] = g.get("request_id", "")
        # What a logged-in person (or a token) sees stays out of every cache: pages, partials, CSV, API JSON. A view
        # that answers polls conditionally says so itself ("private, no-cache": the outage board's 304 to an unchanged
        # poll, the calendar feed): kept only in the browser and checked with the server on every use.
        deliberate = "private" in h.get("Cache-Control", "")
        if (_logged_in_user_id() is not None or request.path.startswith("/api/")) and not deliberate:
            h["Cache-Control"] = "no-store"
        log_request(response.status_code)
        return response


# A calendar feed URL's secret is a credential: logs show the path with it masked.
SECRET_IN_PATH = re.compile(r"(/calendar/feed/)[^/.?\s]+")


def masked_path(path):
    return SECRET_IN_PATH.sub(r"\1***", path)


def _expire_session(app):
    """Ends a session idle for SESSION_IDLE_MINUTES or older than SESSION_ABSOLUTE_HOURS: the cookie is signed,
    so the times it carries are the server's own."""
    if "_user_id" not in session:
        return
    now = int(time.time())
    started, seen = session.get("started", now), session.get("seen", now)
    if (now - seen > app.config["SESSION_IDLE_MINUTES"] * 60
            or now - started > app.config["SESSION_ABSOLUTE_HOURS"] * 3600):
        session.clear()
        return
    session.setdefault("started", started)
    if now - seen >= 60:  # written at most once a minute, so most responses set no new cookie
        session["seen"] = now
    else:
        session.setdefault("seen", seen)


def _logged_in_user_id():
    """The id of the user the request loaded, or whose live session it checked without loading them
    (directory.sessions), if any (None for nobody, an anonymous visitor included): it never costs a query (static
    files load nobody), not even after a commit has expired the user's attributes."""
    state = inspect(g.get("_login_user"), raiseerr=False)
    return state.identity[0] if state is not None and state.identity else g.get("session_user_id")


def log_request(status):
    """request id, user id, method, path, status and duration: one line, to find a request again (nothing is worked
    out for it when the level leaves it out, e.g. LOG_LEVEL=warning)."""
    if not log.isEnabledFor(logging.INFO):
        return
    user_id = _logged_in_user_id() or "-"
    duration = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    log.info("request_id=%s user=%s %s %s %s %.1fms", g.get("request_id", "-"), user_id, request.method,
             masked_path(request.path), status, duration)
