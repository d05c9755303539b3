"""Readiness pages: the matrix of participants × entry criteria of a phase, the criteria themselves, a participant's
readiness (meet, waive, reopen, standing data), and the morning health check (report, today, a system's heat map)."""
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..core.changes import REFERENCE, cached
from ..core.forms import TOKEN_SLOT, form_values, show_problems, with_token
from ..core.htmx import done, render, wants_partial
from ..core.pagination import page_of
from ..core.permissions import login_required, role_required
from ..core.services import Refused
from ..core.time import london_to_utc, utcnow
from ..core.viewer import viewer_of
from ..directory.models import System
from ..exports.download import download
from ..extensions import db
from ..participants.models import Participant, Route
from ..participants.services import participant_of
from . import counts, criteria, health
from .criteria import CRITERION_FIELDS
from .forms import CriterionForm, DeadlineForm, MeetForm, StandingDataForm, WaiveForm
from .models import CriterionMark, EntryCriterion, Health
from .permissions import (
    can_keep_criteria,
    can_meet_criteria,
    can_post_health_checks,
    can_report_health_of,
    can_see_readiness,
)

bp = Blueprint("readiness", __name__, url_prefix="/readiness")


def _phase():
    value = request.args.get("phase", Route.SIT.value)
    return Route(value) if value in {r.value for r in Route} else Route.SIT


# The matrix and the criteria ------------------------------------------------------------------------

# The matrix's filter: every participant, or those of one readiness (Readiness.key), with their counts.
SHOWN = {"not-ready": "Not ready", "waivers": "Ready with waivers", "ready": "Ready without waivers"}


@bp.route("")
@role_required(can_keep_criteria)
def matrix():
    """Participants × criteria of a phase, a page at a time (hundreds of participants: one page of them is what a
    person reads), filtered by readiness; the counts are of every participant of the phase."""
    phase = _phase()
    # The participants, rendered once per process per query string with the phase's readiness (readiness/counts.py):
    # the same for every Release Manager (the page's only viewers); the criteria's forms are the request's own.
    participants = counts.kept_region(phase, _participants, tuple(request.args.items()))
    criteria_table = None if wants_partial() else with_token(counts.kept_region(phase, _criteria))
    return render("readiness/matrix.html", "readiness/_matrix_rows_copy.html", phase=phase, Route=Route,
                  criteria_table=criteria_table, participants=participants)


def _criteria(phase):
    """The phase's entry criteria with their forms, a slot for the CSRF token in each."""
    return str(render_template("readiness/_criteria.html", criteria_list=counts.phase_summary(phase).criteria,
                               phase=phase, token=TOKEN_SLOT))


def _participants(phase, _asked):
    """The matrix's participants of the phase as the request's query string (`_asked`, the key) asks them."""
    found = counts.phase_summary(phase)
    show = request.args.get("show", "")
    show = show if show in SHOWN else ""
    page = page_of([r for r in found.participants if not show or r.key == show])
    return Markup(render_template("readiness/_matrix_rows.html", phase=phase, page=page, criteria_list=found.criteria,
                                  rows=counts.matrix_rows(phase, page.items), counts=Counter(dict(found.counts)),
                                  total=len(found.participants), show=show, shown=SHOWN))


def _criterion_page(form, criterion):
    return render("readiness/criterion.html", "readiness/criterion.html", form=form, criterion=criterion)


@bp.route("/criteria/new", methods=["GET", "POST"])
@bp.route("/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
@role_required(can_keep_criteria)
def edit_criterion(criterion_id=None):
    criterion = db.session.get(EntryCriterion, criterion_id) if criterion_id else EntryCriterion()
    if criterion is None:
        abort(404)
    form = CriterionForm(obj=criterion if criterion_id and request.method == "GET" else None)
    if request.method == "GET":
        if criterion_id:
            form.phase.data = criterion.phase.value
            form.kind.data = criterion.kind.value if criterion.kind else ""
            form.derived.data = criterion.derived.value if criterion.derived else ""
        else:
            form.phase.data = _phase().value
        return _criterion_page(form, criterion)
    if form.validate():
        try:
            criteria.save_criterion(current_user, criterion, form_values(form, CRITERION_FIELDS))
        except Refused as refused:
            show_problems(form, refused, "text")
        else:
            return done("Entry criterion saved.", url_for("readiness.matrix", phase=criterion.phase.value))
    return _criterion_page(form, criterion)


@bp.route("/criteria/<int:criterion_id>/remove", methods=["POST"])
@role_required(can_keep_criteria)
def remove_criterion(criterion_id):
    criterion = db.session.get(EntryCriterion, criterion_id) or abort(404)
    phase = criterion.phase.value
    criteria.remove_criterion(current_user, criterion)
    return done("Entry criterion removed.", url_for("readiness.matrix", phase=phase))


# A participant's readiness --------------------------------------------------------------------------

def _participant_or_404(participant_id):
    participant = db.session.scalar(select(Participant).where(Participant.id == participant_id)
                                    .options(joinedload(Participant.organisation)))
    if participant is None or not can_see_readiness(current_user, participant):
        abort(404)
    return participant


def _forms(readiness, bound=None):
    """A meet and a waive form per criterion (their ids prefixed by it); the one posted keeps what was typed."""
    forms = {}
    for standing in readiness.standings:
        prefix = f"c{standing.criterion.id}"
        forms[standing.criterion.id] = (MeetForm(prefix=prefix + "-meet", formdata=None),
                                        WaiveForm(prefix=prefix + "-waive", formdata=None))
    if bound:
        criterion_id, which, form = bound
        meet_form, waive_form = forms[criterion_id]
        forms[criterion_id] = (form, waive_form) if which == "meet" else (meet_form, form)
    return forms


def _participant_page(participant, bound=None, isd_form=None, open_id=None):
    readiness = criteria.readiness_of(participant)
    return render("readiness/participant.html", "readiness/participant.html", participant=participant,
                  readiness=readiness, forms=_forms(readiness, bound), open_id=open_id,
                  isd_form=isd_form or StandingDataForm(formdata=None, loaded_on=participant.isd_loaded_on))


@bp.route("/mine")
@role_required(can_meet_criteria)
def mine():
    participant = participant_of(current_user.organisation_id)
    if participant is None:
        return render("readiness/not_participant.html", "readiness/not_participant.html")
    return redirect(url_for("readiness.participant", participant_id=participant.id), 303)


@bp.route("/participants/<int:participant_id>")
@login_required
def participant(participant_id):
    return _participant_page(_participant_or_404(participant_id))


def _criterion_of(participant, criterion_id):
    criterion = db.session.get(EntryCriterion, criterion_id)
    if criterion is None or not criteria.applies(criterion, participant):
        abort(404)
    return criterion


@bp.route("/participants/<int:participant_id>/criteria/<int:criterion_id>/meet", methods=["POST"])
@role_required(can_meet_criteria)
def meet(participant_id, criterion_id):
    participant = _participant_or_404(participant_id)
    criterion = _criterion_of(participant, criterion_id)
    form = MeetForm(prefix=f"c{criterion.id}-meet")
    if form.validate():
        upload = form.file.data
        file = (upload.filename[:200], (upload.mimetype or "application/octet-stream")[:100], upload.read()) \
            if upload and upload.filename else None
        try:
            criteria.meet(current_user, participant, criterion, form.note.data, file)
        except Refused as refused:
            show_problems(form, refused, "note")
        else:
            return done(f"Met: {criterion.text}", url_for("readiness.participant", participant_id=participant.id))
    return _participant_page(participant, (criterion.id, "meet", form), open_id=criterion.id)


@bp.route("/participants/<int:participant_id>/criteria/<int:criterion_id>/waive", methods=["POST"])
@role_required(can_keep_criteria)
def waive(participant_id, criterion_id):
    participant = _participant_or_404(participant_id)
    criterion = _criterion_of(participant, criterion_id)
    form = WaiveForm(prefix=f"c{criterion.id}-waive")
    if form.validate():
        try:
            criteria.waive(current_user, participant, criterion, form.reason.data, form.until.data)
        except Refused as refused:
            show_problems(form, refused, "reason")
        else:
            return done(f"Waived until {form.until.data:%d %b %Y}: {criterion.text}",
                        url_for("readiness.participant", participant_id=participant.id))
    elif form.until.errors:
        form.until.errors = ["Give the last day as a date, e.g. 2026-12-31."]
    return _participant_page(participant, (criterion.id, "waive", form), open_id=criterion.id)


@bp.route("/participants/<int:participant_id>/criteria/<int:criterion_id>/reopen", methods=["POST"])
@login_required
def reopen(participant_id, criterion_id):
    participant = _participant_or_404(participant_id)
    criterion = _criterion_of(participant, criterion_id)
    target = url_for("readiness.participant", participant_id=participant.id)
    try:
        criteria.reopen(current_user, participant, criterion)
    except Refused as refused:
        return done(str(refused), target, "error")
    return done(f"Reopened: {criterion.text}", target)


@bp.route("/participants/<int:participant_id>/criteria/<int:criterion_id>/evidence")
@login_required
def evidence(participant_id, criterion_id):
    participant = _participant_or_404(participant_id)
    mark = db.session.scalar(select(CriterionMark).where(CriterionMark.participant_id == participant.id,
                                                         CriterionMark.criterion_id == criterion_id))
    if mark is None or mark.file_data is None:
        abort(404)
    return download(mark.file_data, mark.file_name, mark.file_type)


@bp.route("/participants/<int:participant_id>/standing-data", methods=["POST"])
@role_required(can_meet_criteria)
def standing_data(participant_id):
    participant = _participant_or_404(participant_id)
    form = StandingDataForm()
    if form.validate():
        try:
            criteria.declare_standing_data(current_user, participant, form.loaded_on.data)
        except Refused as refused:
            show_problems(form, refused, "loaded_on")
        else:
            return done(f"Industry Standing Data declared loaded on {form.loaded_on.data:%d %b %Y}.",
                        url_for("readiness.participant", participant_id=participant.id))
    else:
        form.loaded_on.errors = ["Give the day as a date, e.g. 2026-11-24."]
    return _participant_page(participant, isd_form=form)


# The morning health check ---------------------------------------------------------------------------

class _Today(NamedTuple):
    """Today's checks as one viewer sees them (readiness/_today.html: its links to log an outage are for the systems
    the viewer reports on), rendered, with the deadline they were read with."""
    html: Markup
    deadline: time
    until: datetime  # when time alone changes it: the deadline passes (reports go missing), or the London day ends


TODAY_COPIES = 16  # one per viewer (the Release Managers, each Central Party, any other organisation alike)


@bp.route("/health")
@login_required
def health_today():
    """Today's checks rendered once per process per viewer (core/viewer.py) and read again when a check or the
    deadline (HEALTH) or a system, environment or organisation (REFERENCE) changes, or the deadline or midnight
    passes; the deadline's form (its CSRF token) is the request's own."""
    shown = cached(_today, health.HEALTH, REFERENCE, key=(viewer_of(current_user),), keep=TODAY_COPIES,
                   fresh=lambda copy: utcnow() < copy.until)
    return render("readiness/health.html", "readiness/health.html", today_html=shown.html, deadline=shown.deadline,
                  deadline_form=DeadlineForm(formdata=None, due=shown.deadline))


def _today(_viewer):
    """Today's checks as the request's user (whose viewer is `_viewer`, the key) sees them."""
    return _rendered_today("readiness/_today.html")


def _board_today(_viewer):
    """The status board's region of today's checks, as the request's user sees them (its links to log an outage)."""
    return _rendered_today("readiness/_board_region.html")


def _rendered_today(template):
    now, due = utcnow(), health.deadline()
    found = health.today(now, due)
    midnight = london_to_utc(datetime.combine(found.day + timedelta(days=1), time()))
    until = found.due if found.due is not None and now <= found.due else midnight
    return _Today(Markup(render_template(template, today=found)), due, until)


def _report_day():
    try:
        return date.fromisoformat(request.values.get("day", ""))
    except ValueError:
        return None


def _report_page(day, values=None, problems=None, status=200):
    pairs = health.reportable(current_user)
    found = health.checks_on(day) if day else {}
    return render("readiness/report.html", "readiness/report.html", status=status, day=day, pairs=pairs,
                  found=found, values=values or {}, problems=problems or {}, Health=Health)


@bp.route("/health/report", methods=["GET", "POST"])
@role_required(can_post_health_checks)
def report():
    day = _report_day() or criteria.today_in_london()
    if request.method == "GET":
        return _report_page(day)
    pairs = {f"{s.id}-{e.id}": (s, e) for s, e in health.reportable(current_user)}
    if any(name.endswith("-health") and name.removesuffix("-health") not in pairs for name in request.form):
        abort(404)  # a system (or an environment of it) this user does not report on: as if absent
    entries = [health.Entry(system, environment, request.form[f"{key}-health"],
                            request.form.get(f"{key}-note", ""), f"{key}-")
               for key, (system, environment) in pairs.items() if request.form.get(f"{key}-health")]
    try:
        health.report(current_user, _report_day(), entries)
    except Refused as refused:
        return _report_page(day, request.form, refused.problems)
    return done(f"Health check reported for {day:%d %b %Y}: {len(entries)} "
                f"{'system' if len(entries) == 1 else 'systems'}.", url_for("readiness.report", day=day.isoformat()))


@bp.route("/health/deadline", methods=["POST"])
@role_required(can_keep_criteria)
def deadline():
    form = DeadlineForm()
    try:
        health.set_deadline(current_user, form.due.data if form.validate() else None)
    except Refused as refused:
        return done(str(refused), url_for("readiness.health_today"), "error")
    return done(f"The health check is now due by {form.due.data:%H:%M}.", url_for("readiness.health_today"))


@bp.route("/health/systems/<int:system_id>")
@login_required
def system_health(system_id):
    system = db.session.get(System, system_id) or abort(404)
    return render("readiness/system_health.html", "readiness/system_health.html", system=system,
                  maps=health.history(system), today=criteria.today_in_london(utcnow()))


def outage_link(system, environment, check):
    """The outage form pre-filled from an amber or red check."""
    return url_for("outages.edit", environment=environment.id, system=system.id,
                   description=f"{check.health.label} in the morning health check: {check.note}"[:2000])


JINJA_GLOBALS = {"health_outage_link": outage_link}


def board_region(user, _now):
    """The outages page's region (outages.views.BOARD_REGIONS): today's health checks beside the outages, rendered
    once per process per viewer while they hold, as the health page's (health_today)."""
    return cached(_board_today, health.HEALTH, REFERENCE, key=(viewer_of(user),), keep=TODAY_COPIES,
                  fresh=lambda copy: utcnow() < copy.until).html


def home_context(user, now=None):
    """The home page's readiness card: the organisation's own readiness (a participant), the health checks it
    still owes today (a Central Party), and for Release Managers the checks missing after the deadline and how many
    participants are ready per phase."""
    today = health.today(now)
    own = participant_of(user.organisation_id)
    return {"readiness_own": criteria.readiness_of(own, now=now) if own and can_see_readiness(user, own) else None,
            "health_today": today,
            "health_owed": [(s, e) for s, e, c in today.rows if c is None and can_report_health_of(user, s)]
            if can_post_health_checks(user) and not can_keep_criteria(user) and today.due else [],
            "ready_counts": counts.ready_counts(now) if can_keep_criteria(user) else []}
