"""RFC pages: list, form (new/edit), detail, approval queue, decisions, deployment, closure, revisions."""
from datetime import datetime

from flask import Blueprint, abort, current_app, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..audit.services import history
from ..core.db import reads_first
from ..core.htmx import done, render
from ..core.pagination import paginate_sorted, sort_of
from ..core.forms import database_id, form_values, search_text, show_problems
from ..core import registry
from ..core.permissions import is_manager, login_required, manager_required, role_required
from ..core.services import Invalid, Refused
from ..core.time import format_london, london_to_utc, utc_to_london_naive, utcnow
from ..directory.models import Environment, Organisation, System
from ..exports.download import download
from ..exports.pdf import render_pdf
from ..extensions import db
from ..windows import clashes as windows
from ..windows.release_slot import slot_text, weekly_slot
from . import queries, services, targets
from .clashes import clashes, next_free_window
from .forms import (ClosureForm, ControlPointForm, DecisionForm, DeploymentForm, GovernanceForm, RfcForm,
                    WorkOffActionForm)
from .models import CONTROL_POINTS, Rfc, WorkOffAction
from .permissions import (can_raise_rfc, owns_rfc, phases_to_decide,
                          takes_part_in_rollout)
from .rules import (control_point_applies, control_point_short, control_point_text, deviation_text, open_by_hand,
                    outcome_summary)
from .states import Decision, ReleaseType, RfcStatus

bp = Blueprint("rfcs", __name__)
# What the RFC page shows from the packages above this one ((rfc, user) -> its template's context, registered in
# create_app: the release-note regions).
PAGE_REGIONS = "rfcs.page_regions"
# What the RFC templates ask beside the permissions (registered as Jinja globals in create_app).
JINJA_GLOBALS = {f.__name__: f for f in (queries.outside_availability, targets.drift_warning, control_point_applies,
                                         control_point_text, control_point_short, outcome_summary, deviation_text,
                                         services.version_order_text, services.revision_changes,
                                         services.out_of_order_text)}
JINJA_GLOBALS["RfcStatus"] = RfcStatus  # for links that filter the RFC list by a status
central_party = role_required(can_raise_rfc)


def revision_time(value):
    """A time frozen in a revision (ISO, UTC) as people write it: Europe/London."""
    return format_london(datetime.fromisoformat(value)) + " (Europe/London)"


DECISIONS = {"approve": Decision.APPROVED, "reject": Decision.REJECTED, "request_changes": Decision.CHANGES_REQUESTED}


def _rfc_or_404(rfc_id):
    return services.rfc_or_404(current_user, rfc_id)


def _enum_arg(name, enum):
    value = request.args.get(name)
    return enum(value) if value in {m.value for m in enum} else None


# List -----------------------------------------------------------------------------------------

@bp.route("/rfcs")
@login_required
def rfcs():
    filters = dict(status=_enum_arg("status", RfcStatus),
                   system_id=request.args.get("system", type=database_id),
                   release_type=_enum_arg("type", ReleaseType),
                   environment_id=request.args.get("environment", type=database_id),
                   text=search_text(request.args.get("q")),
                   follow_up=request.args.get("follow_up") if request.args.get("follow_up") in queries.FOLLOW_UPS
                   else None,
                   work_set=request.args.get("set") if request.args.get("set") in queries.WORK_SETS else None)
    sort = sort_of(queries.RFC_SORTS, "number")
    page = paginate_sorted(queries.rfc_list_query(current_user, now=utcnow(), **filters), sort)
    context = dict(page=page, sort=sort, filters=filters, RfcStatus=RfcStatus, ReleaseType=ReleaseType,
                   follow_ups=queries.FOLLOW_UPS,
                   work_set=queries.WORK_SETS[filters["work_set"]][0] if filters["work_set"] else None)
    if request.htmx and request.htmx.target == "rfc-rows":
        return render("rfcs/list.html", "rfcs/_list_rows.html", **context)
    return render("rfcs/list.html", "rfcs/list.html",
                  systems=db.session.scalars(select(System).order_by(System.name)).all(),
                  environments=db.session.scalars(select(Environment).order_by(Environment.position)).all(),
                  **context)


# The RFC form ---------------------------------------------------------------------------------

def _form_page(form, rfc, status=200, suggestion=None, saved=False):
    """saved: the answer to a refused submit whose content was kept as a draft (its error summary says so)."""
    hint = services.version_context(current_user, form.system_id.data, form.release_type.data, form.version.data,
                                    rfc.id)
    return render("rfcs/form_page.html", "rfcs/_form.html", status=status, form=form, rfc=rfc, hint=hint,
                  suggestion=suggestion, saved=saved)


def _suggest_window(form, rfc):
    """Fills in the next free window (windows/clashes.py) of the typed length, or of an hour; returns what to
    say about it. Nothing is saved."""
    system = db.session.get(System, form.system_id.data) if form.system_id.data else None
    needs = [(form.system_id, "Choose the system first: the window must fall within its support hours.",
              system is None or system.organisation_id != current_user.organisation_id),
             (form.release_type, "Choose the release type first: it sets the notice needed.",
              not form.release_type.data),
             (form.environment_ids, "Choose the target environments first.", not form.environment_ids.data)]
    for f, message, missing in needs:
        if missing:
            f.errors = list(f.errors) + [message]
    if any(missing for *_, missing in needs):
        return None
    start, end = form.window_start.data, form.window_end.data
    length = end - start if start and end and end > start else windows.DEFAULT_LENGTH
    found = next_free_window(system, form.release_type.data, form.environment_ids.data, length, utcnow(), rfc.id)
    if found is None:
        return (f"No free window of {windows.length_text(length)} in the next 90 days: choose one by hand and "
                "look at its clashes.")
    for f, moment in zip((form.window_start, form.window_end), found):
        f.data, f.raw_data = utc_to_london_naive(moment), None  # shown from data, not from what was typed
    slot = (f" in the weekly release slot ({slot_text(weekly_slot())}, RCM Table 3)"
            if windows.in_weekly_slot(*found) else "")
    return (f"Suggested the earliest free window of {windows.length_text(length)}{slot}: {format_london(found[0])}–"
            f"{format_london(found[1], '%H:%M')}, within {system.name}'s support hours and clear of other "
            "windows, planned outages and freezes. Save to keep it.")


def _apply_row_action(form, action):
    """Adds, removes or carries in release-note rows; returns True when the action was one of these
    (a malformed one, such as "remove_defect:x", changes nothing and re-shows the form)."""
    name, _, argument = action.partition(":")
    index = int(argument) if argument.isdigit() and len(argument) < 10 else None
    if action == "add_defect":
        form.defects.append_entry()
    elif action == "add_change_request":
        form.change_requests.append_entry()
    elif name in ("remove_defect", "remove_change_request"):
        rows = form.defects if name == "remove_defect" else form.change_requests
        kept = [row.data for i, row in enumerate(rows) if i != index]
        while len(rows):
            rows.pop_entry()
        for data in kept:
            rows.append_entry(data)
    elif name == "carry":
        emergency = services.get_visible(current_user, index) if index else None
        present = {row.defect_id.data for row in form.defects}
        for defect in emergency.defects if emergency else []:
            if defect.defect_id not in present:
                form.defects.append_entry({"defect_id": defect.defect_id, "severity": defect.severity,
                                           "summary": defect.summary, "found_in_id": defect.found_in_id,
                                           "blocking": defect.blocking})
    else:
        return False
    form.fill_row_choices()
    return True


def _fill_from(form, rfc):
    for name in services.CONTENT_FIELDS:
        if name not in ("window_start", "window_end"):
            form[name].data = getattr(rfc, name)
    form.window_start.data = utc_to_london_naive(rfc.window_start)
    form.window_end.data = utc_to_london_naive(rfc.window_end)
    form.environment_ids.data = [e.id for e in rfc.environments]
    for defect in rfc.defects:
        form.defects.append_entry({"defect_id": defect.defect_id, "severity": defect.severity,
                                   "summary": defect.summary, "found_in_id": defect.found_in_id,
                                   "blocking": defect.blocking})
    for cr in rfc.change_requests:
        form.change_requests.append_entry({"cr_id": cr.cr_id, "title": cr.title, "summary": cr.summary})
    form.row_version.data = rfc.row_version
    form.fill_row_choices()


@bp.route("/rfcs/new", methods=["GET", "POST"])
@bp.route("/rfcs/<int:rfc_id>/edit", methods=["GET", "POST"])
@reads_first
@central_party
def edit(rfc_id=None):
    rfc = _rfc_or_404(rfc_id) if rfc_id else Rfc(revision=0, status=RfcStatus.DRAFT)
    if rfc_id and not owns_rfc(current_user, rfc):
        abort(404)
    try:
        if rfc_id:
            services.check_may_edit(current_user, rfc)
    except Refused as refused:
        return done(str(refused), url_for("rfcs.detail", rfc_id=rfc.id), "error")
    form = RfcForm(current_user)
    if request.method == "GET":
        if rfc_id:
            _fill_from(form, rfc)
        return _form_page(form, rfc)

    action = request.form.get("action", "save")
    if _apply_row_action(form, action) or not form.validate():
        return _form_page(form, rfc)
    if action == "suggest_window":
        return _form_page(form, rfc, suggestion=_suggest_window(form, rfc))
    try:
        services.save_draft(current_user, rfc, form.content(), form.row_version.data or None,
                            submit=action == "submit")
    except Invalid as invalid:
        show_problems(form, invalid)
        form.row_version.data = rfc.row_version
        # Its error summary says what was kept (never a flash: an htmx answer does not show it, the next page would).
        return _form_page(form, rfc, saved=bool(rfc.id) and action == "submit")
    except Refused as refused:
        return done(str(refused), url_for("rfcs.detail", rfc_id=rfc.id) if rfc.id else url_for("rfcs.rfcs"),
                     "error")
    if action == "submit":
        return done(f"{rfc.number} submitted (revision {rfc.revision}).", url_for("rfcs.detail", rfc_id=rfc.id))
    return done(f"{rfc.number} saved as a draft.", url_for("rfcs.edit", rfc_id=rfc.id))


@bp.route("/rfcs/version-hint")
@central_party
def version_hint():
    form = RfcForm(current_user, formdata=request.args)
    hint = services.version_context(current_user, form.system_id.data, form.release_type.data,
                           None if request.args.get("propose") else form.version.data,
                           request.args.get("rfc_id", type=database_id))
    if request.args.get("propose") and hint.get("proposal"):
        form.version.data = hint["proposal"]
    return render_template("rfcs/_version.html", form=form, hint=hint)


# Detail ---------------------------------------------------------------------------------------

@bp.route("/rfcs/<int:rfc_id>")
@login_required
def detail(rfc_id):
    return _detail_page(_rfc_or_404(rfc_id))


def _detail_page(rfc, closure_form=None, action_form=None):
    outstanding = [(e, ids) for e, ids in services.outstanding_emergency_fixes(rfc.system_id) if e.id == rfc.id] \
        if rfc.release_type == ReleaseType.EMERGENCY and rfc.is_public else []
    return render("rfcs/detail.html", "rfcs/detail.html", rfc=rfc, audit=history(rfc), outstanding=outstanding,
                  decision_form=DecisionForm(row_version=rfc.row_version), governance_form=GovernanceForm(),
                  closure_form=closure_form or ClosureForm(obj=rfc), phases=phases_to_decide(current_user, rfc),
                  clashes=clashes([rfc], current_user).get(rfc.id, []) if rfc.is_checked_for_clashes else [],
                  notice_given=queries.notice_given(rfc),
                  overtaken=services.overtaken_by([rfc]).get(rfc.id),
                  actions=services.work_off_actions(rfc), action_form=action_form or WorkOffActionForm(),
                  out_of_order=services.deployed_out_of_order([rfc]).get(rfc.id) if rfc.is_submitted else None,
                  **_control_point_context(rfc),
                  **{k: v for region in registry.functions(PAGE_REGIONS) for k, v in region(rfc, current_user).items()})


def _control_point_context(rfc):
    running, base, met = targets.target_baseline(rfc)
    return dict(control_points=CONTROL_POINTS, ticks={c.number: c for c in rfc.control_points},
                to_settle=open_by_hand(rfc),
                target_baseline=running, builds_on=base, baseline_met=met, cp_form=ControlPointForm(formdata=None))


@bp.route("/rfcs/<int:rfc_id>/revisions/<int:number>")
@login_required
def revision(rfc_id, number):
    rfc = _rfc_or_404(rfc_id)
    revisions = {r.number: r for r in rfc.revisions}
    if number not in revisions:
        abort(404)
    current, previous = revisions[number], revisions.get(number - 1)
    changes = [key for key in current.content if previous and previous.content.get(key) != current.content[key]]
    return render("rfcs/revision.html", "rfcs/revision.html", rfc=rfc, revision=current,
                  previous=previous, changes=changes)


@bp.route("/rfcs/<int:rfc_id>/withdraw", methods=["POST"])
@reads_first
@central_party
def withdraw(rfc_id):
    rfc = _rfc_or_404(rfc_id)
    if not owns_rfc(current_user, rfc):
        abort(404)
    try:
        services.withdraw(current_user, rfc, request.form.get("row_version"))
    except Refused as refused:
        return done(str(refused), url_for("rfcs.detail", rfc_id=rfc.id), "error")
    return done(f"{rfc.number} withdrawn.", url_for("rfcs.detail", rfc_id=rfc.id))


# Approval -------------------------------------------------------------------------------------

def _queue_context(rfcs):
    """What each queue row shows beside the RFC itself, computed for the page's rows only."""
    return dict(clashes=clashes(rfcs, current_user), notice_given=queries.notice_given,
                overtaken=services.overtaken_by(rfcs), open_points={r.id: open_by_hand(r) for r in rfcs},
                sit_pairs=targets.sit_pair_warnings(rfcs), out_of_order=services.deployed_out_of_order(rfcs))


def _queue_filters():
    return dict(release_type=_enum_arg("type", ReleaseType),
                environment_id=request.args.get("environment", type=database_id),
                organisation_id=request.args.get("organisation", type=database_id),
                text=search_text(request.args.get("q")))


@bp.route("/approvals")
@manager_required
def approvals():
    filters = _queue_filters()
    query, order = queries.queue_query(current_user, **filters)
    sort = sort_of(queries.queue_sorts(order), "window")
    page = paginate_sorted(query, sort)
    context = dict(page=page, sort=sort, filters=filters, ReleaseType=ReleaseType, **_queue_context(page.items))
    if request.htmx and request.htmx.target == "queue-rows":
        return render("rfcs/approvals.html", "rfcs/_queue_rows.html", **context)
    return render("rfcs/approvals.html", "rfcs/approvals.html",
                  environments=db.session.scalars(select(Environment).order_by(Environment.position)).all(),
                  organisations=db.session.scalars(select(Organisation).where(Organisation.kind == "central_party")
                                                   .order_by(Organisation.name)).all(), **context)


@bp.route("/rfcs/<int:rfc_id>/decide", methods=["POST"])
@reads_first
@manager_required
def decide(rfc_id):
    rfc = _rfc_or_404(rfc_id)
    decision = DECISIONS.get(request.form.get("decision"))
    form = DecisionForm()
    error = None
    if decision is None or not form.validate():
        error = "Choose Approve, Reject or Request changes."
    else:
        try:
            services.decide(current_user, rfc, decision, form.comment.data, form.row_version.data or None)
        except Invalid as invalid:
            error = invalid.problems["comment"]
        except Refused as refused:
            error = str(refused)
            db.session.refresh(rfc)
    if request.htmx and request.form.get("from") == "queue":
        return render_template("rfcs/_queue_row.html", rfc=rfc, error=error, comment=form.comment.data,
                               done=None if error else decision, **_queue_context([rfc]))
    target = url_for("rfcs.approvals") if request.form.get("from") == "queue" else \
        url_for("rfcs.detail", rfc_id=rfc.id)
    if error:
        return done(error, target, "error")
    return done(f"{rfc.number}: {decision.value}.", target)


@bp.route("/rfcs/<int:rfc_id>/governance", methods=["POST"])
@reads_first
@manager_required
def governance(rfc_id):
    rfc = _rfc_or_404(rfc_id)
    form = GovernanceForm()
    if not form.validate():
        return done(" ".join(e for errors in form.errors.values() for e in errors),
                     url_for("rfcs.detail", rfc_id=rfc.id), "error")
    try:
        services.record_governance(current_user, rfc, form.gng_reference.data, form.gng_date.data)
    except Refused as refused:
        return done(str(refused), url_for("rfcs.detail", rfc_id=rfc.id), "error")
    return done("Governance approval recorded.", url_for("rfcs.detail", rfc_id=rfc.id))


@bp.route("/rfcs/<int:rfc_id>/control-points", methods=["POST"])
@reads_first
@manager_required
def tick(rfc_id):
    """Ticks control points (with their evidence) or marks them not applicable, in place on the RFC or the queue."""
    rfc = _rfc_or_404(rfc_id)
    form = ControlPointForm()
    not_applicable = request.form.get("action") == "not_applicable"
    error = None
    if not form.validate():
        error = " ".join(e for errors in form.errors.values() for e in errors)
    else:
        try:
            services.set_control_points(current_user, rfc, form.numbers.data, not_applicable, form.note.data)
        except Refused as refused:
            error = str(refused)
    from_queue = request.form.get("from") == "queue"
    context = dict(rfc=rfc, cp_form=form, cp_error=error)
    if request.htmx and from_queue:  # the whole row: its decision form carries the RFC's new row version
        return render_template("rfcs/_queue_row.html", **context, **_queue_context([rfc]))
    if request.htmx and error:
        return render_template("rfcs/_control_points.html", **dict(_control_point_context(rfc), **context))
    target = url_for("rfcs.approvals") if from_queue else url_for("rfcs.detail", rfc_id=rfc.id)
    if error:
        return done(error, target, "error")
    numbers = ", ".join(map(str, form.numbers.data))
    return done(f"Control point {numbers} {'marked not applicable' if not_applicable else 'ticked'}.", target)


# Deployment and closure -----------------------------------------------------------------------

@bp.route("/rfcs/<int:rfc_id>/deployment", methods=["GET", "POST"])
@reads_first
@role_required(takes_part_in_rollout)
def deployment(rfc_id):
    rfc = _rfc_or_404(rfc_id)
    if not (owns_rfc(current_user, rfc) or is_manager(current_user)):
        abort(404)
    try:
        services.check_may_record_deployment(current_user, rfc)
    except Refused as refused:
        return done(str(refused), url_for("rfcs.detail", rfc_id=rfc.id), "error")
    form = DeploymentForm(rfc, rfc.awaiting_outcome)
    if request.method == "GET":  # the planned times, where they are past: a time to come would be refused
        now = utcnow()
        form.actual_start.data = utc_to_london_naive(rfc.window_start) if rfc.window_start <= now else None
        form.actual_end.data = utc_to_london_naive(rfc.window_end) if rfc.window_end <= now else None
    elif form.validate():
        try:
            services.record_deployment(current_user, rfc, form.environment_id.data, form.outcome.data,
                                       london_to_utc(form.actual_start.data), london_to_utc(form.actual_end.data),
                                       form.version.data, form.issues.data, form.resolutions.data,
                                       smoke_test=form.smoke_test.data, confirmed_by=form.confirmed_by.data,
                                       instruction_errors=form.instruction_errors.data)
        except Invalid as invalid:
            show_problems(form, invalid)
        else:
            environment = db.session.get(Environment, form.environment_id.data)
            return done(f"{rfc.number} in {environment.name}: {form.outcome.data.value} recorded.",
                        url_for("rfcs.detail", rfc_id=rfc.id))
    return render("rfcs/deployment.html", "rfcs/_deployment_form.html", form=form, rfc=rfc)


@bp.route("/rfcs/<int:rfc_id>/close", methods=["POST"])
@reads_first
@role_required(takes_part_in_rollout)
def close(rfc_id):
    rfc = _rfc_or_404(rfc_id)
    form = ClosureForm()
    target = url_for("rfcs.detail", rfc_id=rfc.id)
    if not (owns_rfc(current_user, rfc) or is_manager(current_user)):
        abort(404)
    if form.validate():
        fields = (form.rollout_report.data, form.lessons_learnt.data, form.work_off_actions.data)
        try:
            if request.form.get("action") == "close":
                services.close(current_user, rfc, *fields)
                # RCM 5.2, Table 10 step 3: the closure announcement to stakeholders is offered at once.
                return done(f"{rfc.number} closed. Send the closure announcement to its stakeholders.",
                            url_for("release_notes.communicate", rfc_id=rfc.id, kind="closure"))
            services.add_lessons(current_user, rfc, *fields)
            return done("Rollout report and lessons learnt saved.", target)
        except Invalid as invalid:
            show_problems(form, invalid)
        except Refused as refused:
            flash(str(refused), "error")
    return _detail_page(_rfc_or_404(rfc_id), closure_form=form)  # what was typed stays, each message by its field


@bp.route("/rfcs/<int:rfc_id>/work-off-actions", methods=["POST"])
@role_required(takes_part_in_rollout)
def add_work_off_action(rfc_id):
    rfc = _rfc_or_404(rfc_id)
    form = WorkOffActionForm()
    if form.validate():
        try:
            services.add_work_off_action(current_user, rfc, form_values(form, services.WORK_OFF_FIELDS))
        except Invalid as invalid:
            show_problems(form, invalid)
        except Refused as refused:
            return done(str(refused), url_for("rfcs.detail", rfc_id=rfc.id), "error")
        else:
            return done("Work-off action added: it is on its owner's home page until done.",
                        url_for("rfcs.detail", rfc_id=rfc.id) + "#work-off-actions")
    return _detail_page(rfc, action_form=form)  # what was typed stays, each message by its field


@bp.route("/work-off-actions/<int:action_id>/done", methods=["POST"])
@login_required
def finish_work_off_action(action_id):
    action = db.session.get(WorkOffAction, action_id)
    if action is None or (action.owner_id != current_user.id and not is_manager(current_user)):
        abort(404)
    try:
        services.finish_work_off_action(current_user, action)
    except Refused as refused:
        return done(str(refused), url_for("home.index"), "error")
    return done(f"Done: {action.text}", url_for("home.index"))


# PDFs -----------------------------------------------------------------------------------------

@bp.route("/rfcs/<int:rfc_id>/pdf")
@login_required
def rfc_pdf(rfc_id):
    rfc = _rfc_or_404(rfc_id)
    return download(rfc_pdf_bytes(rfc), f"{rfc.number}.pdf")


def rfc_pdf_bytes(rfc):
    return render_pdf("pdf/rfc.html", rfc=rfc, audit=history(rfc), control_points=CONTROL_POINTS,
                      ticks={c.number: c for c in rfc.control_points}, programme=current_app.config["PROGRAMME_NAME"])
