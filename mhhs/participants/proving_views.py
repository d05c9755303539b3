"""Connectivity proving pages: the proving matrix of an environment (the Environment Manager's daily page) and a
participant's steps in one environment, with the forms in place to record a step, sign off and void."""
from datetime import datetime
from typing import NamedTuple

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from ..core.changes import PROVING, REFERENCE, cached
from ..core.errors import error_response
from ..core.forms import database_id, form_values, show_problems
from ..core.htmx import done, render
from ..core.pagination import paginate
from ..core.permissions import login_required, role_required
from ..core.services import Refused, get_visible_or_404
from ..core.time import london_to_utc, utcnow
from ..directory.models import Environment
from ..exports.download import download
from ..extensions import db
from . import proving
from .models import OnboardingInterval, Participant, ParticipantKind, Route, StepStatus, Tranche
from .permissions import can_record_steps, can_see_proving_matrix, can_sign_off_connectivity, visible_participants
from .proving_forms import StepForm, VoidForm

bp = Blueprint("proving", __name__, url_prefix="/participants")


def _environments():
    return db.session.scalars(select(Environment).order_by(Environment.position)).all()


def _choice(name, enum):
    value = request.args.get(name)
    return enum(value) if value in {member.value for member in enum} else None


def _matrix_filters():
    args = request.args
    return {"interval_id": args.get("interval", type=database_id), "tranche_id": args.get("tranche", type=database_id),
            "route": _choice("route", Route), "kind": _choice("kind", ParticipantKind),
            "gap": args.get("gap") if args.get("gap") in proving.GAPS else None}


class _Region(NamedTuple):
    """The proving matrix as one query string asks it, rendered: what every Release Manager (the page's only
    viewers; nothing on it depends on which) is shown alike."""
    title: str  # the environment's name
    filters: Markup  # participants/proving/_filters.html
    html: Markup  # participants/proving/_matrix.html
    until: datetime | None  # when a certificate counted on it expires (None: none does)


MATRIX_COPIES = 32  # regions kept per process: the environments, filters and pages people ask for most


@bp.route("/proving")
@role_required(can_see_proving_matrix)
def matrix():
    """Rendered once per process per query string (its filters and page) and again when the PROVING or REFERENCE
    counter moves (core/changes.py: every table the page reads) or a certificate it counted expires."""
    region = cached(_region, PROVING, REFERENCE, key=(tuple(request.args.items()),), keep=MATRIX_COPIES,
                    fresh=lambda copy: copy is None or copy.until is None or utcnow() <= copy.until)
    if region is None:
        abort(404)
    return render("participants/proving/matrix.html", "participants/proving/_matrix_copy.html", region=region)


def _region(_asked):
    """The region the request's query string (`_asked`, its key) asks for, or None when no environment has one."""
    environments = _environments()
    chosen = request.args.get("environment", type=database_id)
    environment = (next((e for e in environments if e.id == chosen), None)
                   or proving.first_busy_environment(environments))
    if environment is None:
        return None
    now = utcnow()
    filters = _matrix_filters()
    found = proving.matrix(environment, now, gap=filters["gap"])
    # Every participant is counted; the rows the filters keep are shown a page at a time, by name.
    by_id = {row[0].id: row for row in found["rows"]}
    page = paginate(proving.matrix_page_statement(
        environment.id, **{name: value for name, value in filters.items() if name != "gap"},
        only=list(by_id) if filters["gap"] else None), proving.MATRIX_ORDER, per_page=proving.MATRIX_PER_PAGE)
    context = dict(environment=environment, environments=environments, filters=filters, steps=proving.STEPS,
                   gaps=proving.GAPS, StepStatus=StepStatus, Route=Route, ParticipantKind=ParticipantKind,
                   intervals=db.session.scalars(select(OnboardingInterval).order_by(OnboardingInterval.number)).all(),
                   tranches=db.session.scalars(select(Tranche).order_by(Tranche.route, Tranche.name)).all(),
                   **dict(found, rows=[by_id[item.id] for item in page.items if item.id in by_id], matching=page.total,
                          page=page))
    return _Region(environment.name, Markup(render_template("participants/proving/_filters.html", **context)),
                   Markup(render_template("participants/proving/_matrix.html", **context)),
                   found["until"])


def _participant_or_404(participant_id):
    return get_visible_or_404(visible_participants(select(Participant).where(Participant.id == participant_id),
                                                   current_user))


def _environment_or_404(environment_id):
    return db.session.get(Environment, environment_id) or abort(404)


def _step_form(number, row=None, submitted=False):
    """The form of one step (its fields prefixed, as every step's form is on the page): the request's when it was
    submitted (files included), else what was recorded."""
    if submitted:
        return StepForm(prefix=f"step{number}")
    form = StepForm(prefix=f"step{number}", formdata=None)
    if row is not None:
        form.status.data = row.status.value
        form.blocked_by.data, form.not_applicable_reason.data = row.blocked_by, row.not_applicable_reason
        form.note.data, form.message_id.data = row.note, row.message_id
    return form


def _page(participant, environment, forms=None, void_form=None, sign_off_error=None, status=200):
    facts, states = proving.steps_of(participant, environment)
    forms = forms or {}
    for state in states:
        if not state.derived and state.number not in forms:
            forms[state.number] = _step_form(state.number, state.row)
    return render("participants/proving/page.html", "participants/proving/page.html", status=status,
                  participant=participant, environment=environment, facts=facts, states=states,
                  open_state=proving.first_open(states), forms=forms, void_form=void_form or VoidForm(formdata=None),
                  sign_off_error=sign_off_error, environments=_environments(),
                  proving_environments=proving.proving_environments(participant),
                  history=proving.proving_history(participant, environment), recordable=proving.recordable,
                  StepStatus=StepStatus, message_step=proving.MESSAGE_STEP)


@bp.route("/<int:participant_id>/proving/<int:environment_id>")
@login_required
def page(participant_id, environment_id):
    return _page(_participant_or_404(participant_id), _environment_or_404(environment_id))


def _back(participant, environment):
    return url_for("proving.page", participant_id=participant.id, environment_id=environment.id)


@bp.route("/<int:participant_id>/proving/<int:environment_id>/steps/<int:step>", methods=["POST"])
@role_required(can_record_steps)
def record_step(participant_id, environment_id, step):
    participant, environment = _participant_or_404(participant_id), _environment_or_404(environment_id)
    if step not in proving.RECORDED:
        abort(404)
    form = _step_form(step, submitted=True)
    if form.validate():
        values = form_values(form, proving.STEP_FIELDS)
        values["status"] = StepStatus(values["status"])
        values["message_at"] = london_to_utc(values["message_at"])
        upload = form.evidence.data
        evidence = (upload.filename[:200], upload.read()) if upload and upload.filename else None
        try:
            proving.record_step(current_user, participant, environment, step, values, evidence)
            return done(f"Step {step} recorded.", _back(participant, environment))
        except Refused as refused:
            show_problems(form, refused, "status")
    return _page(participant, environment, forms={step: form})


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """An evidence file over the limit was refused unread: the message goes next to that step's file field."""
    args = request.view_args or {}
    if request.endpoint != "proving.record_step" or not current_user.is_authenticated:
        return error_response(413)
    participant = _participant_or_404(args["participant_id"])
    form = _step_form(args["step"])
    form.evidence.errors = [f"The file is too large (over {current_app.config['MAX_CONTENT_LENGTH'] // 1024} KB): "
                            "attach a smaller extract, or describe the evidence in the note."]
    return _page(participant, _environment_or_404(args["environment_id"]), forms={args["step"]: form}, status=413)


@bp.route("/<int:participant_id>/proving/<int:environment_id>/steps/<int:step>/evidence")
@login_required
def evidence(participant_id, environment_id, step):
    participant, environment = _participant_or_404(participant_id), _environment_or_404(environment_id)
    facts, _ = proving.steps_of(participant, environment)
    row = facts.rows.get(step)
    if row is None or not row.evidence_name:
        abort(404)
    return download(row.evidence, row.evidence_name)


@bp.route("/<int:participant_id>/proving/<int:environment_id>/sign-off", methods=["POST"])
@role_required(can_sign_off_connectivity)
def sign_off(participant_id, environment_id):
    participant, environment = _participant_or_404(participant_id), _environment_or_404(environment_id)
    try:
        proving.sign_off(current_user, participant, environment)
    except Refused as refused:
        return _page(participant, environment, sign_off_error=str(refused))
    return done(f"Connectivity to {environment.name} signed off.", _back(participant, environment))


@bp.route("/<int:participant_id>/proving/<int:environment_id>/void", methods=["POST"])
@role_required(can_sign_off_connectivity)
def void(participant_id, environment_id):
    participant, environment = _participant_or_404(participant_id), _environment_or_404(environment_id)
    form = VoidForm()
    if form.validate():
        try:
            proving.void_sign_off(current_user, participant, environment, (form.reason.data or "").strip())
            return done(f"The sign-off of {environment.name} is voided.", _back(participant, environment))
        except Refused as refused:
            show_problems(form, refused, "reason")
    return _page(participant, environment, void_form=form)
