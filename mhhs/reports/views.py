"""The weekly testing and readiness report as a page and a PDF."""
from datetime import timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user
from markupsafe import Markup

from ..core.changes import cached
from ..core.permissions import login_required
from ..core.time import to_london, utcnow
from ..core.viewer import viewer_of
from ..exports.download import download
from ..exports.pdf import render_pdf
from ..readiness.counts import ready_counts
from . import weekly

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _report():
    """(report or None, the week asked for, the reason it cannot be shown)"""
    now = utcnow()
    asked, monday, problem = _asked(now)
    return (weekly.build(current_user, monday, now) if monday else None), asked, problem


def _asked(now):
    """(the week asked for, its Monday or None, the reason it cannot be shown)"""
    today = to_london(now).date()
    asked = request.args.get("week") or weekly.week_name(weekly.last_complete_week(today))
    monday, problem = weekly.parse_week(asked, today)
    return asked, monday, problem


def _no_report(asked, problem):
    return render_template("reports/weekly.html", body=None, asked=asked, problem=problem)


@bp.route("/weekly")
@login_required
def weekly_report():
    now = utcnow()
    asked, monday, problem = _asked(now)
    if monday is None:
        return _no_report(asked, problem)
    body = _ended_week_body(monday) if weekly.ended(monday, now) else _body(current_user, monday, now)[1]
    return render_template("reports/weekly.html", body=body, week=weekly.week_name(monday), monday=monday,
                           sunday=monday + timedelta(days=6), asked=asked, problem=problem)


# Ended weeks' reports kept per process, per viewer and week: every organisation's last week and a few more (about
# 20 KB each at programme scale: a few MB per worker at most).
KEPT_REPORTS = 128


def _ended_week_body(monday):
    """An ended week's report as the user sees it, rendered once per process per viewer (role and organisation) and
    week while what it reads stands (weekly.ENDED_WEEK_READ) and the participants' readiness it shows, as it stands
    now, is the same (that changes with time too: readiness.counts)."""
    return cached(_body, *weekly.ENDED_WEEK_READ, key=(viewer_of(current_user), monday), using=(utcnow(),),
                  keep=KEPT_REPORTS, fresh=lambda copy: copy[0] == ready_counts())[1]


def _body(_viewer, monday, now):
    """(the readiness counts it shows, the week's report rendered) as the request's user (whose viewer is the key's
    when kept) sees it at `now`."""
    report = weekly.build(current_user, monday, now)
    return report.readiness.ready, Markup(render_template("reports/_weekly_body.html", report=report))


@bp.route("/weekly.pdf")
@login_required
def weekly_pdf():
    report, asked, problem = _report()
    if report is None:
        return _no_report(asked, problem)
    return download(render_pdf("pdf/weekly.html", report=report), f"testing-and-readiness-{report.week}.pdf")
