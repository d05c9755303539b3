"""RFC pages: list, form (new/edit), detail, approval queue, decisions, deployment, closure, revisions. One module per
page and step, all on one blueprint."""
from . import approval, consultation, detail, form, index, pdf, rollout  # noqa: F401  (each adds its routes to bp)
from .blueprint import JINJA_GLOBALS, PAGE_REGIONS, bp, revision_time
from .pdf import rfc_pdf_bytes

__all__ = ["JINJA_GLOBALS", "PAGE_REGIONS", "bp", "revision_time", "rfc_pdf_bytes"]
