"""The configuration baseline grid with each cell's history, and recording a baseline."""
from flask import Blueprint, abort, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..core.forms import database_id, show_problems
from ..core.htmx import done, render
from ..core.permissions import login_required, manager_required
from ..core.services import Invalid, Refused
from ..core.time import london_to_utc, utc_to_london_naive, utcnow
from ..directory.models import Environment, Organisation, OrgKind, System
from ..extensions import db
from . import services as baseline
from .forms import BaselineForm

bp = Blueprint("baseline", __name__)

@bp.route("/baseline")
@login_required
def grid():
    filters = dict(organisation_id=request.args.get("organisation", type=database_id),
                   system_id=request.args.get("system", type=database_id),
                   drift_only=request.args.get("drift") == "1")
    context = dict(grid=baseline.grid(**filters), filters=filters, now=utcnow())
    if request.htmx and request.htmx.target == "baseline-grid":
        return render("baseline/index.html", "baseline/_grid.html", **context)
    return render("baseline/index.html", "baseline/index.html",
                  organisations=db.session.scalars(select(Organisation).where(
                      Organisation.kind == OrgKind.CENTRAL_PARTY).order_by(Organisation.name)).all(),
                  systems=db.session.scalars(select(System).order_by(System.name)).all(), **context)


@bp.route("/baseline/<int:environment_id>/<int:system_id>")
@login_required
def cell(environment_id, system_id):
    """A cell's history, shown in place under the grid (or as its own page without JavaScript)."""
    environment, system = db.session.get(Environment, environment_id), db.session.get(System, system_id)
    if environment is None or system is None:
        abort(404)
    return render("baseline/cell.html", "baseline/_history.html", environment=environment,
                  system=system, history=baseline.cell_history(environment_id, system_id))


@bp.route("/baseline/record", methods=["GET", "POST"])
@manager_required
def record():
    form = BaselineForm()
    if request.method == "GET":
        form.system_id.data = request.args.get("system", type=database_id)
        form.environment_id.data = request.args.get("environment", type=database_id)
    elif form.validate():
        try:
            baseline.record_baseline(current_user, form.system_id.data, form.environment_id.data, form.version.data,
                                     london_to_utc(form.since.data), form.reason.data or "")
        except Invalid as invalid:
            show_problems(form, invalid)
        except Refused as refused:
            return done(str(refused), url_for("baseline.grid"), "error")
        else:
            return done("Baseline recorded.", url_for("baseline.grid", system=form.system_id.data))
    running = baseline.current_cells([form.system_id.data]).get((form.environment_id.data, form.system_id.data)) \
        if form.system_id.data and form.environment_id.data else None
    if form.since.data is None and request.method == "GET":
        form.since.data = utc_to_london_naive(utcnow()).replace(second=0, microsecond=0)
    return render("baseline/record.html", "baseline/_form.html", form=form, running=running)
