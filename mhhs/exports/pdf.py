"""Renders print templates to PDF with WeasyPrint, fetching nothing but the app's own static files."""
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import abort, current_app, has_request_context, render_template
from flask_login import current_user
from limits import parse
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from ..extensions import limiter


class StaticOnlyFetcher(URLFetcher):
    """Refuses every URL that is not a file inside static/: no network, no file:// path from user text."""

    def __init__(self, root):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.root = Path(root).resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve()
        if parts.scheme != "file" or parts.netloc or not path.is_relative_to(self.root):
            raise ValueError(f"Refused to fetch {url}: only the app's own static files are used in PDFs.")
        return super().fetch(url, headers)


def _count_against_user():
    """A person may have PDF_RATE_LIMIT PDFs rendered (each a few seconds of a worker at most): beyond it, 429, so
    no one's PDFs take every worker. Counted in the limiter's storage, which every worker shares."""
    if not has_request_context() or not current_user.is_authenticated:
        return
    if not limiter.limiter.hit(parse(current_app.config["PDF_RATE_LIMIT"]), "pdf", str(current_user.get_id())):
        abort(429, description="You have asked for many PDFs in the last minute: wait a minute and ask again.")


def render_pdf(template, **context):
    _count_against_user()
    static = Path(current_app.static_folder).resolve()
    html = render_template(template, **context)
    document = HTML(string=html, base_url=static.as_uri() + "/", url_fetcher=StaticOnlyFetcher(static))
    stylesheet = CSS(filename=str(static / "css" / "print.css"), url_fetcher=StaticOnlyFetcher(static))
    return document.write_pdf(stylesheets=[stylesheet])
