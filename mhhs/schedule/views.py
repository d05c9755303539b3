"""Schedule pages: the calendar, freezes, support hours, the test-phase plan (and its PDF) and calendar feeds."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    get_template_attribute,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from ..allocation.models import TestPhase
from ..allocation.services import STAGE_FIELDS, add_stage, overlap_records, unrecorded_overlaps
from ..core.changes import OUTAGES, PROVING, REFERENCE, SCHEDULE, SLOTS, WINDOWS, cached
from ..core.forms import form_values, show_problems
from ..core.htmx import done, render
from ..core.permissions import Role, login_required, manager_required, public
from ..core.services import Invalid, Refused
from ..core.time import to_london, utcnow
from ..core.urls import public_url
from ..core.viewer import viewer_of
from ..directory.models import Environment, Organisation, System
from ..exports.download import download
from ..exports.pdf import render_pdf
from ..extensions import db
from ..windows import release_slot
from ..windows.models import Freeze
from ..windows.support import describe, describe_operable
from . import feeds, plan, services
from .calendar import SLOT_MINUTES, Filters, calendar_days, timeline, view_range
from .forms import CalendarForm, FreezeForm, ReleaseSlotForm, TestPhaseForm

bp = Blueprint("schedule", __name__)
PER_DAY = {"month": 4, "week": 25}  # windows and outages a day shows before it says there are more


def _today():
    return to_london(utcnow()).date()


# Calendar -------------------------------------------------------------------------------------

# What the calendar region shows is the same for every user of one role and organisation (the rules it applies read
# no more of a user: core/viewer.py) asking the same filters on the same London day: rendered once per process for
# each (the least recently asked dropped past CALENDAR_COPIES) and kept while no counter of what it reads moves
# (core/changes.py) and no window on it has ended since. Its filters' form (every organisation and system a choice)
# is the same for everyone asking the same: kept while the reference data stays.
CALENDAR_READS = (WINDOWS, OUTAGES, SLOTS, SCHEDULE, PROVING, REFERENCE)
CALENDAR_COPIES = 32
ASKED = ("view", "date", "environment", "system", "organisation")  # the query string's arguments the calendar reads


@dataclass(frozen=True)
class _Region:
    html: Markup  # schedule/_calendar.html
    until: datetime  # when a window on it ends (its clashes are gone then), or None


@bp.route("/calendar")
@login_required
def calendar():
    asked = tuple(request.args.get(name) for name in ASKED)
    region = cached(_region, *CALENDAR_READS, key=(viewer_of(current_user), asked, _today()), keep=CALENDAR_COPIES,
                    fresh=lambda copy: copy.until is None or utcnow() < copy.until)
    return render("schedule/calendar.html", "schedule/_calendar_copy.html", calendar=region.html,
                  filters=cached(_filters, REFERENCE, key=(asked,), keep=CALENDAR_COPIES))


def _form(asked):
    """The calendar's form read from what was asked (a query string), validated: a bad value gets its message and
    the calendar shows what is valid."""
    form = CalendarForm(MultiDict([(name, value) for name, value in zip(ASKED, asked) if value is not None]))
    form.validate()
    for f in (form.environment, form.system, form.organisation):
        if f.errors:
            f.errors = [f"That {f.label.text.lower()} is unknown: choose one from the list."]
    return form


def _filters(asked):
    """The filters' form, with what was typed and its messages."""
    return Markup(render_template("schedule/_calendar_filters.html", form=_form(asked)))


def _region(viewer, asked, today):
    """The calendar region as the request's user (whose viewer is `viewer`) sees it."""
    form = _form(asked)
    view = form.view.data if form.view.data in PER_DAY else "month"
    day = form.day() or today
    first, last, heading, moves = view_range(view, day)
    filters = Filters(*(None if f.errors else f.data for f in (form.environment, form.system, form.organisation)))
    days, until = calendar_days(current_user, first, last, filters, PER_DAY[view])
    args = {k: v for k, v in dict(view=view, environment=filters.environment_id, system=filters.system_id,
                                  organisation=filters.organisation_id).items() if v}
    return _Region(Markup(render_template(
        "schedule/_calendar.html", view=view, days=days, timeline=timeline, hours=range(0, 24, 3),
        slots_per_hour=60 // SLOT_MINUTES, heading=heading, today=today, args=args, moves=moves,
        month=day.month if view == "month" else None, manager=viewer.role == Role.RELEASE_MANAGER)), until)


# Freezes ----------------------------------------------------------------------------------------

def _freezes_page(form, status=200):
    freezes = db.session.scalars(select(Freeze).options(joinedload(Freeze.environment))
                                 .where(Freeze.last_day >= _today() - timedelta(days=90))
                                 .order_by(Freeze.first_day)).all()
    return render("schedule/freezes.html", "schedule/_freeze_form.html", status=status, freezes=freezes, form=form,
                  today=_today())


@bp.route("/freezes")
@login_required
def freezes():
    return _freezes_page(FreezeForm())


@bp.route("/freezes", methods=["POST"])
@manager_required
def declare_freeze():
    form = FreezeForm()
    if not form.validate_on_submit():
        return _freezes_page(form)
    freeze = services.add_freeze(current_user, **form_values(form, ["environment_id", "first_day", "last_day",
                                                                    "reason"]))
    return done(f"Freeze declared: {freeze.scope}, {freeze.first_day:%d %b} to {freeze.last_day:%d %b %Y}.",
                url_for("schedule.freezes"))


@bp.route("/freezes/<int:freeze_id>/lift", methods=["POST"])
@manager_required
def lift_freeze(freeze_id):
    freeze = db.get_or_404(Freeze, freeze_id)
    services.lift_freeze(current_user, freeze)
    return done(f"Freeze lifted: {freeze.scope}, {freeze.first_day:%d %b} to {freeze.last_day:%d %b %Y}.",
                url_for("schedule.freezes"))


# Support hours ----------------------------------------------------------------------------------

@bp.route("/support-hours")
@login_required
def support_hours():
    systems = db.session.scalars(select(System).join(Organisation).options(joinedload(System.organisation))
                                 .order_by(Organisation.name, System.name)).all()
    return render("schedule/support_hours.html", "schedule/support_hours.html", systems=systems, describe=describe,
                  describe_operable=describe_operable)


# The test-phase plan ------------------------------------------------------------------------------

def _plan(today):
    """What the plan's page and PDF show."""
    chart, phases, gantt = cached(_drawn_plan, REFERENCE, SCHEDULE, WINDOWS,
                                          key=(today,))
    overlaps = overlap_records()  # who recorded each: users are watched by no counter
    return dict(chart=chart, phases=phases, gantt=gantt, today=today, overlaps=overlaps,
                unrecorded=unrecorded_overlaps(phases, overlaps))


def _drawn_plan(today):
    """plan.shown with its Gantt chart drawn (the same for everyone, nothing per user or request in it), kept per
    process and London day by `_plan`."""
    chart, phases = plan.shown(today)
    gantt = current_app.jinja_env.get_template("schedule/_gantt.html").render(chart=chart, colours=plan.COLOURS,
                                                                               key=plan.KEY)
    return chart, phases, Markup(gantt)


def _plan_page(form=None, status=200):
    """The plan with the form to add a test phase: a refused post's, or (no form) the blank one."""
    blank = None if form else cached(_blank_phase_form, REFERENCE)
    return render("schedule/plan.html", "schedule/_phase_form.html", status=status, form=form, blank_form=blank,
                  **_plan(_today()))


def _blank_phase_form():
    """The blank form's fields, rendered once per process (its environments' choices are reference data): the same
    for every Release Manager, whose CSRF token is rendered per request beside them."""
    form = TestPhaseForm(formdata=None, meta={"csrf": False})
    return Markup(get_template_attribute("schedule/_phase_fields.html", "phase_fields")(form))


@bp.route("/plan")
@login_required
def test_plan():
    return _plan_page()


@bp.route("/plan/phases", methods=["POST"])
@manager_required
def add_test_phase():
    form = TestPhaseForm()
    if not form.validate_on_submit():
        return _plan_page(form)
    try:
        phase = add_stage(current_user, **form_values(form, STAGE_FIELDS))
    except Refused as refused:
        show_problems(form, refused)
        return _plan_page(form)
    return done(f"Test phase added: {phase.name}.", url_for("schedule.test_plan"))


@bp.route("/plan/phases/<int:phase_id>/remove", methods=["POST"])
@manager_required
def remove_test_phase(phase_id):
    phase = db.get_or_404(TestPhase, phase_id)
    services.remove_test_phase(current_user, phase)
    return done(f"Test phase removed: {phase.name}.", url_for("schedule.test_plan"))


@bp.route("/plan.pdf")
@login_required
def plan_pdf():
    today = _today()
    return download(render_pdf("pdf/plan.html", **_plan(today)), f"test-phase-plan-{today}.pdf")


# Calendar feeds -----------------------------------------------------------------------------------

@bp.route("/calendar/feeds")
@login_required
def calendar_feeds():
    environments = db.session.scalars(select(Environment).order_by(Environment.position)).all()
    return render("schedule/feeds.html", "schedule/feeds.html", has_urls=bool(current_user.calendar_token),
                  token=None, environments=environments, horizon=feeds.HORIZON_WORDS)


@bp.route("/calendar/feeds", methods=["POST"])
@login_required
def new_feed_urls():
    renewed = bool(current_user.calendar_token)
    token = services.new_feed_token(current_user)
    environments = db.session.scalars(select(Environment).order_by(Environment.position)).all()
    # The URLs are shown on this answer only (only a digest of their secret is kept): never cached.
    response = make_response(render_template("schedule/feeds.html", has_urls=True, token=token, renewed=renewed,
                                             environments=environments, horizon=feeds.HORIZON_WORDS))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/calendar/feed/<token>.ics")
@bp.route("/calendar/feed/<token>/<int:environment_id>.ics")
@public
def feed(token, environment_id=None):
    user = services.feed_user(token)
    environment = db.session.get(Environment, environment_id) if environment_id else None
    if user is None or (environment_id and environment is None):
        abort(404)
    feed = feeds.Feed(user, environment)
    etag = feed.fingerprint()
    if etag in request.if_none_match:
        response = make_response("", 304)
    else:
        response = make_response(feed.to_ical(public_url))
        response.mimetype = "text/calendar"
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# The weekly release slot (RCM Table 3) ------------------------------------------------------------

@bp.route("/release-slot", methods=["GET", "POST"])
@manager_required
def edit_release_slot():
    slot = release_slot.weekly_slot()
    form = ReleaseSlotForm(obj=slot)
    if form.validate_on_submit():
        try:
            release_slot.save_slot(current_user, form_values(form, release_slot.FIELDS))
        except Invalid as invalid:
            show_problems(form, invalid)
        else:
            return done(f"Weekly release slot: {release_slot.slot_text(slot)}.", url_for("schedule.calendar"))
    return render("directory/form_page.html", "directory/_form.html", form=form, title="Weekly release slot",
                  action=request.path, back=url_for("schedule.calendar"))
