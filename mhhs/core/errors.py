"""403/404/CSRF/413 handlers: a full page, or a toast partial for htmx requests."""
from flask import flash, make_response, render_template, request
from flask_wtf.csrf import CSRFError

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have access to this page.",
    404: "There is nothing here, or you do not have access to it.",
    405: "That action is not available here.",
    413: "The file is too large.",
    500: "Something went wrong on our side. Nothing you sent was half-saved; please try again.",
}


def error_response(status, message=None):
    message = message or MESSAGES[status]
    if request.htmx:
        response = make_response(render_template("errors/_toast.html", message=message), status)
        # htmx is configured to swap error responses; send them to the toast region only.
        response.headers["HX-Retarget"] = "#toasts"
        response.headers["HX-Reswap"] = "beforeend"
        return response
    return make_response(render_template("errors/page.html", status=status, message=message), status)


def register_error_handlers(app):
    for status in MESSAGES:
        app.register_error_handler(status, lambda error, s=status: error_response(s))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = "Your session form had expired, so nothing was saved. The page has been reloaded; please try again."
        if request.htmx:
            flash(message, "error")
            response = make_response("", 400)
            response.headers["HX-Refresh"] = "true"
            return response
        return make_response(render_template("errors/page.html", status=400, message=message), 400)
