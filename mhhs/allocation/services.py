"""Writes of the allocation: stages on environments, tranches, the notice rule and timed slots (allocated, requested,
approved, declined, moved, cancelled, offered from the waitlist); each one unit of work, audited, told through the
outbox."""
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..audit.services import record
from ..core.permissions import require
from ..core.services import Invalid, Refused, unit_of_work
from ..core.time import day_span, format_london, to_london, utcnow
from ..directory.models import Environment, Organisation
from ..extensions import db
from ..notifications.services import notify, users_of
from ..participants.models import SANDBOX_AFTER, Participant, Route, Tranche
from . import rules
from .models import STANDING, AllocationRule, Slot, SlotSeries, SlotStatus, StageOverlap, TestPhase
from .permissions import (
    can_accept_offer,
    can_cancel_slot,
    can_keep_allocation,
    can_request_slot,
    own_participant_ids,
    visible_slots_clause,
)

KEEPERS_ONLY = "Only a Release Manager keeps the stages, tranches and allocation of environments."
TRANCHE_FIELDS = {Route.QUALIFICATION: "qualification_tranche", Route.SANDBOX: "sandbox_tranche"}


# Stages on environments ----------------------------------------------------------------------------------------

def stage_overlaps(environment_id, first_day, last_day, exclusive, leave_out=None):
    """The stages on the environment that a stage of these days may not overlap: where either runs alone."""
    return db.session.scalars(select(TestPhase).where(
        TestPhase.environment_id == environment_id, TestPhase.first_day <= last_day, TestPhase.last_day >= first_day,
        *([] if exclusive else [TestPhase.exclusive.is_(True)]),
        *([TestPhase.id != leave_out] if leave_out else [])).order_by(TestPhase.first_day)).all()


def overlap_records(phase_ids=None):
    """The records that two exclusive stages may overlap (of these stages, or all), with both stages, their
    environment and who recorded it, in the order recorded: the plan's list and the API's."""
    query = select(StageOverlap).options(
        joinedload(StageOverlap.first).joinedload(TestPhase.environment), joinedload(StageOverlap.second),
        joinedload(StageOverlap.recorded_by)).order_by(StageOverlap.id)
    if phase_ids is not None:
        query = query.where(or_(StageOverlap.first_id.in_(phase_ids), StageOverlap.second_id.in_(phase_ids)))
    return db.session.scalars(query).all()


STAGE_FIELDS = ["name", "environment_id", "first_day", "last_day", "exclusive", "may_overlap", "overlap_reason"]


def unrecorded_overlaps(phases, overlaps):
    """[(stage, stage)] of the plan's stages that overlap on one environment while one of them runs alone, with no
    record that they may (one was removed, or the stages were moved onto each other): their slots clash, and the plan
    says so. From the stages and records already read for the plan: no query."""
    recorded = {frozenset((o.first_id, o.second_id)) for o in overlaps}
    return [(a, b) for i, a in enumerate(phases) for b in phases[i + 1:]
            if a.environment_id == b.environment_id and (a.exclusive or b.exclusive)
            and a.first_day <= b.last_day and b.first_day <= a.last_day and frozenset((a.id, b.id)) not in recorded]


def add_stage(by, name, environment_id, first_day, last_day, exclusive=False, may_overlap=False, overlap_reason=""):
    """A test stage on an environment (EAP Table 1). One that overlaps a stage running alone there (or that runs
    alone and overlaps any) is refused, unless the Release Manager records that they may overlap and why."""
    require(can_keep_allocation(by), KEEPERS_ONLY)
    if last_day < first_day:
        raise Refused("The last day must be on or after the first day.", "last_day")
    met = stage_overlaps(environment_id, first_day, last_day, exclusive)
    if met and not may_overlap:
        names = "; ".join(f"{s.name} ({day_span(s.first_day, s.last_day, ' to ')})" for s in met)
        raise Refused(f"Overlaps {names} on this environment, and stages running alone may not run in parallel "
                      "(EAP §12.2). Tick “may overlap” and say why, or choose other days.", "first_day")
    if met and not overlap_reason.strip():
        raise Refused("Say why these stages may overlap.", "overlap_reason")
    phase = TestPhase(name=name, environment_id=environment_id, first_day=first_day, last_day=last_day,
                      exclusive=exclusive)
    db.session.add(phase)
    db.session.flush()
    for other in met:
        low, high = sorted((phase.id, other.id))
        db.session.add(StageOverlap(first_id=low, second_id=high, reason=overlap_reason.strip(),
                                    recorded_by_id=by.id, recorded_at=utcnow()))
        record("stage.overlap", actor=by, obj=phase, summary=f"{name} and {other.name}: {overlap_reason.strip()}")
    record("test_phase.added", actor=by, obj=phase,
           summary=f"{name} {first_day}–{last_day}{' (runs alone)' if exclusive else ''}")
    db.session.commit()
    return phase


def edit_overlap(by, overlap, reason):
    """Changes why two exclusive stages may overlap."""
    require(can_keep_allocation(by), KEEPERS_ONLY)
    reason = (reason or "").strip()
    if not reason:
        raise Refused("Say why these stages may overlap.", "reason")
    before = overlap.reason
    overlap.reason, overlap.recorded_by_id, overlap.recorded_at = reason, by.id, utcnow()
    record("stage.overlap_changed", actor=by, obj=overlap,
           summary=f"{overlap.first.name} and {overlap.second.name}: {before} → {reason}")
    db.session.commit()
    return overlap


def remove_overlap(by, overlap):
    """Withdraws the leave for two exclusive stages to overlap: the stages stay on the plan, and from now on a slot of
    either on the other's days clashes with it (rules.clashes); slots already allocated stand."""
    require(can_keep_allocation(by), KEEPERS_ONLY)
    record("stage.overlap_removed", actor=by, obj=overlap,
           summary=f"{overlap.first.name} and {overlap.second.name} may no longer overlap (was: {overlap.reason})")
    db.session.delete(overlap)
    db.session.commit()


def set_notice(by, notice_days):
    require(can_keep_allocation(by), KEEPERS_ONLY)
    if notice_days is None or not 0 <= notice_days <= 20:
        raise Refused("Give the notice as 0 to 20 business days.", "notice_days")
    rule = db.session.scalar(select(AllocationRule).limit(1)) or AllocationRule()
    rule.notice_days = notice_days
    db.session.add(rule)
    db.session.flush()
    record("allocation.notice", actor=by, obj=rule, summary=f"{notice_days} business days")
    db.session.commit()


# Tranches ------------------------------------------------------------------------------------------------------

def _tranche_problems(route, name, first_day, last_day, allocated_by, leave_out=None):
    """What is wrong with a tranche's fields, by field (adding one, or changing `leave_out`)."""
    problems = {}
    if route not in TRANCHE_FIELDS:
        problems["route"] = "A tranche is for Qualification or E2E Sandbox."
    if last_day < first_day:
        problems["last_day"] = "The last day must be on or after the first day."
    if not (allocated_by or "").strip():
        problems["allocated_by"] = "Say who allocated it, e.g. the Code Bodies' panel."
    if db.session.scalar(select(Tranche.id).where(Tranche.route == route, Tranche.name == name,
                                                  *([Tranche.id != leave_out] if leave_out else []))):
        problems["name"] = f"There is already a {route.label} tranche named {name}."
    return problems


def add_tranche(by, route, name, environment_id, first_day, last_day, allocated_by):
    require(can_keep_allocation(by), KEEPERS_ONLY)
    problems = _tranche_problems(route, name, first_day, last_day, allocated_by)
    if problems:
        raise Invalid(problems)
    tranche = Tranche(route=route, name=name, environment_id=environment_id, first_day=first_day,
                      last_day=last_day, allocated_by=allocated_by, entered_by_id=by.id)
    db.session.add(tranche)
    db.session.flush()
    record("tranche.added", actor=by, obj=tranche, summary=f"{route.label} {name} {first_day}–{last_day}")
    db.session.commit()
    return tranche


TRANCHE_EDIT_FIELDS = ["name", "first_day", "last_day", "allocated_by"]


def edit_tranche(by, tranche, name, first_day, last_day, allocated_by):
    """Changes a tranche's name, days or who allocated it (its kind and environment stay; its participants too)."""
    require(can_keep_allocation(by), KEEPERS_ONLY)
    problems = _tranche_problems(tranche.route, name, first_day, last_day, allocated_by, leave_out=tranche.id)
    if problems:
        raise Invalid(problems)
    before = f"{tranche.name} {tranche.first_day}–{tranche.last_day}, allocated by {tranche.allocated_by}"
    tranche.name, tranche.first_day, tranche.last_day, tranche.allocated_by = name, first_day, last_day, allocated_by
    record("tranche.changed", actor=by, obj=tranche,
           summary=f"{before} → {name} {first_day}–{last_day}, allocated by {allocated_by}")
    db.session.commit()
    return tranche


def tranche_members(tranche_ids=None):
    """{tranche id: [participant, with its organisation]} of the tranches (all when None), by organisation name."""
    query = select(Participant).join(Participant.organisation).options(joinedload(Participant.organisation)).where(
        (Participant.qualification_tranche_id.is_not(None)) | (Participant.sandbox_tranche_id.is_not(None)))
    if tranche_ids is not None:
        query = query.where(Participant.qualification_tranche_id.in_(tranche_ids)
                            | Participant.sandbox_tranche_id.in_(tranche_ids))
    members = {}
    for p in db.session.scalars(query.order_by(Organisation.name)):
        for tranche_id in (p.qualification_tranche_id, p.sandbox_tranche_id):
            if tranche_id:
                members.setdefault(tranche_id, []).append(p)
    return members


def remove_tranche(by, tranche):
    """Removes a tranche that has no participant left in it. One that still has participants is refused, naming
    them: the Code Bodies placed them, so each is taken out on purpose, never dropped as a side effect."""
    require(can_keep_allocation(by), KEEPERS_ONLY)
    members = tranche_members([tranche.id]).get(tranche.id, [])
    if members:
        names = ", ".join(p.organisation.name for p in members)
        raise Refused(f"{tranche.label} still has {len(members)} participant{'s' if len(members) != 1 else ''}: "
                      f"{names}. Take {'them' if len(members) != 1 else 'it'} out first, then remove the tranche.")
    record("tranche.removed", actor=by, obj=tranche,
           summary=f"{tranche.route.label} {tranche.name} {tranche.first_day}–{tranche.last_day}")
    db.session.delete(tranche)
    db.session.commit()


def tranche_problem(tranche, participant):
    """Why the participant may not join the tranche, or None (EAP §7.1.3: at most one tranche of a kind; E2E Sandbox
    only after passing SIT or Qualification)."""
    current = getattr(participant, TRANCHE_FIELDS[tranche.route])
    if current is not None and current.id == tranche.id:
        return f"{participant.organisation.name} is in {tranche.name} already."
    if tranche.route == Route.QUALIFICATION and participant.route != Route.QUALIFICATION:
        return (f"{participant.organisation.name} is on the {participant.route.label} route: only participants on the "
                "Qualification route join a Qualification tranche.")
    if current is not None:
        return (f"{participant.organisation.name} is already in the {tranche.route.label} tranche {current.name}: "
                "take it out of that one first.")
    if tranche.route == Route.SANDBOX and participant.passed_route not in SANDBOX_AFTER:
        return f"{participant.organisation.name} has not passed SIT or Qualification, which E2E Sandbox needs."
    return None


def placeable(tranche):
    """[(id, organisation name)] of the participants that may be placed in the tranche (no `tranche_problem`)."""
    return [(p.id, p.organisation.name) for p in db.session.scalars(
        select(Participant).join(Participant.organisation).options(joinedload(Participant.organisation))
        .order_by(Organisation.name)) if tranche_problem(tranche, p) is None]


def place_in_tranche(by, tranche, participant_id):
    require(can_keep_allocation(by), KEEPERS_ONLY)
    participant = db.session.get(Participant, participant_id) if participant_id else None
    if participant is None:
        raise Refused("Choose a participant from the list.", "participant_id")
    problem = tranche_problem(tranche, participant)
    if problem:
        raise Refused(problem, "participant_id")
    setattr(participant, TRANCHE_FIELDS[tranche.route], tranche)
    record("tranche.placed", actor=by, obj=tranche, summary=f"{participant.organisation.name} in {tranche.name}")
    db.session.commit()
    return participant


def take_out_of_tranche(by, tranche, participant):
    require(can_keep_allocation(by), KEEPERS_ONLY)
    if getattr(participant, TRANCHE_FIELDS[tranche.route]) is tranche:
        setattr(participant, TRANCHE_FIELDS[tranche.route], None)
        record("tranche.taken_out", actor=by, obj=tranche,
               summary=f"{participant.organisation.name} from {tranche.name}")
    db.session.commit()


# Slots ---------------------------------------------------------------------------------------------------------

SLOT_FIELDS = ["environment_id", "phase_id", "participant_ids", "start", "end", "purpose", "note", "repeat_until"]


def visible_slots(user, statuses=STANDING):
    """A query of the slots the user may see (a Test Participant its own organisation's), with what a list shows."""
    return select(Slot).options(selectinload(Slot.environment), selectinload(Slot.participants).selectinload(
        Participant.organisation)).where(visible_slots_clause(user), Slot.status.in_(statuses))


def requests_to_decide():
    """How many slot requests wait for a Release Manager's decision, and how many wait on the waitlist."""
    counts = dict(db.session.execute(select(Slot.status, func.count()).where(
        Slot.status.in_((SlotStatus.REQUESTED, SlotStatus.WAITING))).group_by(Slot.status)).all())
    return counts.get(SlotStatus.REQUESTED, 0), counts.get(SlotStatus.WAITING, 0)


def my_slots(user, now, limit=5):
    """The user's organisation's slots still to come (standing: allocated, offered, requested or waiting), soonest
    first, and how many there are in all."""
    query = select(Slot).options(selectinload(Slot.environment), selectinload(Slot.participants)).where(
        Slot.participants.any(Participant.organisation_id == user.organisation_id), Slot.end > now,
        Slot.status.in_(STANDING))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    return db.session.scalars(query.order_by(Slot.start, Slot.id).limit(limit)).all(), total


def _tell(change, slot):
    users = [u for p in slot.participants for u in users_of(p.organisation_id)]
    notify("slot", users, "allocation.slots", {}, change=change, slot=slot,
           when=f"{format_london(slot.start)}–{format_london(slot.end, '%H:%M')}")


def _problems(by, environment, phase, participants, start, end, purpose, repeat_until, now):
    problems = {}
    if not participants:
        problems["participant_ids"] = "Choose at least one participant."
    if end <= start:
        problems["end"] = "The end must be after the start."
    notice = rules.notice_problem(start, now)
    if notice:
        problems["start"] = notice
    series = rules.series_problem(start, repeat_until)
    if series:
        problems["repeat_until"] = series
    if phase is not None and phase.environment_id != environment.id:
        problems["phase_id"] = f"{phase.name} is not a stage on {environment.name}."
    gate = rules.gate_problems(purpose, environment, participants)
    if gate:
        problems["purpose"] = " ".join(gate)
    return problems


def _clash_problem(found_by_key, times):
    lines = [f"{format_london(times[key][0], '%a %d %b')}: {c.label} {c.text}" if len(times) > 1 else
             f"{c.label} {c.text}" for key, found in found_by_key.items() for c in found]
    return "Clashes — " + "; ".join(lines[:6]) + (f"; and {len(lines) - 6} more" if len(lines) > 6 else "") + "."


@unit_of_work()
def book(by, environment_id, phase_id, participant_ids, start, end, purpose, note="", repeat_until=None, now=None):
    """A slot (or a weekday series, stored whole or not at all): a Release Manager allocates it; a participant
    requests it for itself (a request whose time is held by another slot waits on the waitlist). Returns the slots."""
    manager = can_keep_allocation(by)
    require(manager or can_request_slot(by), "You may not book slots.")
    now = now or utcnow()
    environment = db.session.get(Environment, environment_id)
    if environment is None:
        raise Refused("Choose an environment from the list.", "environment_id")
    phase = db.session.get(TestPhase, phase_id) if phase_id else None
    participants = db.session.scalars(select(Participant).options(selectinload(Participant.organisation))
                                      .where(Participant.id.in_(participant_ids or []))).all()
    if not manager and {p.id for p in participants} - own_participant_ids(by):
        raise Refused("You may request slots only for your own organisation.", "participant_ids")
    problems = _problems(by, environment, phase, participants, start, end, purpose, repeat_until, now)
    if problems:
        raise Invalid(problems)
    times = dict(enumerate(rules.occurrences(start, end, repeat_until)))
    if not times:
        raise Refused("The series has no weekday on which to run.", "repeat_until")
    found = rules.clashes([rules.Want(key, environment, a, b, phase_id, tuple(p.id for p in participants))
                           for key, (a, b) in times.items()])
    found = {key: found_clashes for key, found_clashes in found.items() if found_clashes}
    waits = not manager and found and all(rules.only_held(c) for c in found.values())
    if found and not waits:
        raise Refused(_clash_problem(found, times), "start")
    status = SlotStatus.ALLOCATED if manager else SlotStatus.WAITING if waits else SlotStatus.REQUESTED
    series = None
    if repeat_until is not None:
        series = SlotSeries(first_day=to_london(start).date(), until=repeat_until, created_by_id=by.id)
        db.session.add(series)
    slots = [Slot(environment=environment, phase=phase, start=a, end=b, purpose=purpose, status=status,
                  series=series, note=note, participants=list(participants), requested_by_id=by.id,
                  requested_at=now, decided_by_id=by.id if manager else None, decided_at=now if manager else None)
             for a, b in times.values()]
    db.session.add_all(slots)
    db.session.flush()
    what = f"{environment.name} {purpose.label.lower()} {format_london(start)}" + (
        f", weekdays until {repeat_until:%d %b %Y} ({len(slots)} slots)" if series else "")
    record(f"slot.{status.value}", actor=by, obj=slots[0], summary=what)
    if manager:
        _tell("allocated", slots[0])  # the first occurrence stands for a series
    db.session.commit()
    return slots


@unit_of_work()
def approve(by, slot, now=None):
    require(can_keep_allocation(by), "Only a Release Manager approves slot requests.")
    if slot.status != SlotStatus.REQUESTED:
        raise Refused(f"This request is {slot.status.label.lower()}, not waiting for a decision.")
    found = rules.clashes([rules.Want(0, slot.environment, slot.start, slot.end, slot.phase_id,
                                      tuple(p.id for p in slot.participants), slot.exclusive, slot.id)])[0]
    gate = rules.gate_problems(slot.purpose, slot.environment, slot.participants)
    if found or gate:
        raise Refused(" ".join(gate) or _clash_problem({0: found}, {0: (slot.start, slot.end)}))
    slot.status, slot.decided_by_id, slot.decided_at = SlotStatus.ALLOCATED, by.id, now or utcnow()
    record("slot.approved", actor=by, obj=slot, summary=_summary(slot))
    _tell("allocated", slot)
    db.session.commit()
    return slot


@unit_of_work()
def decline(by, slot, reason, now=None):
    require(can_keep_allocation(by), "Only a Release Manager declines slot requests.")
    if slot.status not in (SlotStatus.REQUESTED, SlotStatus.WAITING):
        raise Refused(f"This request is {slot.status.label.lower()}, not waiting for a decision.")
    if not (reason or "").strip():
        raise Refused("Say why the request is declined.", "reason")
    slot.status, slot.reason = SlotStatus.DECLINED, reason.strip()
    slot.decided_by_id, slot.decided_at = by.id, now or utcnow()
    record("slot.declined", actor=by, obj=slot, summary=f"{_summary(slot)}: {slot.reason}")
    _tell("declined", slot)
    db.session.commit()
    return slot


@unit_of_work()
def cancel(by, slot, reason="", now=None):
    """Cancels one slot (an occurrence alone); the first waiting request its time frees is offered it and told."""
    require(can_cancel_slot(by, slot), "You may not cancel this slot.")
    held = slot.holds
    slot.status, slot.reason = SlotStatus.CANCELLED, (reason or "").strip()
    slot.decided_by_id, slot.decided_at = by.id, now or utcnow()
    record("slot.cancelled", actor=by, obj=slot, summary=_summary(slot) + (f": {slot.reason}" if slot.reason else ""))
    _tell("cancelled", slot)
    db.session.flush()
    offered = _offer_waiting(slot) if held else None
    db.session.commit()
    return offered


def series_rest(slot, now):
    """The occurrences of the slot's series still to come (not started) and standing, soonest first: what "Cancel the
    rest of the series" cancels; the past and the one under way stay."""
    if slot.series_id is None:
        return []
    return db.session.scalars(select(Slot).options(
        selectinload(Slot.participants).selectinload(Participant.organisation), selectinload(Slot.environment))
        .where(Slot.series_id == slot.series_id, Slot.start > now, Slot.status.in_(STANDING))
        .order_by(Slot.start, Slot.id)).all()


@unit_of_work()
def cancel_rest_of_series(by, slot, reason="", now=None):
    """Cancels the series' occurrences still to come, all in one transaction (the past stay): each participant's users
    told once for the lot, and each freed time offered to the first waiting request it lets through, as a single
    cancellation does. Returns (the cancelled slots, the slots offered from the waitlist)."""
    now = now or utcnow()
    if slot.series_id is None:
        raise Refused("This slot is not part of a series.")
    to_come = series_rest(slot, now)
    require(to_come, "Nothing of this series is left to cancel: what is still to come is already cancelled.")
    rest = [s for s in to_come if can_cancel_slot(by, s)]
    require(rest, "The occurrences of this series still to come are not yours to cancel.")
    reason = (reason or "").strip()
    held = [s for s in rest if s.holds]
    for s in rest:
        s.status, s.reason, s.decided_by_id, s.decided_at = SlotStatus.CANCELLED, reason, by.id, now
    first, last = rest[0], rest[-1]
    record("slot.series_cancelled", actor=by, obj=first, summary=f"{_summary(first)} and the rest of its series "
           f"to {format_london(last.start, '%d %b %Y')} ({len(rest)} slots)" + (f": {reason}" if reason else ""))
    users = [u for p in first.participants for u in users_of(p.organisation_id)]
    notify("slot", users, "allocation.slots", {}, change="cancelled", slot=first, count=len(rest),
           when=f"{format_london(first.start)}–{format_london(first.end, '%H:%M')}",
           until=format_london(last.start, "%a %d %b %Y"))
    db.session.flush()
    offered = [found for freed in held if (found := _offer_waiting(freed))]
    db.session.commit()
    return rest, offered


def _offer_waiting(freed):
    """The first waiting request (oldest first) that the freed time lets through, offered and told; or None."""
    waiting = db.session.scalars(select(Slot).where(
        Slot.status == SlotStatus.WAITING, Slot.environment_id == freed.environment_id, Slot.start < freed.end,
        Slot.end > freed.start).order_by(Slot.requested_at, Slot.id)).all()
    for slot in waiting:
        found = rules.clashes([rules.Want(0, slot.environment, slot.start, slot.end, slot.phase_id,
                                          tuple(p.id for p in slot.participants), slot.exclusive, slot.id)])[0]
        if not found:
            slot.status = SlotStatus.OFFERED
            record("slot.offered", obj=slot, summary=_summary(slot))
            _tell("offered from the waitlist", slot)
            return slot
    return None


@unit_of_work()
def accept_offer(by, slot, now=None):
    require(can_accept_offer(by, slot), "This slot is not offered to you.")
    slot.status, slot.decided_at = SlotStatus.ALLOCATED, now or utcnow()
    record("slot.accepted", actor=by, obj=slot, summary=_summary(slot))
    db.session.commit()
    return slot


@unit_of_work()
def move(by, slot, start, end, now=None):
    """Moves one slot (an occurrence alone), checked as a new one would be."""
    require(can_keep_allocation(by), "Only a Release Manager moves slots.")
    now = now or utcnow()
    problems = {}
    if end <= start:
        problems["end"] = "The end must be after the start."
    notice = rules.notice_problem(start, now)
    if notice:
        problems["start"] = notice
    if problems:
        raise Invalid(problems)
    found = rules.clashes([rules.Want(0, slot.environment, start, end, slot.phase_id,
                                      tuple(p.id for p in slot.participants), slot.exclusive, slot.id)])[0]
    if found:
        raise Refused(_clash_problem({0: found}, {0: (start, end)}), "start")
    before = _summary(slot)
    slot.start, slot.end = start, end
    record("slot.moved", actor=by, obj=slot, summary=f"{before} → {format_london(start)}")
    _tell("moved", slot)
    db.session.commit()
    return slot


def _summary(slot):
    return (f"{', '.join(p.organisation.name for p in slot.participants)} on {slot.environment.name}, "
            f"{slot.purpose.label.lower()} {format_london(slot.start)}–{format_london(slot.end, '%H:%M')}")

