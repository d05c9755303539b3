"""The configuration baseline grid with each cell's history, and recording a baseline."""
from datetime import datetime, timedelta

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from ..core.changes import REFERENCE, WINDOWS, cached
from ..core.forms import database_id, show_problems
from ..core.htmx import done, render
from ..core.permissions import is_manager, login_required, manager_required
from ..core.services import Invalid, Refused
from ..core.time import london_to_utc, utc_to_london_naive, utcnow
from ..directory import choices
from . import services as baseline
from .forms import BaselineForm

bp = Blueprint("baseline", __name__)

@bp.route("/baseline")
@login_required
def grid():
    filters = dict(organisation_id=request.args.get("organisation", type=database_id),
                   system_id=request.args.get("system", type=database_id),
                   drift_only=request.args.get("drift") == "1")
    grid_html = _kept_grid(filters, utcnow())
    if request.htmx and request.htmx.target == "baseline-grid":
        response = make_response(grid_html)
        response.vary.add("HX-Request")
        return response
    return render("baseline/index.html", "baseline/index.html", organisations=choices.central_parties(),
                  systems=choices.systems(), filters=filters, grid_html=grid_html)


# What the grid reads: the cells, their history and deployments, the approved RFCs above them (WINDOWS), and the
# environments, systems and organisations (REFERENCE).
GRID = (WINDOWS, REFERENCE)


def _kept_grid(filters, now):
    """The grid (baseline/_grid.html), rendered once per process per filters and per whether the viewer is a Release
    Manager (all it shows of the viewer: the "record" links; the cells, drift and the approved RFCs above them are
    everyone's to see), and again when a counter of what it reads moves or a drift's count of days turns."""
    key = (is_manager(current_user), filters["organisation_id"], filters["system_id"], filters["drift_only"])
    return cached(_render_grid, *GRID, key=key, using=(now,), fresh=lambda copy: now < copy[0])[1]


def _render_grid(manager, organisation_id, system_id, drift_only, now):
    """(until when it holds, the rendered grid) of these filters, for a Release Manager or anyone else."""
    shown = baseline.grid(organisation_id, system_id, drift_only)
    # "differ since … (n days)": the copy holds until the first of these counts turns.
    turns = [item.since + timedelta(days=(now - item.since).days + 1) for item in shown.drift.values()]
    html = render_template("baseline/_grid.html", grid=shown, now=now, manager=manager,
                           filters=dict(organisation_id=organisation_id, system_id=system_id, drift_only=drift_only))
    return min(turns, default=datetime.max), Markup(html)


@bp.route("/baseline/<int:environment_id>/<int:system_id>")
@login_required
def cell(environment_id, system_id):
    """A cell's history, shown in place under the grid (or as its own page without JavaScript)."""
    # Their names from the reference data's copies kept per process (directory/choices.py): no query of their own.
    environment = dict(choices.environments()).get(environment_id)
    system = next((name for id, name, _owner in choices.systems() if id == system_id), None)
    if environment is None or system is None:
        abort(404)
    return render("baseline/cell.html", "baseline/_history.html", environment_id=environment_id, system_id=system_id,
                  environment=environment, system=system, history=baseline.cell_history(environment_id, system_id))


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
