"""Renders print templates to PDF with WeasyPrint (printing.py), fetching nothing but the app's own static files."""
from pathlib import Path

from flask import abort, current_app, has_request_context, render_template
from flask_login import current_user
from limits import parse

from ..extensions import limiter


def _count_against_user():
    """A person may have PDF_RATE_LIMIT PDFs rendered (each a few seconds of a worker at most): beyond it, 429, so
    no one's PDFs take every worker. Counted in the limiter's storage, which every worker shares."""
    if not has_request_context() or not current_user.is_authenticated:
        return
    if not limiter.limiter.hit(parse(current_app.config["PDF_RATE_LIMIT"]), "pdf", str(current_user.get_id())):
        abort(429, description="You have asked for many PDFs in the last minute: wait a minute and ask again.")


def render_pdf(template, **context):
    _count_against_user()
    html = render_template(template, **context)
    from .printing import write_pdf  # WeasyPrint at a worker's first PDF only (printing.py says why)
    return write_pdf(html, Path(current_app.static_folder).resolve())
