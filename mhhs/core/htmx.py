"""One place that decides whether a request gets a whole page or just the swapped region."""
from flask import flash, make_response, redirect, render_template, request


def wants_partial():
    # Boosted links and history restores need the whole page even though htmx sent them.
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page_template, partial_template, status=200, **context):
    template = partial_template if wants_partial() else page_template
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def done(message, target, category="success"):
    """After a change: flash the message and go to target (303 for a form post, HX-Redirect for htmx)."""
    flash(message, category)
    if request.htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, 303)
