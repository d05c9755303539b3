"""Pages of the environment proving tests, GO / NO-GO decisions and the EWG's monthly review (blueprint
`decisions`), their PDFs, and the attachments of the messages that send them."""
from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..allocation.models import TestPhase
from ..audit.services import history
from ..core import registry
from ..core.forms import database_id, form_values
from ..core.htmx import done, render
from ..core.permissions import Role, login_required, role_required
from ..core.services import Refused
from ..core.time import utcnow
from ..directory.models import Environment, System, User
from ..exports.download import download
from ..exports.pdf import render_pdf
from ..extensions import db
from ..mail.services import attachment_hook
from ..notifications import mail_groups
from ..notifications.models import MailGroup
from . import decisions, ewg, owned, proving_tests
from .decisions_forms import ActionForm, DecisionForm, DoneForm, MeetingForm, MinutesForm, ProvingForm
from .models import DecisionCondition, EwgAction, EwgMeeting, ProvingKind, ReadinessDecision
from .permissions import (
    can_close_item,
    can_decide,
    can_keep_ewg,
    can_read_reviews,
    can_record_proving,
    can_record_proving_for,
)

bp = Blueprint("decisions", __name__, url_prefix="/readiness")
provers = role_required(can_record_proving)
deciders = role_required(can_decide)
keepers = role_required(can_keep_ewg)
readers = role_required(can_read_reviews)
READERS = "its Release Managers and Central Parties"


def _show(form, refused, default_field=None):
    """A refusal's messages next to their fields, where the form has not already said what is wrong there."""
    for name, message in refused.problems.items():
        field = form[name or default_field]
        if not field.errors:
            field.errors = [message]


# Environment proving tests -------------------------------------------------------------------------------------

@bp.route("/proving")
@provers
def proving_grid():
    chosen = request.args.get("environment", type=database_id)
    environments = proving_tests.environments()
    shown = [e for e in environments if e.id == chosen] or environments
    return render("readiness/proving_grid.html", "readiness/proving_grid.html", environments=environments,
                  chosen=chosen, grid=proving_tests.grid(shown, current_user), kinds=list(ProvingKind))


def _proving_cell(environment_id, system_id, kind):
    environment, system = db.session.get(Environment, environment_id), db.session.get(System, system_id)
    if kind not in {k.value for k in ProvingKind} or environment is None or system is None \
            or system not in environment.systems or not can_record_proving_for(current_user, system):
        abort(404)
    return environment, system, ProvingKind(kind)


@bp.route("/proving/<int:environment_id>/<int:system_id>/<kind>", methods=["GET", "POST"])
@provers
def record_proving(environment_id, system_id, kind):
    environment, system, kind = _proving_cell(environment_id, system_id, kind)
    test = proving_tests.results(environment.id).get((system.id, kind))
    form = ProvingForm(obj=test if request.method == "GET" else None)
    if request.method == "GET" and test:
        form.result.data = test.result.value
    if request.method == "POST" and form.validate_on_submit():
        try:
            proving_tests.record_proving(current_user, environment, system, kind,
                                         form_values(form, proving_tests.FIELDS))
            return done(f"{kind.short} of {system.name} in {environment.name} recorded.",
                        url_for("decisions.proving_grid", environment=environment.id))
        except Refused as refused:
            _show(form, refused, "result")
    return render("readiness/proving_form.html", "readiness/proving_form_fields.html", form=form,
                  environment=environment, system=system, kind=kind, test=test)


# Decisions -------------------------------------------------------------------------------------------------------

@bp.route("/decisions")
@readers
def decision_list():
    rows = db.session.scalars(decisions.decisions_query().order_by(ReadinessDecision.decided_at.desc(),
                                                                   ReadinessDecision.id.desc())
                              .limit(current_app.config["PER_PAGE"])).all()
    stages = decisions.stages_to_decide(owned.today()) if can_decide(current_user) else []
    return render("readiness/decision_list.html", "readiness/decision_list.html", rows=rows, stages=stages)


@bp.route("/decisions/new", methods=["GET", "POST"])
@deciders
def new_decision():
    form = DecisionForm()
    stage_id = request.values.get("stage", type=database_id) or request.form.get("stage_id", type=database_id)
    stage = db.session.scalar(select(TestPhase).where(TestPhase.id == (stage_id or 0))
                              .options(joinedload(TestPhase.environment)))
    if stage is None:
        return redirect(url_for("decisions.decision_list"), 303)
    form.stage_id.data = str(stage.id)
    if request.method == "POST" and form.validate_on_submit():
        try:
            decision = decisions.record_decision(current_user, stage, form_values(form, decisions.FIELDS),
                                                 form.conditions())
            return done(f"{decision.outcome.label} recorded and sent to {decision.mail_group.name}.",
                        url_for("decisions.decision", decision_id=decision.id))
        except Refused as refused:
            _show(form, refused, "outcome")
    elif request.method == "GET":
        form.mail_group_id.data = next((g.id for g in mail_groups.standing(MailGroup.EWG)), None)
    preview = decisions.take_snapshot(stage.environment, stage, utcnow())
    return render("readiness/decision_form.html", "readiness/decision_form.html", form=form, stage=stage,
                  preview=preview)


def _decision_or_404(decision_id):
    decision = db.session.scalar(decisions.decisions_query().where(ReadinessDecision.id == decision_id))
    if decision is None:
        abort(404)
    return decision


@bp.route("/decisions/<int:decision_id>")
@readers
def decision(decision_id):
    decision = _decision_or_404(decision_id)
    return render("readiness/decision_detail.html", "readiness/decision_detail.html", decision=decision,
                  snapshot=decision.snapshot, history=history(decision))


def decision_pdf_bytes(decision):
    return render_pdf("readiness/decision_pdf.html", decision=decision, snapshot=decision.snapshot,
                      programme=current_app.config["PROGRAMME_NAME"])


@bp.route("/decisions/<int:decision_id>/pdf")
@readers
def decision_pdf(decision_id):
    decision = _decision_or_404(decision_id)
    return download(decision_pdf_bytes(decision), decisions.pdf_name(decision))


def _finish(model, item_id):
    item = db.session.get(model, item_id)
    if item is None or not can_close_item(current_user, item):
        abort(404)
    form = DoneForm()
    endpoint, args = owned.item_link(item)
    home = request.form.get("back") == "home" or not can_read_reviews(current_user)
    back = url_for("home.index") if home else url_for(endpoint, **args)
    try:
        owned.close_item(current_user, item, form.done_note.data if form.validate_on_submit() else "")
    except Refused as refused:
        flash(str(refused), "error")
        return redirect(back, 303)
    return done("Marked done.", back)


@bp.route("/conditions/<int:condition_id>/done", methods=["POST"])
@login_required
def finish_condition(condition_id):
    return _finish(DecisionCondition, condition_id)


# The EWG ---------------------------------------------------------------------------------------------------------

@bp.route("/ewg")
@readers
def ewg_meetings():
    meetings, today = ewg.meetings(), owned.today()
    ahead = [m for m in meetings if m.held_on >= today]
    return render("readiness/ewg_list.html", "readiness/ewg_list.html", meetings=meetings, today=today,
                  next_id=ahead[-1].id if ahead else None)


@bp.route("/ewg/generate", methods=["POST"])
@keepers
def generate_meetings():
    made = ewg.generate()
    return done(f"{len(made)} meeting{'s' if len(made) != 1 else ''} added." if made
                else "This month's and next month's meetings are already there.", url_for("decisions.ewg_meetings"))


def _meeting_or_404(meeting_id):
    meeting = db.session.get(EwgMeeting, meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def _managers():
    return db.session.scalars(select(User).where(User.role == Role.RELEASE_MANAGER, User.active.is_(True))
                              .order_by(User.name)).all()


def _meeting_page(meeting, meeting_form=None, minutes_form=None, action_form=None, status=200):
    if meeting_form is None:
        meeting_form = MeetingForm(_managers(), obj=meeting, formdata=None)
    return render("readiness/ewg_meeting.html", "readiness/ewg_meeting.html", status=status, meeting=meeting,
                  agenda=ewg.agenda(meeting),
                  generated=ewg.generated_agenda(meeting) if meeting.agenda_sent is None else [],
                  dropped=set(meeting.dropped_items or []), first_tuesday=ewg.meeting_day(meeting.month.year,
                                                                                          meeting.month.month),
                  meeting_form=meeting_form, minutes_form=minutes_form or MinutesForm(obj=meeting, formdata=None),
                  action_form=action_form or ActionForm(formdata=None),
                  today=owned.today(), history=history(meeting))


@bp.route("/ewg/<int:meeting_id>")
@readers
def ewg_meeting(meeting_id):
    return _meeting_page(_meeting_or_404(meeting_id))


@bp.route("/ewg/<int:meeting_id>/edit", methods=["POST"])
@keepers
def edit_meeting(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    form = MeetingForm(_managers())
    if form.validate_on_submit():
        try:
            offered, kept = set(request.form.getlist("offered")), set(request.form.getlist("kept"))
            dropped = (set(meeting.dropped_items or []) - offered) | (offered - kept)
            ewg.save_meeting(current_user, meeting, form_values(form, ewg.MEETING_FIELDS), dropped)
            return done("Meeting saved.", url_for("decisions.ewg_meeting", meeting_id=meeting.id))
        except Refused as refused:
            _show(form, refused, "held_on")
    return _meeting_page(meeting, meeting_form=form)


def _act(meeting_id, action, message):
    meeting = _meeting_or_404(meeting_id)
    try:
        action(current_user, meeting)
    except Refused as refused:
        flash(str(refused), "error")
        return redirect(url_for("decisions.ewg_meeting", meeting_id=meeting.id), 303)
    return done(message, url_for("decisions.ewg_meeting", meeting_id=meeting.id))


@bp.route("/ewg/<int:meeting_id>/agenda/send", methods=["POST"])
@keepers
def send_agenda(meeting_id):
    return _act(meeting_id, ewg.send_agenda, f"Agenda sent to the EWG list ({READERS}).")


@bp.route("/ewg/<int:meeting_id>/minutes/send", methods=["POST"])
@keepers
def send_minutes(meeting_id):
    return _act(meeting_id, ewg.send_minutes, f"Minutes sent to the EWG list ({READERS}).")


@bp.route("/ewg/<int:meeting_id>/minutes", methods=["POST"])
@keepers
def save_minutes(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    form = MinutesForm()
    if form.validate_on_submit():
        try:
            ewg.save_minutes(current_user, meeting, form.minutes.data)
            return done("Minutes saved.", url_for("decisions.ewg_meeting", meeting_id=meeting.id))
        except Refused as refused:
            _show(form, refused, "minutes")
    return _meeting_page(meeting, minutes_form=form)


@bp.route("/ewg/<int:meeting_id>/actions", methods=["POST"])
@keepers
def add_action(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            ewg.add_action(current_user, meeting, form_values(form, ewg.ACTION_FIELDS))
            return done("Action added.", url_for("decisions.ewg_meeting", meeting_id=meeting.id))
        except Refused as refused:
            _show(form, refused, "text")
    return _meeting_page(meeting, action_form=form)


@bp.route("/actions/<int:action_id>/done", methods=["POST"])
@login_required
def finish_action(action_id):
    return _finish(EwgAction, action_id)


def agenda_pdf_bytes(meeting):
    return render_pdf("readiness/ewg_pdf.html", meeting=meeting, agenda=ewg.agenda(meeting), minutes=False,
                      programme=current_app.config["PROGRAMME_NAME"])


def minutes_pdf_bytes(meeting):
    return render_pdf("readiness/ewg_pdf.html", meeting=meeting, agenda=ewg.agenda(meeting), minutes=True,
                      programme=current_app.config["PROGRAMME_NAME"])


@bp.route("/ewg/<int:meeting_id>/agenda.pdf")
@readers
def agenda_pdf(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    return download(agenda_pdf_bytes(meeting), f"ewg-agenda-{meeting.held_on}.pdf")


@bp.route("/ewg/<int:meeting_id>/minutes.pdf")
@readers
def minutes_pdf(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    if not meeting.minutes:
        abort(404)
    return download(minutes_pdf_bytes(meeting), f"ewg-minutes-{meeting.held_on}.pdf")


# What create_app registers ---------------------------------------------------------------------------------------

def _attachment(renderer, model):
    return lambda message: renderer(db.session.get(model, message.object_id))


def register(app):
    """The PDFs the decision and EWG messages carry, made at delivery from what was sent."""
    registry.register(app, attachment_hook(decisions.MAIL_KIND), _attachment(decision_pdf_bytes, ReadinessDecision))
    registry.register(app, attachment_hook(ewg.AGENDA_KIND), _attachment(agenda_pdf_bytes, EwgMeeting))
    registry.register(app, attachment_hook(ewg.MINUTES_KIND), _attachment(minutes_pdf_bytes, EwgMeeting))
