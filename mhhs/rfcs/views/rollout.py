"""Recording each target environment's deployment outcome, and the review and closure."""

from flask import abort, flash, request, url_for
from flask_login import current_user

from ...core.db import reads_first
from ...core.forms import form_values, show_problems
from ...core.htmx import done, render
from ...core.permissions import is_manager, login_required, role_required
from ...core.services import Invalid, Refused
from ...core.time import london_to_utc, utc_to_london_naive, utcnow
from ...directory.models import Environment
from ...extensions import db
from .. import services
from ..forms import ClosureForm, DeploymentForm, WorkOffActionForm
from ..models import WorkOffAction
from ..permissions import owns_rfc, takes_part_in_rollout
from .blueprint import _rfc_or_404, bp
from .detail import _detail_page


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
