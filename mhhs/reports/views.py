"""The weekly testing and readiness report as a page and a PDF."""
from flask import Blueprint, render_template, request
from flask_login import current_user

from ..core.permissions import login_required
from ..core.time import to_london, utcnow
from ..exports.download import download
from ..exports.pdf import render_pdf
from . import weekly

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _report():
    """(report or None, the week asked for, the reason it cannot be shown)"""
    now = utcnow()
    today = to_london(now).date()
    asked = request.args.get("week") or weekly.week_name(weekly.last_complete_week(today))
    monday, problem = weekly.parse_week(asked, today)
    return (weekly.build(current_user, monday, now) if monday else None), asked, problem


@bp.route("/weekly")
@login_required
def weekly_report():
    report, asked, problem = _report()
    return render_template("reports/weekly.html", report=report, asked=asked, problem=problem)


@bp.route("/weekly.pdf")
@login_required
def weekly_pdf():
    report, asked, problem = _report()
    if report is None:
        return render_template("reports/weekly.html", report=None, asked=asked, problem=problem)
    return download(render_pdf("pdf/weekly.html", report=report), f"testing-and-readiness-{report.week}.pdf")
