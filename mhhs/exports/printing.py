"""WeasyPrint's side of the PDFs: the static-only fetcher and the rendering. Imported by render_pdf at a worker's
first PDF, not at start: WeasyPrint with its fonts is about 40 MB of every worker's memory, which a worker that
renders no PDF never needs."""
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher


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


def write_pdf(html, static):
    """The PDF of the HTML, with static/css/print.css, fetching nothing outside static (a resolved Path)."""
    document = HTML(string=html, base_url=static.as_uri() + "/", url_fetcher=StaticOnlyFetcher(static))
    stylesheet = CSS(filename=str(static / "css" / "print.css"), url_fetcher=StaticOnlyFetcher(static))
    return document.write_pdf(stylesheets=[stylesheet])
