"""The configuration baseline grid with each cell's history, recording a baseline, and the Retests page."""
import re

from flask import Blueprint, abort, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..core.forms import database_id, show_problems
from ..core.htmx import done, render
from ..core.pagination import paginate
from ..core.permissions import login_required, manager_required
from ..core.services import Invalid, Refused
from ..core.time import london_to_utc, utc_to_london_naive, utcnow
from ..directory.models import Environment, Organisation, OrgKind, System
from ..extensions import db
from . import baseline, services
from .forms import BaselineForm, RetestForm
from .models import Defect, Retest, Rfc
from .permissions import can_record_retest, ready_for_retest, visible_clause

bp = Blueprint("baseline", __name__)
RFC_NUMBER = re.compile(r"RFC-(\d{1,9})")


@bp.app_template_filter()
def follow_up(text):
    """A failed retest's follow-up, with an RFC number in it as a link to that RFC."""
    return Markup(RFC_NUMBER.sub(lambda m: Markup('<a href="{}">{}</a>').format(
        url_for("releases.detail", rfc_id=int(m.group(1))), m.group(0)), escape(text)))


@bp.route("/baseline")
@login_required
def grid():
    filters = dict(organisation_id=request.args.get("organisation", type=database_id),
                   system_id=request.args.get("system", type=database_id),
                   drift_only=request.args.get("drift") == "1")
    context = dict(grid=baseline.grid(**filters), filters=filters, now=utcnow())
    if request.htmx and request.htmx.target == "baseline-grid":
        return render("releases/baseline.html", "releases/_baseline_grid.html", **context)
    return render("releases/baseline.html", "releases/baseline.html",
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
    return render("releases/baseline_cell.html", "releases/_baseline_history.html", environment=environment,
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
    return render("releases/baseline_record.html", "releases/_baseline_form.html", form=form, running=running)


# Retests ---------------------------------------------------------------------------------------

def _ready(*columns):
    """Defects this user may see whose fix reached the environment that found them."""
    return select(*columns).join(Rfc, Rfc.id == Defect.rfc_id).where(visible_clause(current_user),
                                                                     Defect.ready_for_retest.is_(True))


def _retest_query(environment_id):
    return (_ready(Defect).where(Defect.found_in_id == environment_id)
            .options(joinedload(Defect.rfc).joinedload(Rfc.system), selectinload(Defect.retests)
                     .joinedload(Retest.by), joinedload(Defect.found_in))
            .order_by(Defect.id.desc()))  # newest releases first


def _retests_page(environment_id, forms=None):
    environments = db.session.scalars(select(Environment).order_by(Environment.position)).all()
    if environment_id is None:  # the first environment with something to retest
        environment_id = db.session.scalar(_ready(Defect.found_in_id).where(~Defect.retests.any()).limit(1))
    environment = next((e for e in environments if e.id == environment_id), environments[0] if environments else None)
    ready = paginate(_retest_query(environment.id).where(~Defect.retests.any()), [Defect.id], descending=True) \
        if environment else None
    retested = db.session.scalars(_retest_query(environment.id).where(Defect.retests.any()).limit(50)).all() \
        if environment else []
    forms = forms or {}
    for defect in ready.items if ready else []:
        forms.setdefault(defect.id, RetestForm(formdata=None, prefix=f"defect-{defect.id}"))
    partial = "releases/_retest_ready.html" if request.htmx and request.htmx.target == "retest-ready" \
        else "releases/retests.html"
    waiting = dict(db.session.execute(_ready(Defect.found_in_id, func.count()).where(~Defect.retests.any())
                                      .group_by(Defect.found_in_id)).all())  # each tab's count, in one query
    return render("releases/retests.html", partial, environments=environments, environment=environment, ready=ready,
                  retested=retested, forms=forms, waiting=waiting)


@bp.route("/retests")
@login_required
def retests():
    return _retests_page(request.args.get("environment", type=database_id))


@bp.route("/defects/<int:defect_id>/retest", methods=["POST"])
@login_required
def retest(defect_id):
    defect = db.session.scalar(select(Defect).join(Rfc).where(Defect.id == defect_id, visible_clause(current_user)))
    if defect is None:
        abort(404)
    target = url_for("baseline.retests", environment=defect.found_in_id)
    if not ready_for_retest(defect):
        return done(f"{defect.defect_id} is not waiting for a retest.", target, "error")
    if not can_record_retest(current_user, defect):
        abort(403)
    form = RetestForm(prefix=f"defect-{defect.id}")
    if form.validate():
        try:
            services.record_retest(current_user, defect, form.result.data, form.note.data, form.follow_up.data)
        except Invalid as invalid:
            show_problems(form, invalid)
        else:
            return done(f"Retest of {defect.defect_id} in {defect.found_in.name} recorded: {form.result.data.value}.",
                        target)
    if request.htmx:
        return render("releases/retests.html", "releases/_retest_form.html", defect=defect, form=form)
    return _retests_page(defect.found_in_id, {defect.id: form})
