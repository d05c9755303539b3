"""403/404/CSRF/413/500 handlers: a full page, or a toast partial for htmx requests. They never fail themselves."""
import logging

from flask import flash, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError

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


def error_response(status, message=None):
    message = message or MESSAGES[status]
    if status == 500:
        # Whatever failed left the transaction unusable: end it, so the page can load the user again.
        db.session.rollback()
    if status in (403, 400):
        log.warning("refused %s %s: %s (%s)", request.method, request.path, status, request.remote_addr)
    try:
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
        app.register_error_handler(status, lambda error, s=status: error_response(s))

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
