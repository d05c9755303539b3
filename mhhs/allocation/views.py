"""Allocation pages: the environment timeline, slots (allocate, request, move, cancel, take an offer), the requests
queue (in place), tranches and the notice rule."""
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, abort, get_template_attribute, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..core import changes
from ..core.forms import form_values, show_problems
from ..core.htmx import done, render
from ..core.permissions import role_required
from ..core.services import Refused, get_visible_or_404
from ..core.time import format_london, london_to_utc, to_london, utc_to_london_naive, utcnow
from ..core.viewer import viewer_of
from ..directory.models import Environment
from ..extensions import db
from ..participants.models import Participant, Route, Tranche
from ..windows.clashes import DEFAULT_LENGTH, length_text
from . import rules, services
from . import timeline as layout
from .forms import DeclineForm, MoveForm, NoticeForm, OverlapForm, PlaceForm, SlotForm, TrancheEditForm, TrancheForm
from .models import PENDING, STANDING, Slot, SlotStatus, StageOverlap, TestPhase
from .permissions import (
    can_keep_allocation,
    can_request_slot,
    can_see_allocation,
    own_participant_ids,
    visible_slots_clause,
)

bp = Blueprint("allocation", __name__, url_prefix="/allocation")
keepers_only = role_required(can_keep_allocation)
everyone = role_required(can_see_allocation)
bookers = role_required(lambda user: can_keep_allocation(user) or can_request_slot(user))


def _id(value):
    return int(value) if value.isdigit() else 0


def _today():
    return to_london(utcnow()).date()


def _slot_query():
    return select(Slot).options(selectinload(Slot.participants).joinedload(Participant.organisation),
                                joinedload(Slot.environment), joinedload(Slot.phase))


def _visible_slot(slot_id):
    return get_visible_or_404(_slot_query().where(Slot.id == slot_id, visible_slots_clause(current_user)))


def _own_slot(slot_id):
    """A slot the user may act on as a participant: its organisation's (any, for a Release Manager)."""
    clause = Slot.id.is_not(None) if can_keep_allocation(current_user) else Slot.participants.any(
        Participant.organisation_id == current_user.organisation_id)
    return get_visible_or_404(_slot_query().where(Slot.id == slot_id, clause))


# The timeline ---------------------------------------------------------------------------------------------------

@bp.route("/timeline")
@everyone
def timeline():
    view = request.args.get("view") if request.args.get("view") in ("week", "month") else "week"
    try:
        day = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        day = _today()
    if not 2000 <= day.year <= 2100:
        day = _today()
    first, last = layout.view_range(view, day)
    moves = {"previous": (first - timedelta(days=1)).isoformat(), "next": (last + timedelta(days=1)).isoformat()}
    now = utcnow()
    chart = changes.cached(_drawn, *DRAWN_FROM, key=(viewer_of(current_user), view, first, last),
                           fresh=lambda drawn: drawn.until is None or now < drawn.until)
    return render("allocation/timeline.html", "allocation/_timeline.html", chart=chart,
                  today_x=layout.today_x(first, last, now), view=view, day=day, moves=moves, colours=layout.COLOURS,
                  key=layout.KEY, today=_today())


# What the timeline reads: deployment windows (and who sees a pending one), freezes; outages; slots; stages and
# their recorded overlaps; environments and organisations; tranches and the participants of slots.
DRAWN_FROM = (changes.WINDOWS, changes.OUTAGES, changes.SLOTS, changes.SCHEDULE, changes.REFERENCE, changes.PROVING)


@dataclass(frozen=True)
class Drawn:
    """A period's timeline as drawn: its bars (with the days' lines) and its list, rendered."""
    first: date
    last: date
    height: int
    count: int
    bars: Markup
    listed: Markup
    until: object  # layout.Timeline.until
    width: int = layout.WIDTH + layout.LABEL


def _drawn(viewer, view, first, last):
    """The timeline of a period as the viewer may see it, drawn once per process (changes.cached, keyed by what the
    visibility rules read, the view and the period) and drawn again when a counter of what it reads moves, or when
    time alone changes it (a bar under way). Nothing per user or per request is in it: the line "Today" is placed at
    each request."""
    chart = layout.build(first, last, utcnow(), viewer, layout.APART[view])
    bars = get_template_attribute("allocation/_timeline_drawn.html", "bars")(chart, view, layout.COLOURS)
    listed = get_template_attribute("allocation/_timeline_drawn.html", "listed")(chart, view)
    return Drawn(first, last, chart.height, chart.count, Markup(bars), Markup(listed), chart.until)


# Slots ------------------------------------------------------------------------------------------------------------

def _slot_form(formdata=None):
    own = None if can_keep_allocation(current_user) else own_participant_ids(current_user)
    return SlotForm(formdata, participant_ids=own)


def _suggest(form):
    """Fills in the next free slot of the typed length (or an hour) on the chosen environment; what to say of it.
    Nothing is saved."""
    environment = db.session.get(Environment, form.environment_id.data) if form.environment_id.data else None
    if environment is None:
        form.environment_id.errors = ["Choose the environment first."]
        return None
    start, end = form.start.data, form.end.data
    length = end - start if start and end and end > start else DEFAULT_LENGTH
    earliest = max(rules.earliest_start(utcnow()), london_to_utc(start) if start else utcnow())
    found = rules.next_free_slot(environment, length, earliest, form.phase_id.data, form.participant_ids.data or ())
    if found is None:
        return f"No free slot of {length_text(length)} on {environment.name} in the next 90 days: choose one by hand."
    for f, moment in zip((form.start, form.end), found):
        f.data, f.raw_data = utc_to_london_naive(moment), None
    return (f"Suggested the earliest free slot of {length_text(length)}: {format_london(found[0])}–"
            f"{format_london(found[1], '%H:%M')}, with the notice given, in support hours and clear of every clash.")


def _slots_page(form, status=200, suggestion=None):
    slots = db.session.scalars(_slot_query().where(visible_slots_clause(current_user), Slot.end > utcnow(),
                                                   Slot.status.in_(STANDING)).order_by(Slot.start, Slot.id)
                               .limit(200)).all()
    warnings = {s.id: rules.date_warnings(s.environment, s.phase, s.start, s.end) for s in slots}
    return render("allocation/slots.html", "allocation/_slot_form.html", status=status, form=form, slots=slots,
                  warnings=warnings, notice_days=rules.notice_days(), suggestion=suggestion,
                  own=own_participant_ids(current_user))


@bp.route("/slots")
@everyone
def slots():
    return _slots_page(_slot_form())


@bp.route("/slots", methods=["POST"])
@bookers
def book():
    if not can_keep_allocation(current_user):
        asked = set(request.form.getlist("participant_ids", type=_id))
        if asked - own_participant_ids(current_user):
            abort(404)  # a participant requests for itself only: another's is not there
    form = _slot_form(request.form)
    if request.form.get("action") == "suggest":
        return _slots_page(form, suggestion=_suggest(form))
    if not form.validate_on_submit():
        return _slots_page(form)
    try:
        booked = services.book(current_user, **form.values())
    except Refused as refused:
        show_problems(form, refused, "start")
        return _slots_page(form)
    first = booked[0]
    words = {SlotStatus.ALLOCATED: "allocated", SlotStatus.REQUESTED: "requested: a Release Manager decides",
             SlotStatus.WAITING: "on the waitlist: that time is held, and you will be offered it if it comes free"}
    count = f"{len(booked)} slots" if len(booked) > 1 else "Slot"
    return done(f"{count} {words[first.status]}.", url_for("allocation.slots"))


@bp.route("/slots/<int:slot_id>/cancel", methods=["POST"])
@bookers
def cancel(slot_id):
    slot = _own_slot(slot_id)
    try:
        offered = services.cancel(current_user, slot, request.form.get("reason", ""))
    except Refused as refused:
        return done(str(refused), url_for("allocation.slots"), "error")
    extra = f" Offered to {', '.join(p.organisation.name for p in offered.participants)} from the waitlist." \
        if offered else ""
    return done(f"Slot cancelled.{extra}", url_for("allocation.slots"))


@bp.route("/slots/<int:slot_id>/cancel-series", methods=["POST"])
@bookers
def cancel_series(slot_id):
    slot = _own_slot(slot_id)
    try:
        cancelled, offered = services.cancel_rest_of_series(current_user, slot, request.form.get("reason", ""))
    except Refused as refused:
        return done(str(refused), url_for("allocation.slots"), "error")
    extra = "".join(f" Offered to {', '.join(p.organisation.name for p in o.participants)} from the waitlist: "
                    f"{format_london(o.start)}." for o in offered)
    return done(f"{len(cancelled)} slot{'s' if len(cancelled) != 1 else ''} of the series cancelled, from "
                f"{format_london(cancelled[0].start)} to {format_london(cancelled[-1].start, '%d %b %Y')}; those "
                f"past stand. Its participants are told once.{extra}", url_for("allocation.slots"))


@bp.route("/slots/<int:slot_id>/accept", methods=["POST"])
@bookers
def accept(slot_id):
    slot = _own_slot(slot_id)
    try:
        services.accept_offer(current_user, slot)
    except Refused as refused:
        return done(str(refused), url_for("allocation.slots"), "error")
    return done("Slot taken: it is yours.", url_for("allocation.slots"))


def _move_page(slot, form, status=200):
    return render("allocation/move.html", "allocation/_move_form.html", status=status, slot=slot, form=form)


@bp.route("/slots/<int:slot_id>/move")
@keepers_only
def move_form(slot_id):
    slot = _visible_slot(slot_id)
    return _move_page(slot, MoveForm(data={"start": utc_to_london_naive(slot.start),
                                           "end": utc_to_london_naive(slot.end)}))


@bp.route("/slots/<int:slot_id>/move", methods=["POST"])
@keepers_only
def move(slot_id):
    slot = _visible_slot(slot_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return _move_page(slot, form)
    try:
        services.move(current_user, slot, london_to_utc(form.start.data), london_to_utc(form.end.data))
    except Refused as refused:
        show_problems(form, refused, "start")
        return _move_page(slot, form)
    return done("Slot moved; its participants are told.", url_for("allocation.slots"))


# The requests queue ----------------------------------------------------------------------------------------------

def _queue_context(slots):
    found = rules.clashes([rules.Want(s.id, s.environment, s.start, s.end, s.phase_id,
                                      tuple(p.id for p in s.participants), s.exclusive, s.id) for s in slots])
    asked = {}
    gates = {s.id: rules.gate_problems(s.purpose, s.environment, s.participants, asked) for s in slots}
    warnings = {s.id: rules.date_warnings(s.environment, s.phase, s.start, s.end) for s in slots}
    return dict(clashes=found, gates=gates, warnings=warnings)


@bp.route("/requests")
@keepers_only
def requests_queue():
    slots = db.session.scalars(_slot_query().where(Slot.status.in_(PENDING + (SlotStatus.WAITING,)))
                               .order_by(Slot.requested_at, Slot.id).limit(200)).all()
    return render("allocation/requests.html", "allocation/requests.html", slots=slots, form=DeclineForm(),
                  notice=NoticeForm(data={"notice_days": rules.notice_days()}), **_queue_context(slots))


def _queue_row(slot, error=None, reason=""):
    if request.htmx:
        return render_template("allocation/_request_row.html", slot=slot, error=error, reason=reason,
                               **_queue_context([slot]))
    return None


@bp.route("/slots/<int:slot_id>/approve", methods=["POST"])
@keepers_only
def approve(slot_id):
    slot = _visible_slot(slot_id)
    error = None
    try:
        services.approve(current_user, slot)
    except Refused as refused:
        error = str(refused)
    return _queue_row(slot, error) or done(error or "Slot approved.", url_for("allocation.requests_queue"),
                                           "error" if error else "success")


@bp.route("/slots/<int:slot_id>/decline", methods=["POST"])
@keepers_only
def decline(slot_id):
    slot = _visible_slot(slot_id)
    reason, error = request.form.get("reason", ""), None
    try:
        services.decline(current_user, slot, reason)
    except Refused as refused:
        error = str(refused)
    return _queue_row(slot, error, reason) or done(error or "Request declined.", url_for("allocation.requests_queue"),
                                                   "error" if error else "success")


@bp.route("/notice", methods=["POST"])
@keepers_only
def set_notice():
    form = NoticeForm()
    try:
        services.set_notice(current_user, form.notice_days.data if form.validate_on_submit() else None)
    except Refused as refused:
        return done(str(refused), url_for("allocation.requests_queue"), "error")
    return done(f"Slots now need {form.notice_days.data} business days' notice.", url_for("allocation.requests_queue"))


# Tranches ---------------------------------------------------------------------------------------------------------

def _tranches_page(form, place=None, status=200):
    tranches = db.session.scalars(select(Tranche).options(joinedload(Tranche.environment),
                                                          joinedload(Tranche.entered_by))
                                  .order_by(Tranche.route, Tranche.first_day, Tranche.name)).all()
    members = services.tranche_members()
    return render("allocation/tranches.html", "allocation/_tranche_form.html", status=status, form=form,
                  tranches=tranches, members=members,
                  places={t.id: place if place and place._prefix == f"t{t.id}-" else PlaceForm(t, formdata=None)
                          for t in tranches})


@bp.route("/tranches")
@everyone
def tranches():
    return _tranches_page(TrancheForm())


@bp.route("/tranches", methods=["POST"])
@keepers_only
def add_tranche():
    form = TrancheForm()
    if not form.validate_on_submit():
        return _tranches_page(form)
    try:
        values = form_values(form, ["name", "environment_id", "first_day", "last_day", "allocated_by"])
        tranche = services.add_tranche(current_user, Route(form.route.data), **values)
    except Refused as refused:
        show_problems(form, refused, "name")
        return _tranches_page(form)
    return done(f"Tranche added: {tranche.name}.", url_for("allocation.tranches"))


@bp.route("/tranches/<int:tranche_id>/participants", methods=["POST"])
@keepers_only
def place(tranche_id):
    tranche = db.get_or_404(Tranche, tranche_id)
    form = PlaceForm(tranche)
    try:
        if not form.validate_on_submit():
            raise Refused("Choose a participant from the list.", "participant_id")
        participant = services.place_in_tranche(current_user, tranche, form.participant_id.data)
    except Refused as refused:
        show_problems(form, refused, "participant_id")
        return _tranches_page(TrancheForm(formdata=None), place=form)
    return done(f"{participant.organisation.name} placed in {tranche.name}.", url_for("allocation.tranches"))


@bp.route("/tranches/<int:tranche_id>/participants/<int:participant_id>/remove", methods=["POST"])
@keepers_only
def take_out(tranche_id, participant_id):
    tranche = db.get_or_404(Tranche, tranche_id)
    participant = db.get_or_404(Participant, participant_id)
    services.take_out_of_tranche(current_user, tranche, participant)
    return done(f"{participant.organisation.name} taken out of {tranche.name}.", url_for("allocation.tranches"))


def _edit_tranche_page(tranche, form, status=200):
    return render("allocation/tranche_edit.html", "allocation/_tranche_edit_form.html", status=status,
                  tranche=tranche, form=form)


@bp.route("/tranches/<int:tranche_id>/edit")
@keepers_only
def edit_tranche_form(tranche_id):
    tranche = db.get_or_404(Tranche, tranche_id)
    return _edit_tranche_page(tranche, TrancheEditForm(obj=tranche))


@bp.route("/tranches/<int:tranche_id>/edit", methods=["POST"])
@keepers_only
def edit_tranche(tranche_id):
    tranche = db.get_or_404(Tranche, tranche_id)
    form = TrancheEditForm()
    if not form.validate_on_submit():
        return _edit_tranche_page(tranche, form)
    try:
        services.edit_tranche(current_user, tranche, **form_values(form, services.TRANCHE_EDIT_FIELDS))
    except Refused as refused:
        show_problems(form, refused, "name")
        return _edit_tranche_page(tranche, form)
    return done(f"Tranche saved: {tranche.label}.", url_for("allocation.tranches"))


@bp.route("/tranches/<int:tranche_id>/remove", methods=["POST"])
@keepers_only
def remove_tranche(tranche_id):
    tranche = db.get_or_404(Tranche, tranche_id)
    label = tranche.label
    try:
        services.remove_tranche(current_user, tranche)
    except Refused as refused:
        return done(str(refused), url_for("allocation.tranches"), "error")
    return done(f"Tranche removed: {label}.", url_for("allocation.tranches"))


# Leave for two exclusive stages to overlap (kept on the test-phase plan) -------------------------------------------

def _overlap(overlap_id):
    return get_visible_or_404(select(StageOverlap).options(
        joinedload(StageOverlap.first).joinedload(TestPhase.environment), joinedload(StageOverlap.second),
        joinedload(StageOverlap.recorded_by)).where(StageOverlap.id == overlap_id))


def _edit_overlap_page(overlap, form, status=200):
    return render("allocation/overlap_edit.html", "allocation/_overlap_form.html", status=status, overlap=overlap,
                  form=form)


@bp.route("/overlaps/<int:overlap_id>/edit")
@keepers_only
def edit_overlap_form(overlap_id):
    overlap = _overlap(overlap_id)
    return _edit_overlap_page(overlap, OverlapForm(obj=overlap))


@bp.route("/overlaps/<int:overlap_id>/edit", methods=["POST"])
@keepers_only
def edit_overlap(overlap_id):
    overlap = _overlap(overlap_id)
    form = OverlapForm()
    if not form.validate_on_submit():
        return _edit_overlap_page(overlap, form)
    try:
        services.edit_overlap(current_user, overlap, form.reason.data)
    except Refused as refused:
        show_problems(form, refused, "reason")
        return _edit_overlap_page(overlap, form)
    return done(f"Saved why {overlap.first.name} and {overlap.second.name} may overlap.",
                url_for("schedule.test_plan"))


@bp.route("/overlaps/<int:overlap_id>/remove", methods=["POST"])
@keepers_only
def remove_overlap(overlap_id):
    overlap = _overlap(overlap_id)
    first, second = overlap.first.name, overlap.second.name
    services.remove_overlap(current_user, overlap)
    return done(f"{first} and {second} may no longer overlap: from now on a slot of either on the other's days "
                "clashes with it. Both stages stay on the plan, and slots already allocated stand.",
                url_for("schedule.test_plan"))
