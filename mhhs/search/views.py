"""The search page: the header's box sends its words here; htmx swaps the results as one types."""
from flask import Blueprint, request, url_for
from flask_login import current_user

from ..core.forms import search_text
from ..core.htmx import render
from ..core.permissions import login_required
from ..core.search import RESULT_LIMIT
from . import services

bp = Blueprint("search", __name__)


def link(document):
    """Where a result leads: the object's own page (a defect's RFC; a system's RFCs)."""
    if document.kind == "rfc":
        return url_for("rfcs.detail", rfc_id=document.object_id)
    if document.kind == "defect":
        return url_for("rfcs.detail", rfc_id=document.parent_id)
    if document.kind == "outage":
        return url_for("outages.detail", outage_id=document.object_id)
    if document.kind == "certificate":
        return url_for("certificates.detail", certificate_id=document.object_id)
    return url_for("rfcs.rfcs", system=document.object_id)


@bp.route("/search")
@login_required
def search():
    query = search_text(request.args.get("q"))
    found = services.find(current_user, query) if query else None
    return render("search/index.html", "search/_results.html", query=query or "", found=found,
                  more=found is not None and len(found) > RESULT_LIMIT, limit=RESULT_LIMIT, link=link,
                  labels=services.LABELS)
