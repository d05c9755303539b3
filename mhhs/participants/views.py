"""The participants' pages: the register (and its CSV), the onboarding intervals, a participant's page, its
Environment Manager, own environments and their connection details (and CSV), unavailability, and the central
systems' connection details."""
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..certificates.models import Certificate, PkiOfficer
from ..certificates.permissions import visible_certificates
from ..core.changes import PROVING, REFERENCE, SCHEDULE, cached
from ..core.forms import database_id, form_values, show_problems, with_token, without_token
from ..core.htmx import done, render
from ..core.pagination import paginate
from ..core.permissions import login_required, manager_required, role_required
from ..core.services import Refused
from ..core.time import london_to_utc, next_change, utcnow
from ..core.viewer import viewer_of
from ..exports.csv import csv_download
from ..extensions import db
from . import proving, register, services
from .forms import (
    CONNECTION_HINTS,
    ConnectionForm,
    EnvironmentForm,
    EnvironmentManagerForm,
    IntervalForm,
    OutageForm,
    ParticipantForm,
)
from .models import Participant, ParticipantEnvironment, ParticipantOutage, Route
from .permissions import can_keep_central_connections, can_keep_own, can_keep_participant, can_see_proving

bp = Blueprint("participants", __name__, url_prefix="/participants")
keepers = role_required(can_keep_own)


# The register ------------------------------------------------------------------------------------------------------

def _filters():
    args = request.args
    return {"route": args.get("route") if args.get("route") in {r.value for r in Route} else None,
            "interval_id": args.get("interval", type=database_id),
            "gap": args.get("gap") if args.get("gap") == register.NO_ENVIRONMENT_MANAGER else None}


class _Register(NamedTuple):
    """The register as one viewer asks it (a query string), rendered: what a row links to, the viewer's own entry and
    the Release Managers' buttons are the viewer's (core/viewer.py: role and organisation), nothing else of the user."""
    page: Markup  # participants/_register.html, the rows in it
    rows: Markup  # participants/_register_rows.html, what the filters and pager swap in


REGISTER_COPIES = 48  # regions kept per process: the viewers, filters and pages people ask for most


@bp.route("")
@login_required
def register_page():
    """Rendered once per process per viewer and query string, again when the PROVING counter (the register, its
    intervals and tranches) or REFERENCE (organisations' names, market roles) moves (core/changes.py)."""
    region = cached(_register, PROVING, REFERENCE, key=(viewer_of(current_user), tuple(request.args.items())),
                    keep=REGISTER_COPIES)
    return render("participants/register.html", "participants/_register_copy.html", region=region)


def _register(_viewer, _asked):
    """The register as the request's user (whose viewer is `_viewer`) asks it in its query string (`_asked`)."""
    filters = _filters()
    page = paginate(register.register_rows(**filters), register.REGISTER_ORDER, key_of=register.register_key)
    gaps = (register.count_without_environment_manager(filters["route"], filters["interval_id"])
            if page.total else 0)
    context = dict(page=page, roles=register.role_codes_of([row.id for row in page.items]), gaps=gaps,
                   filters=filters, intervals=register.intervals(), Route=Route,
                   mine=services.participant_of(current_user.organisation_id),
                   NO_ENVIRONMENT_MANAGER=register.NO_ENVIRONMENT_MANAGER)
    rows = Markup(render_template("participants/_register_rows.html", **context))
    return _Register(Markup(render_template("participants/_register.html", rows=rows, **context)), rows)


@bp.route("/register.csv")
@login_required
def register_csv():
    rows = [[p.organisation.name, p.kind.label, " ".join(r.code for r in p.market_roles), p.route.label,
             p.passed_route.label if p.passed_route else "", f"{p.passed_on:%Y-%m-%d}" if p.passed_on else "",
             p.interval.number if p.interval else "", f"{p.interval.first_day:%Y-%m-%d}" if p.interval else "",
             p.qualification_tranche.name if p.qualification_tranche else "",
             "" if p.has_environment_manager else "No Environment Manager"]
            for p in db.session.scalars(register.register_query(**_filters())).all()]
    return csv_download(["Organisation", "Kind", "Market roles", "Route", "Passed", "Passed on", "Interval",
                         "Interval week commencing", "Qualification tranche", "Gaps"], rows, "participants.csv")


def _participant_form_page(form, participant):
    return render("participants/form_page.html", "participants/_form.html", form=form, participant=participant)


def _save_participant(form, participant):
    if form.validate_on_submit():
        try:
            participant = register.save_participant(current_user, participant,
                                                    form_values(form, register.PARTICIPANT_FIELDS))
        except Refused as refused:
            show_problems(form, refused)
        else:
            return done("Register entry saved.", url_for("participants.participant",
                                                         participant_id=participant.id))
    return _participant_form_page(form, participant)


@bp.route("/new", methods=["GET", "POST"])
@manager_required
def add_participant():
    form = ParticipantForm()
    if request.method == "GET":
        return _participant_form_page(form, None)
    return _save_participant(form, Participant())


@bp.route("/<int:participant_id>/edit", methods=["GET", "POST"])
@manager_required
def edit_participant(participant_id):
    participant = db.session.get(Participant, participant_id) or abort(404)
    form = ParticipantForm(participant)
    if request.method == "GET":
        return _participant_form_page(form, participant)
    form.organisation_id.data = participant.organisation_id
    return _save_participant(form, participant)


@bp.route("/intervals", methods=["GET", "POST"])
@manager_required
def intervals():
    form = IntervalForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            register.save_interval(current_user, form_values(form, register.INTERVAL_FIELDS))
        except Refused as refused:
            show_problems(form, refused)
        else:
            return done(f"Interval {form.number.data} saved.", url_for("participants.intervals"))
    return render("participants/intervals.html", "participants/intervals.html", form=form,
                  intervals=register.intervals())


# A participant's page ----------------------------------------------------------------------------------------------

def _participant_or_404(participant_id):
    participant = services.visible_participant(current_user, participant_id)
    if participant is None:
        abort(404)
    return participant


def _own_participant_or_404(participant_id):
    participant = _participant_or_404(participant_id)
    if not can_keep_participant(current_user, participant):
        abort(404)
    return participant


CERTIFICATES_SHOWN = 20  # a participant's page lists so many current certificates; the certificates page has all


class _Private(NamedTuple):
    """What one viewer sees of a participant's test environments, PKI officers and current certificates, rendered:
    which of them it may see is the viewer's (core/viewer.py: role and organisation), nothing else of the user."""
    environments: Markup  # participants/_environments.html
    officers: Markup  # participants/_officers.html
    shown: bool  # any environment, officer or certificate is shown


PRIVATE_COPIES = 64  # copies kept per process: the participants people look at most, per viewer


@bp.route("/<int:participant_id>")
@login_required
def participant(participant_id):
    participant = _participant_or_404(participant_id)
    # Kept per viewer and participant while the PROVING counter (environments, officers, certificates) and REFERENCE
    # (central environments, the systems a Central Party runs in them) stay (core/changes.py).
    private = cached(_private, PROVING, REFERENCE, key=(viewer_of(current_user), participant.id),
                     using=(participant,), keep=PRIVATE_COPIES)
    outages = cached(_outages, *OUTAGES_READ, key=(viewer_of(current_user), participant.id), using=(participant,),
                     keep=PRIVATE_COPIES, fresh=lambda copy: utcnow() < copy.until)
    return render("participants/participant.html", "participants/participant.html", participant=participant,
                  private=private, outages=with_token(outages.html),
                  proving_rows=proving.overview(participant, utcnow()) if can_see_proving(current_user, participant)
                  else None)


def _private(_viewer, _participant_id, participant):
    """The participant's environments, officers and certificates as the request's user (whose viewer is `_viewer`)
    may see them."""
    shown = db.session.execute(visible_certificates(select(Certificate, func.count().over()), current_user).where(
        Certificate.organisation_id == participant.organisation_id, ~Certificate.replaced)
        .options(joinedload(Certificate.environment)).order_by(Certificate.valid_to, Certificate.id)
        .limit(CERTIFICATES_SHOWN)).all()  # the soonest to expire first, with how many there are in all
    certificates, certificates_total = [c for c, _ in shown], shown[0][1] if shown else 0
    officers = db.session.scalars(visible_certificates(select(PkiOfficer), current_user, PkiOfficer.organisation_id)
                                  .where(PkiOfficer.organisation_id == participant.organisation_id)
                                  .options(joinedload(PkiOfficer.environment))
                                  .order_by(PkiOfficer.scheme, PkiOfficer.role, PkiOfficer.name)).all()
    environments = db.session.scalars(services.environments_query(current_user, participant.id)).all()
    return _Private(
        Markup(render_template("participants/_environments.html", participant=participant, environments=environments)),
        Markup(render_template("participants/_officers.html", participant=participant, officers=officers,
                               certificates=certificates, certificates_total=certificates_total)),
        bool(environments or officers or certificates))


# What a participant's unavailability reads: its outages (SCHEDULE), its environments and who may see them (PROVING),
# the central environments' names and the systems running in them (REFERENCE).
OUTAGES_READ = (SCHEDULE, PROVING, REFERENCE)


class _Outages(NamedTuple):
    html: Markup  # participants/_outages.html (nothing when there are none), the CSRF tokens in their slots
    until: datetime  # the next start or end of one listed: its End now button comes or it goes


def _outages(_viewer, _participant_id, participant):
    """The participant's outages from now on as the request's user (whose viewer is `_viewer`) may see them."""
    now = utcnow()
    outages = db.session.scalars(services.outages_query(current_user, since=now).where(
        ParticipantEnvironment.participant_id == participant.id)).all()
    until = next_change([(o.starts, o.ends) for o in outages], now)
    html = render_template("participants/_outages.html", outages=outages, now=now, outage_label=services.outage_label,
                           own=can_keep_participant(current_user, participant)) if outages else ""
    return _Outages(Markup(without_token(html)), until)


@bp.route("/<int:participant_id>/environment-manager", methods=["GET", "POST"])
@keepers
def environment_manager(participant_id):
    participant = _own_participant_or_404(participant_id)
    form = EnvironmentManagerForm(services.colleagues(participant),
                                  obj=participant if request.method == "GET" else None)
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.name_environment_manager(current_user, participant,
                                              form_values(form, services.ENVIRONMENT_MANAGER_FIELDS))
        except Refused as refused:
            show_problems(form, refused)
        else:
            return done("Environment Manager named.", url_for("participants.participant",
                                                              participant_id=participant.id))
    return render("participants/environment_manager.html", "participants/environment_manager.html", form=form,
                  participant=participant)


# Own environments and their connection details ---------------------------------------------------------------------

def _environment_page(form, participant, environment):
    return render("participants/environment_form.html", "participants/environment_form.html", form=form,
                  participant=participant, environment=environment, hints=CONNECTION_HINTS)


def _save_environment(form, participant, environment):
    if form.validate_on_submit():
        try:
            services.save_environment(current_user, participant, environment,
                                      form_values(form, services.ENVIRONMENT_FIELDS))
        except Refused as refused:
            show_problems(form, refused)
        else:
            return done(f"{environment.name} saved.", url_for("participants.participant",
                                                              participant_id=participant.id))
    return _environment_page(form, participant, environment)


@bp.route("/<int:participant_id>/environments/new", methods=["GET", "POST"])
@keepers
def add_environment(participant_id):
    participant = _own_participant_or_404(participant_id)
    form = EnvironmentForm()
    if request.method == "GET":
        return _environment_page(form, participant, None)
    return _save_environment(form, participant, ParticipantEnvironment())


def _own_environment_or_404(environment_id):
    environment = services.visible_environment(current_user, environment_id)
    if environment is None or not can_keep_participant(current_user, environment.participant):
        abort(404)
    return environment


@bp.route("/environments/<int:participant_environment_id>/edit", methods=["GET", "POST"])
@keepers
def edit_environment(participant_environment_id):
    environment = _own_environment_or_404(participant_environment_id)
    form = EnvironmentForm(obj=environment if request.method == "GET" else None)
    if request.method == "GET":
        form.status.data = environment.status.value
        return _environment_page(form, environment.participant, environment)
    return _save_environment(form, environment.participant, environment)


@bp.route("/environments/<int:participant_environment_id>/remove", methods=["POST"])
@keepers
def remove_environment(participant_environment_id):
    environment = _own_environment_or_404(participant_environment_id)
    participant_id, name = environment.participant_id, environment.name
    services.remove_environment(current_user, environment)
    return done(f"{name} removed.", url_for("participants.participant", participant_id=participant_id))


@bp.route("/environments")
@login_required
def environments():
    rows = db.session.scalars(services.environments_query(current_user)).all()
    return render("participants/environments.html", "participants/environments.html", environments=rows)


@bp.route("/environments.csv")
@login_required
def environments_csv():
    rows = [[e.participant.organisation.name, e.name, e.serves, e.environment.name, e.status.label,
             " ".join(e.endpoints.split()), " ".join(e.host_names.split()), " ".join(e.addresses.split())]
            for e in db.session.scalars(services.environments_query(current_user)).all()]
    return csv_download(["Organisation", "Environment", "Serves", "Connects to", "Status", "Endpoints",
                         "Host names", "Addresses to allow"], rows, "participant-environments.csv")


# Unavailability ------------------------------------------------------------------------------------------------------

@bp.route("/environments/<int:participant_environment_id>/outages/new", methods=["GET", "POST"])
@keepers
def log_outage(participant_environment_id):
    environment = _own_environment_or_404(participant_environment_id)
    form = OutageForm()
    if request.method == "POST" and form.validate_on_submit():
        values = form_values(form, services.OUTAGE_FIELDS)
        values["starts"], values["ends"] = london_to_utc(values["starts"]), london_to_utc(values["ends"])
        try:
            services.log_outage(current_user, environment, values)
        except Refused as refused:
            show_problems(form, refused)
        else:
            return done("Unavailability logged.", url_for("participants.participant",
                                                          participant_id=environment.participant_id))
    return render("participants/outage_form.html", "participants/outage_form.html", form=form,
                  environment=environment, notice_days=services.notice_days())


@bp.route("/outages/<int:participant_outage_id>/end", methods=["POST"])
@keepers
def end_outage(participant_outage_id):
    outage = db.session.get(ParticipantOutage, participant_outage_id) or abort(404)
    _own_environment_or_404(outage.participant_environment_id)
    try:
        services.end_outage(current_user, outage)
    except Refused as refused:
        return done(str(refused), url_for("participants.participant",
                                          participant_id=outage.participant_environment.participant_id), "error")
    return done("Unavailability ended.", url_for("participants.participant",
                                                 participant_id=outage.participant_environment.participant_id))


class _Board(NamedTuple):
    html: Markup
    until: datetime  # when time alone changes it: an outage shown starts or ends, or another comes within 14 days


BOARD_RECHECK = timedelta(minutes=1)  # how soon an outage coming within the board's 14 days is shown, at most


def board_region(user, now):
    """The outages page's region (outages.views.BOARD_REGIONS): participants' own environments unavailable now or in
    the next 14 days, apart from the central systems; rendered once per process per viewer while the outages
    (SCHEDULE), the register (PROVING) and the names (REFERENCE) stand and no outage shown starts or ends."""
    return cached(_board, SCHEDULE, PROVING, REFERENCE, key=(viewer_of(user),), using=(user, now),
                  fresh=lambda copy: utcnow() < copy.until).html


def _board(_viewer, user, now):
    outages = services.board_outages(user, now)
    ongoing, upcoming = [o for o in outages if o.starts <= now], [o for o in outages if o.starts > now]
    until = min(next_change([(o.starts, o.ends) for o in outages], now), now + BOARD_RECHECK)
    return _Board(Markup(render_template("participants/_board_region.html", ongoing=ongoing, upcoming=upcoming)),
                  until)


# The central systems' connection details ---------------------------------------------------------------------------

@bp.route("/connections", methods=["GET", "POST"])
@login_required
def connections():
    pairs = services.systems_kept_by(current_user)
    form = ConnectionForm(pairs)
    if request.method == "POST":
        if not can_keep_central_connections(current_user):
            abort(403)
        if form.validate_on_submit():
            system_id, environment_id = form.ids()
            values = dict(form_values(form, ["endpoints", "host_names", "notes"]), system_id=system_id,
                          environment_id=environment_id)
            try:
                services.save_connection(current_user, values)
            except Refused as refused:  # the system and environment are chosen together, as the target
                for name, message in refused.problems.items():
                    field = form[name] if name in ("endpoints", "host_names", "notes") else form.target
                    field.errors = list(field.errors) + [message]
            else:
                return done("Connection details saved.", url_for("participants.connections"))
    return render("participants/connections.html", "participants/connections.html", form=form, pairs=pairs,
                  connections=services.connections(current_user), hints=CONNECTION_HINTS)
