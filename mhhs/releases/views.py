"""RFC pages: list, form (new/edit), detail, approval queue, decisions, deployment, closure, revisions."""
from datetime import datetime

from flask import Blueprint, abort, current_app, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..audit.services import history
from ..core.db import reads_first
from ..core.htmx import done, render
from ..core.pagination import paginate
from ..core.forms import database_id, search_text, show_problems
from ..core.permissions import Role, is_manager, login_required, manager_required, role_required
from ..core.services import Invalid, Refused, get_visible_or_404
from ..core.time import format_london, london_to_utc, utc_to_london_naive, utcnow
from ..directory.models import Environment, MajorRelease, MarketRole, Organisation, System
from ..exports.download import download
from ..exports.pdf import render_pdf
from ..extensions import db
from ..mail.services import RENDERERS, counted, messages_for_rfc
from . import acknowledgements, baseline, queries, schedule, services
from .forms import (ClosureForm, CommunicationForm, ControlPointForm, DecisionForm, DeploymentForm, GovernanceForm,
                    RfcForm)
from .models import CONTROL_POINTS, PUBLIC_STATUSES, priority_of, Decision, ReleaseType, Rfc, RfcStatus
from .permissions import COMMUNICATION_STATUSES, can_communicate, can_edit_rfc, can_record_deployment, owns_rfc, phases_to_decide
from .rules import (control_point_applies, control_point_short, control_point_text, deviation_text, open_by_hand,
                    outcome_summary)

bp = Blueprint("releases", __name__)
for helper in (queries.outside_availability, baseline.drift_warning, control_point_applies, control_point_text,
               control_point_short, outcome_summary,
               deviation_text, services.version_order_text, services.revision_changes, services.out_of_order_text):
    bp.add_app_template_global(helper)
central_party = role_required(Role.CENTRAL_PARTY)
# The audit trail of an RFC read as sentences after the person's name (page and PDF alike).
AUDIT_WORDS = {
    "rfc.saved": "saved the draft", "rfc.submitted": "submitted {}", "rfc.withdrawn": "withdrew the RFC",
    "rfc.approved": "approved {}", "rfc.rejected": "rejected {}", "rfc.changes_requested": "requested changes to {}",
    "rfc.governance": "recorded the governance approval: {}", "rfc.control_point": "{}",
    "rfc.deployment": "recorded the deployment in {}", "rfc.retest": "recorded the retest of {}",
    "rfc.lessons": "saved the rollout report and lessons learnt", "rfc.closed": "closed the RFC ({})",
    "rfc.communicated_release": "sent the release communication: {}",
    "rfc.communicated_closure": "sent the closure communication: {}",
    "rfc.acknowledged": "marked the release note read ({})",
    "rfc.acknowledgement_reminder": "sent a reminder to read the release note to {}",
}


@bp.app_template_filter()
def revision_time(value):
    """A time frozen in a revision (ISO, UTC) as people write it: Europe/London."""
    return format_london(datetime.fromisoformat(value)) + " (Europe/London)"


@bp.app_template_filter()
def audit_sentence(event):
    who = event.actor.name if event.actor else "The system"
    sentence = f"{who} {AUDIT_WORDS.get(event.action, event.action + ' {}').format(event.summary)}".strip()
    return f"{sentence}, through {event.via}" if event.via else sentence
DECISIONS = {"approve": Decision.APPROVED, "reject": Decision.REJECTED, "request_changes": Decision.CHANGES_REQUESTED}


def _rfc_or_404(rfc_id):
    return get_visible_or_404(services.visible_rfc(current_user, rfc_id))


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
                   work_set=request.args.get("set") if request.args.get("set") in queries.WORK_SETS else None)
    page = paginate(queries.rfc_list_query(current_user, now=utcnow(), **filters), [Rfc.id], descending=True)
    context = dict(page=page, filters=filters, RfcStatus=RfcStatus, ReleaseType=ReleaseType,
                   work_set=queries.WORK_SETS[filters["work_set"]][0] if filters["work_set"] else None)
    if request.htmx and request.htmx.target == "rfc-rows":
        return render("releases/list.html", "releases/_list_rows.html", **context)
    return render("releases/list.html", "releases/list.html",
                  systems=db.session.scalars(select(System).order_by(System.name)).all(),
                  environments=db.session.scalars(select(Environment).order_by(Environment.position)).all(),
                  **context)


# Environments ---------------------------------------------------------------------------------

@bp.route("/environments")
@login_required
def environments():
    """The environments with the versions running in them, the roadmap and the market roles."""
    envs = db.session.scalars(
        select(Environment).options(selectinload(Environment.systems).joinedload(System.organisation))
        .order_by(Environment.position, Environment.name)
    ).all()
    roadmap = db.session.scalars(select(MajorRelease).order_by(MajorRelease.planned_date, MajorRelease.name)).all()
    market_roles = db.session.scalars(select(MarketRole).order_by(MarketRole.central, MarketRole.code)).all()
    return render("releases/environments.html", "releases/environments.html", environments=envs,
                  roadmap=roadmap, market_roles=market_roles, versions=queries.deployed_versions(),
                  carry_overs=services.outstanding_emergency_fixes())


# The RFC form ---------------------------------------------------------------------------------

def _form_page(form, rfc, status=200, suggestion=None, saved=False):
    """saved: the answer to a refused submit whose content was kept as a draft (its error summary says so)."""
    hint = services.version_context(current_user, form.system_id.data, form.release_type.data, form.version.data,
                                    rfc.id)
    return render("releases/form_page.html", "releases/_form.html", status=status, form=form, rfc=rfc, hint=hint,
                  suggestion=suggestion, saved=saved)


def _suggest_window(form, rfc):
    """Fills in the next free window (releases/schedule.py) of the typed length, or of an hour; returns what to
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
    length = end - start if start and end and end > start else schedule.DEFAULT_LENGTH
    found = schedule.next_free_window(system, form.release_type.data, form.environment_ids.data, length, utcnow(),
                                      rfc.id)
    if found is None:
        return (f"No free window of {schedule.length_text(length)} in the next 90 days: choose one by hand and "
                "look at its clashes.")
    for f, moment in zip((form.window_start, form.window_end), found):
        f.data, f.raw_data = utc_to_london_naive(moment), None  # shown from data, not from what was typed
    return (f"Suggested the earliest free window of {schedule.length_text(length)}: {format_london(found[0])}–"
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
                                           "summary": defect.summary, "found_in_id": defect.found_in_id})
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
                                   "summary": defect.summary, "found_in_id": defect.found_in_id})
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
    if rfc_id and not can_edit_rfc(current_user, rfc):
        if not owns_rfc(current_user, rfc):
            abort(404)
        return done(f"{rfc.number} is {rfc.status.value}: its content is frozen.", url_for(
            "releases.detail", rfc_id=rfc.id), "error")
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
    content = form.content()
    content["window_start"] = london_to_utc(content["window_start"])
    content["window_end"] = london_to_utc(content["window_end"])
    try:
        services.save_draft(current_user, rfc, content, form.row_version.data or None)
        if action == "submit":
            services.submit(current_user, rfc)
    except Invalid as invalid:
        show_problems(form, invalid)
        form.row_version.data = rfc.row_version
        # Its error summary says what was kept (never a flash: an htmx answer does not show it, the next page would).
        return _form_page(form, rfc, saved=bool(rfc.id) and action == "submit")
    except Refused as refused:
        return done(str(refused), url_for("releases.detail", rfc_id=rfc.id) if rfc.id else url_for("releases.rfcs"),
                     "error")
    if action == "submit":
        return done(f"{rfc.number} submitted (revision {rfc.revision}).", url_for("releases.detail", rfc_id=rfc.id))
    return done(f"{rfc.number} saved as a draft.", url_for("releases.edit", rfc_id=rfc.id))


@bp.route("/rfcs/version-hint")
@central_party
def version_hint():
    form = RfcForm(current_user, formdata=request.args)
    hint = services.version_context(current_user, form.system_id.data, form.release_type.data,
                           None if request.args.get("propose") else form.version.data,
                           request.args.get("rfc_id", type=database_id))
    if request.args.get("propose") and hint.get("proposal"):
        form.version.data = hint["proposal"]
    return render_template("releases/_version.html", form=form, hint=hint)


# Detail ---------------------------------------------------------------------------------------

@bp.route("/rfcs/<int:rfc_id>")
@login_required
def detail(rfc_id):
    return _detail_page(_rfc_or_404(rfc_id))


def _detail_page(rfc, closure_form=None):
    outstanding = services.carry_overs([rfc]) \
        if rfc.release_type == ReleaseType.EMERGENCY and rfc.status in PUBLIC_STATUSES else []
    return render("releases/detail.html", "releases/detail.html", rfc=rfc, audit=history(rfc), outstanding=outstanding,
                  decision_form=DecisionForm(row_version=rfc.row_version), governance_form=GovernanceForm(),
                  closure_form=closure_form or ClosureForm(obj=rfc), phases=phases_to_decide(current_user, rfc),
                  clashes=schedule.clashes([rfc], current_user).get(rfc.id, []) if rfc.status in schedule.CHECKED
                  else [], notice_given=queries.notice_given(rfc),
                  overtaken=services.overtaken_by([rfc]).get(rfc.id),
                  out_of_order=services.deployed_out_of_order([rfc]).get(rfc.id)
                  if rfc.status == RfcStatus.SUBMITTED else None,
                  communications=messages_for_rfc(rfc.id) if is_manager(current_user) else [],
                  **_control_point_context(rfc), **_acknowledgement_context(rfc))


def _acknowledgement_context(rfc):
    """Managers see who has read the release note; a reader sees whether they have."""
    if is_manager(current_user):
        return dict(readers=acknowledgements.readers(rfc))
    if acknowledgements.is_reader(current_user, rfc):
        return dict(my_acknowledgement=acknowledgements.state(current_user, rfc))
    return {}


@bp.route("/rfcs/<int:rfc_id>/acknowledge", methods=["POST"])
@role_required(Role.CENTRAL_PARTY, Role.TEST_PARTICIPANT)
def acknowledge(rfc_id):
    rfc = _rfc_or_404(rfc_id)
    if not acknowledgements.is_reader(current_user, rfc):
        abort(404)  # the note was not sent to this user's organisation
    acknowledgements.acknowledge(current_user, rfc)
    back = url_for("home.index") if request.form.get("from") == "home" else url_for("releases.detail", rfc_id=rfc.id)
    return done(f"Release note of {rfc.number} marked read.", back)


@bp.route("/rfcs/<int:rfc_id>/acknowledgements/remind", methods=["POST"])
@manager_required
def remind_readers(rfc_id):
    rfc = _rfc_or_404(rfc_id)
    messages = acknowledgements.remind(current_user, rfc)
    people = sum(m.recipient_count for m in messages)
    return done(f"Reminder queued for {people} {'person' if people == 1 else 'people'}." if messages else
                "Everyone sent the release note has read it as it stands: no reminder needed.",
                url_for("releases.detail", rfc_id=rfc.id))


def _control_point_context(rfc):
    running, base, met = baseline.target_baseline(rfc)
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
    return render("releases/revision.html", "releases/revision.html", rfc=rfc, revision=current,
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
        return done(str(refused), url_for("releases.detail", rfc_id=rfc.id), "error")
    return done(f"{rfc.number} withdrawn.", url_for("releases.detail", rfc_id=rfc.id))


# Approval -------------------------------------------------------------------------------------

def _queue_context(rfcs):
    """What each queue row shows beside the RFC itself, computed for the page's rows only."""
    return dict(clashes=schedule.clashes(rfcs, current_user), notice_given=queries.notice_given,
                overtaken=services.overtaken_by(rfcs), open_points={r.id: open_by_hand(r) for r in rfcs},
                out_of_order=services.deployed_out_of_order(rfcs))


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
    page = paginate(query, order, key_of=lambda rfc: (priority_of(rfc), rfc.window_start, rfc.id))
    context = dict(page=page, filters=filters, ReleaseType=ReleaseType, **_queue_context(page.items))
    if request.htmx and request.htmx.target == "queue-rows":
        return render("releases/approvals.html", "releases/_queue_rows.html", **context)
    return render("releases/approvals.html", "releases/approvals.html",
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
        return render_template("releases/_queue_row.html", rfc=rfc, error=error, comment=form.comment.data,
                               done=None if error else decision, **_queue_context([rfc]))
    target = url_for("releases.approvals") if request.form.get("from") == "queue" else \
        url_for("releases.detail", rfc_id=rfc.id)
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
                     url_for("releases.detail", rfc_id=rfc.id), "error")
    try:
        services.record_governance(current_user, rfc, form.gng_reference.data, form.gng_date.data)
    except Refused as refused:
        return done(str(refused), url_for("releases.detail", rfc_id=rfc.id), "error")
    return done("Governance approval recorded.", url_for("releases.detail", rfc_id=rfc.id))


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
            db.session.rollback()
    from_queue = request.form.get("from") == "queue"
    context = dict(rfc=rfc, cp_form=form, cp_error=error)
    if request.htmx and from_queue:  # the whole row: its decision form carries the RFC's new row version
        return render_template("releases/_queue_row.html", **context, **_queue_context([rfc]))
    if request.htmx and error:
        return render_template("releases/_control_points.html", **dict(_control_point_context(rfc), **context))
    target = url_for("releases.approvals") if from_queue else url_for("releases.detail", rfc_id=rfc.id)
    if error:
        return done(error, target, "error")
    numbers = ", ".join(map(str, form.numbers.data))
    return done(f"Control point {numbers} {'marked not applicable' if not_applicable else 'ticked'}.", target)


# Deployment and closure -----------------------------------------------------------------------

@bp.route("/rfcs/<int:rfc_id>/deployment", methods=["GET", "POST"])
@reads_first
@role_required(Role.RELEASE_MANAGER, Role.CENTRAL_PARTY)
def deployment(rfc_id):
    rfc = _rfc_or_404(rfc_id)
    if not (owns_rfc(current_user, rfc) or is_manager(current_user)):
        abort(404)
    if not can_record_deployment(current_user, rfc):
        return done(f"{rfc.number} is {rfc.status.value}: a deployment is recorded once it is approved.",
                     url_for("releases.detail", rfc_id=rfc.id), "error")
    form = DeploymentForm(rfc, services.deployment_environments(rfc))
    if request.method == "GET":  # the planned times, where they are past: a time to come would be refused
        now = utcnow()
        form.actual_start.data = utc_to_london_naive(rfc.window_start) if rfc.window_start <= now else None
        form.actual_end.data = utc_to_london_naive(rfc.window_end) if rfc.window_end <= now else None
    elif form.validate():
        try:
            services.record_deployment(current_user, rfc, form.environment_id.data, form.outcome.data,
                                       london_to_utc(form.actual_start.data), london_to_utc(form.actual_end.data),
                                       form.version.data, form.issues.data, form.resolutions.data)
        except Invalid as invalid:
            show_problems(form, invalid)
        else:
            environment = db.session.get(Environment, form.environment_id.data)
            return done(f"{rfc.number} in {environment.name}: {form.outcome.data.value} recorded.",
                        url_for("releases.detail", rfc_id=rfc.id))
    return render("releases/deployment.html", "releases/_deployment_form.html", form=form, rfc=rfc)


@bp.route("/rfcs/<int:rfc_id>/close", methods=["POST"])
@reads_first
@role_required(Role.RELEASE_MANAGER, Role.CENTRAL_PARTY)
def close(rfc_id):
    rfc = _rfc_or_404(rfc_id)
    form = ClosureForm()
    target = url_for("releases.detail", rfc_id=rfc.id)
    if not (owns_rfc(current_user, rfc) or is_manager(current_user)):
        abort(404)
    if form.validate():
        fields = (form.rollout_report.data, form.lessons_learnt.data, form.work_off_actions.data)
        try:
            if request.form.get("action") == "close":
                services.close(current_user, rfc, *fields)
                return done(f"{rfc.number} closed.", target)
            services.add_lessons(current_user, rfc, *fields)
            return done("Rollout report and lessons learnt saved.", target)
        except Invalid as invalid:
            db.session.rollback()
            show_problems(form, invalid)
        except Refused as refused:
            db.session.rollback()
            flash(str(refused), "error")
    return _detail_page(_rfc_or_404(rfc_id), closure_form=form)  # what was typed stays, each message by its field


# PDFs -----------------------------------------------------------------------------------------

@bp.route("/rfcs/<int:rfc_id>/pdf")
@login_required
def rfc_pdf(rfc_id):
    rfc = _rfc_or_404(rfc_id)
    return download(rfc_pdf_bytes(rfc), f"{rfc.number}.pdf")


@bp.route("/rfcs/<int:rfc_id>/release-note.pdf")
@login_required
def release_note_pdf(rfc_id):
    rfc = _rfc_or_404(rfc_id)
    return download(release_note(rfc), f"{rfc.number}-release-note.pdf")


def rfc_pdf_bytes(rfc):
    return render_pdf("pdf/rfc.html", rfc=rfc, audit=history(rfc), control_points=CONTROL_POINTS,
                      ticks={c.number: c for c in rfc.control_points}, programme=current_app.config["PROGRAMME_NAME"])



def release_note(rfc):
    return render_pdf("pdf/release_note.html", rfc=rfc, programme=current_app.config["PROGRAMME_NAME"])


# A release or closure communication carries its RFC's release note, made at delivery.
for _kind in COMMUNICATION_STATUSES:
    RENDERERS[_kind] = lambda message: release_note(db.session.get(Rfc, message.rfc_id))


# Communications -------------------------------------------------------------------------------

@bp.route("/rfcs/<int:rfc_id>/communicate/<any(release, closure):kind>", methods=["GET", "POST"])
@reads_first
@manager_required
def communicate(rfc_id, kind):
    rfc = _rfc_or_404(rfc_id)
    if not can_communicate(current_user, rfc, kind):
        return done(f"{rfc.number} is {rfc.status.value}: there is no {kind} to communicate yet.",
                     url_for("releases.detail", rfc_id=rfc.id), "error")
    form = CommunicationForm()
    if request.method == "GET":
        form.organisation_ids.data = [o.id for o in form.organisations]  # everyone by default
        form.subject.data, form.body.data = services.communication_text(rfc, kind)
    elif form.validate():
        chosen = [o for o in form.organisations if o.id in form.organisation_ids.data]
        try:
            # The release note is rendered when the message is delivered, not while the manager waits.
            messages, skipped = services.communicate(current_user, rfc, kind, chosen, form.subject.data.strip(),
                                                     form.body.data, (f"{rfc.number}-release-note.pdf", None))
        except Invalid as invalid:
            show_problems(form, invalid)
        else:
            return done(f"{counted(len(messages), 'message', 'messages')} queued for {rfc.number}."
                        + (f" Not sent to {', '.join(skipped)}: no active users." if skipped else ""),
                        url_for("mail.outbox", rfc=rfc.id))
    return render("releases/communicate.html", "releases/_communicate_form.html", form=form, rfc=rfc, kind=kind)
