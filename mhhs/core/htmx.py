"""One place that decides whether a request gets a whole page or just the swapped region."""
from flask import make_response, render_template, request


def wants_partial():
    # Boosted links and history restores need the whole page even though htmx sent them.
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page_template, partial_template, status=200, **context):
    template = partial_template if wants_partial() else page_template
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
