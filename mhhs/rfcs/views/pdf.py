"""An RFC as a PDF."""

from flask import current_app

from ...audit.services import history
from ...core.permissions import login_required
from ...exports.download import download
from ...exports.pdf import render_pdf
from ..models import CONTROL_POINTS
from .blueprint import _rfc_or_404, bp


@bp.route("/rfcs/<int:rfc_id>/pdf")
@login_required
def rfc_pdf(rfc_id):
    rfc = _rfc_or_404(rfc_id)
    return download(rfc_pdf_bytes(rfc), f"{rfc.number}.pdf")


def rfc_pdf_bytes(rfc):
    return render_pdf("pdf/rfc.html", rfc=rfc, audit=history(rfc), control_points=CONTROL_POINTS,
                      ticks={c.number: c for c in rfc.control_points}, programme=current_app.config["PROGRAMME_NAME"])
