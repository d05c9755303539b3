"""The allocation's rules (EAP §7.1.2, §11.3, §12.1.2, §12.2; RCM §7.4): the one clash rule of a slot (used by the
form, the requests queue, the calendar and the API), the notice, the quality gate, a series' occurrences and the
warnings about dates. Times are naive UTC; days and wall-clock times are Europe/London."""
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from ..core import changes
from ..core.db import longest
from ..core.time import add_business_days, day_span, format_london, london_to_utc, to_london
from ..directory.models import Organisation, System, environment_systems
from ..extensions import db
from ..participants.models import Participant
from ..participants.services import first_open_step, unavailable_between
from ..rfcs.models import Rfc
from ..rfcs.states import PUBLIC_STATUSES
from ..windows.clashes import Clash, Span, busy, next_free_window
from ..windows.support import set_hours, support_problem
from .models import DEFAULT_NOTICE_DAYS, HOLDING, AllocationRule, Slot, StageOverlap, TestPhase, slot_participants

MAX_SERIES = timedelta(days=366)  # a series runs at most a year (the first day and the same day a year on)
WEEKDAYS = range(5)


@dataclass(frozen=True)
class Want:
    """A slot to check: key (who asks: an occurrence's index), environment, stage, [start, end), participants, whether
    it would hold the environment alone, and the slot itself when it is being moved (not a clash with itself)."""
    key: object
    environment: object
    start: datetime
    end: datetime
    phase_id: object = None
    participant_ids: tuple = ()
    exclusive: bool = True
    slot_id: object = None
    ignore: tuple = field(default=(), compare=False)  # slot ids to leave out (a series' own occurrences)


def notice_days():
    """The advance notice a slot needs, in business days (data: AllocationRule, default 2)."""
    rule = db.session.scalar(select(AllocationRule).order_by(AllocationRule.id).limit(1))
    return rule.notice_days if rule else DEFAULT_NOTICE_DAYS


def earliest_start(now):
    return add_business_days(now, notice_days())


def notice_problem(start, now):
    earliest = earliest_start(now)
    if start < earliest:
        days = notice_days()
        return (f"A slot needs {days} business day{'s' if days != 1 else ''}' notice: start at "
                f"{format_london(earliest)} or later.")
    return None


def occurrences(start, end, until):
    """[(start, end)] of a series: the same Europe/London wall-clock times on each weekday from start's day to until
    (inclusive); just the one slot when until is None."""
    if until is None:
        return [(start, end)]
    local_start, local_end = to_london(start).replace(tzinfo=None), to_london(end).replace(tzinfo=None)
    found, day = [], local_start.date()
    while day <= until:
        if day.weekday() in WEEKDAYS:
            shift = day - local_start.date()
            found.append((london_to_utc(local_start + shift), london_to_utc(local_end + shift)))
        day += timedelta(days=1)
    return found


def series_problem(start, until):
    """Why a series cannot run to `until`, or None."""
    if until is None:
        return None
    first = to_london(start).date()
    if until < first:
        return "The series must end on or after the first slot's day."
    if until - first > MAX_SERIES - timedelta(days=1):
        return f"A series runs for at most a year: end it by {first + MAX_SERIES - timedelta(days=1):%d %b %Y}."
    return None


def gate_problems(purpose, environment, participants, asked=None):
    """The quality gate (EAP §11.3): a testing or retest slot needs each participant's connectivity to the
    environment signed off; the first open step, by participant. `asked`: a dict that keeps the steps already read
    (a page's slots ask once per participant and environment)."""
    if not purpose.gated:
        return []
    asked = {} if asked is None else asked
    for p in participants:
        if (p.id, environment.id) not in asked:
            asked[p.id, environment.id] = first_open_step(p.id, environment)
    return [f"{p.organisation.name}: {asked[p.id, environment.id].rstrip('.')}. Request a connectivity-proving slot "
            "first."
            for p in participants if asked[p.id, environment.id]]


def date_warnings(environment, phase, start, end):
    """What is odd about a slot's dates without refusing it (as a window's are): outside the environment's
    availability or the stage's days."""
    first, last = to_london(start).date(), to_london(end - timedelta(microseconds=1)).date()
    found = []
    if not (environment.is_available_on(first) and environment.is_available_on(last)):
        found.append(f"{environment.name} is not available on every day of this slot.")
    if phase and (first < phase.first_day or last > phase.last_day):
        found.append(f"The slot lies outside {phase.name} ({day_span(phase.first_day, phase.last_day, ' to ')}).")
    return found


# The clash rule ------------------------------------------------------------------------------------------------

def clashes(wants):
    """{want key: [Clash]}: what each slot clashes with: an exclusive stage it is not part of (unless the two may
    overlap), another slot holding the environment exclusively, an RFC's deployment window there (approved or
    pending), a planned outage of the environment, a freeze, the support hours of the central systems running there,
    and a participant's own environment being unavailable. One read per source whatever the number of slots."""
    found = {want.key: [] for want in wants}
    if not wants:
        return found
    for source in (_stages, _slots, _windows, _support_hours, _unavailable):
        for key, clash in source(wants):
            found[key].append(clash)
    return found


def _range(wants):
    return min(w.start for w in wants), max(w.end for w in wants)


@lru_cache(maxsize=1)
def _statements():
    """The clash rule's reads that name their rows' values only: built once (at first use, when every model is
    mapped), the values bound at each read (SQLAlchemy keys each once, not at every check)."""
    return dict(
        stages=select(TestPhase).options(joinedload(TestPhase.environment)).where(
            TestPhase.exclusive.is_(True), TestPhase.environment_id.in_(bindparam("environments", expanding=True)),
            TestPhase.first_day <= bindparam("last"), TestPhase.last_day >= bindparam("first")),
        overlaps=select(StageOverlap).where(or_(StageOverlap.first_id.in_(bindparam("phases", expanding=True)),
                                                StageOverlap.second_id.in_(bindparam("phases", expanding=True)))),
        public=select(Rfc.id).where(Rfc.id.in_(bindparam("ids", expanding=True)), Rfc.status.in_(PUBLIC_STATUSES)),
        systems=select(environment_systems.c.environment_id, System)
        .join(System, System.id == environment_systems.c.system_id)
        .where(environment_systems.c.environment_id.in_(bindparam("environments", expanding=True)))
        .order_by(System.name))


def _stages(wants):
    first, last = _range(wants)
    stages = db.session.scalars(_statements()["stages"], {
        "environments": list({w.environment.id for w in wants}), "first": to_london(first).date(),
        "last": to_london(last).date()}).all()
    if not stages:
        return []
    allowed = _allowed_pairs({w.phase_id for w in wants if w.phase_id})
    return [(w.key, Clash("stage", f"{s.name} runs alone on {s.environment.name} from "
                          f"{day_span(s.first_day, s.last_day, ' to ')}", "schedule.test_plan", {}, s.starts, s.ends))
            for w in wants for s in stages
            if s.environment_id == w.environment.id and s.starts < w.end and w.start < s.ends
            and s.id != w.phase_id and frozenset((s.id, w.phase_id)) not in allowed]


def _allowed_pairs(phase_ids):
    if not phase_ids:
        return set()
    return {frozenset((o.first_id, o.second_id))
            for o in db.session.scalars(_statements()["overlaps"], {"phases": list(phase_ids)})}


# The held slots of the environments asked about overlapping [first, last), as columns in start order, a row per
# holder (its participants' organisations in Slot.participants' order): one statement, built once (the environments
# are an expanding parameter). Read through the index on start, from the earliest a slot overlapping [first, …) can
# start (first less the longest slot); the status and environment are tested row by row (coalesce keeps the planner
# off their indexes, which would read every slot held there).
_HELD = (select(Slot.id, Slot.environment_id, Slot.start, Slot.end, Slot.purpose, Slot.exclusive, Organisation.name)
         .outerjoin(slot_participants, slot_participants.c.slot_id == Slot.id)
         .outerjoin(Participant, Participant.id == slot_participants.c.participant_id)
         .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
         .where(func.coalesce(Slot.status, Slot.status).in_(HOLDING),
                func.coalesce(Slot.environment_id, Slot.environment_id).in_(bindparam("environments", expanding=True)),
                Slot.start > bindparam("earliest"), Slot.start < bindparam("last"), Slot.end > bindparam("first"))
         .order_by(Slot.start, Slot.id, Participant.id))


def _longest_slot():
    """The longest slot's length (any status), kept per process while no slot changes (core/changes.py)."""
    return longest(Slot.start, Slot.end)


@dataclass
class _Held:
    id: int
    start: datetime
    end: datetime
    purpose: object
    exclusive: bool
    holders: list


def _slots(wants):
    """Each want against the held slots of its environment: read once as columns (one read whatever the number of
    slots), then per want only those starting between its start less the longest held slot and its end (bisected in
    start order)."""
    first, last = _range(wants)
    longest_slot = changes.cached(_longest_slot, changes.SLOTS)
    if longest_slot is None:
        return []
    ignore = {i for w in wants for i in (w.slot_id, *w.ignore) if i}
    held = {}  # environment id: ([start], [_Held]) in start order
    asked = {"environments": sorted({w.environment.id for w in wants}), "first": first, "last": last,
             "earliest": first - longest_slot}
    for slot_id, environment_id, start, end, purpose, exclusive, holder in db.session.execute(_HELD, asked):
        starts, rows = held.setdefault(environment_id, ([], []))
        if not rows or rows[-1].id != slot_id:
            starts.append(start)
            rows.append(_Held(slot_id, start, end, purpose, exclusive, []))
        if holder is not None:
            rows[-1].holders.append(holder)
    longest_of = {e: max(r.end - r.start for r in rows) for e, (_, rows) in held.items()}
    found = []
    for w in wants:
        starts, rows = held.get(w.environment.id, ((), ()))
        if rows:
            lower = bisect_left(starts, w.start - longest_of[w.environment.id])
            found += [(w.key, _slot_clash(w.environment.name, s.holders, s.purpose, s.start, s.end))
                      for s in rows[lower:bisect_left(starts, w.end)]
                      if w.start < s.end and s.id not in ignore and (s.exclusive or w.exclusive)]
    return found


def _slot_clash(environment_name, holders, purpose, start, end):
    return Clash("slot", f"{environment_name} is held by {', '.join(holders)} for {purpose.label.lower()}, "
                 f"{format_london(start)}–{format_london(end, '%H:%M')}",
                 "allocation.timeline", {"view": "week", "day": to_london(start).date().isoformat()}, start, end)


def _windows(wants):
    """Freezes, RFC windows (approved or pending) and planned outages: the RFCs' sources (windows.clashes.busy).
    Every window counts, but one of an RFC not yet approved is not named: a slot's clashes are shown to Test
    Participants and through the API, and only the RFC's organisation and the Release Managers may know it exists
    (SPEC §2)."""
    found = busy([Span(w.key, (w.environment.id,), w.start, w.end) for w in wants], None)
    named = {c.args["rfc_id"] for clashes in found.values() for c in clashes if "rfc_id" in c.args}
    public = set(db.session.scalars(_statements()["public"], {"ids": list(named)})) if named else set()
    return [(key, clash if clash.args.get("rfc_id", 0) in public or "rfc_id" not in clash.args
             else Clash("window", f"a deployment window not yet approved, {format_london(clash.start)}–"
                        f"{format_london(clash.end, '%H:%M')}", None, {}, clash.start, clash.end))
            for key, found_clashes in found.items() for clash in found_clashes]


def _support_hours(wants):
    systems = {w.environment.id: [] for w in wants}  # read for every environment at once, not one by one
    for environment_id, system in db.session.execute(_statements()["systems"],
                                                     {"environments": list(systems)}).tuples():
        if set_hours(system):
            systems[environment_id].append(system)
    return [(w.key, Clash("support hours", problem, "schedule.support_hours", {}))
            for w in wants for system in systems[w.environment.id]
            for problem in [support_problem(system, w.start, w.end, deploying=False)] if problem]


def _unavailable(wants):
    first, last = _range(wants)
    participants = {pid for w in wants for pid in w.participant_ids}
    found, outages_of = [], {}
    for outage in unavailable_between(participants, first, last) if participants else ():
        outages_of.setdefault(outage.participant_environment.participant_id, []).append(outage)
    for pid in sorted(participants):
        outages = outages_of.get(pid, [])
        for w in wants:
            if pid not in w.participant_ids:
                continue
            for o in outages:
                if o.starts < w.end and (o.ends is None or o.ends > w.start):
                    until = format_london(o.ends, "%d %b %H:%M") if o.ends else "further notice"
                    found.append((w.key, Clash(
                        "unavailable", f"{o.participant_environment.participant.organisation.name}'s "
                        f"{o.participant_environment.name} is unavailable from {format_london(o.starts)} to {until}",
                        "participants.participant", {"participant_id": pid, "_anchor": "outages-title"},
                        o.starts, o.ends or w.end)))
    return found


def only_held(found):
    """Whether what a slot clashes with is only other slots (it can wait for them), not a rule that stands."""
    return bool(found) and all(c.kind == "slot" for c in found)


SUGGEST_TRIES = 40


def next_free_slot(environment, length, earliest, phase_id=None, participant_ids=()):
    """(start, end) of the earliest free slot of `length` from `earliest` (the notice given): the RFCs' "Suggest a
    window" search (windows.clashes.next_free_window: support hours, freezes, windows, planned outages), then this
    rule's own sources (stages, slots, the other systems' hours, the participants' own environments), searching on
    past each clash; None when there is none within the search's reach."""
    systems = [s for s in environment.systems if set_hours(s)]
    narrowest = min(systems, key=lambda s: (datetime.combine(datetime.min, s.support_end)
                                            - datetime.combine(datetime.min, s.support_start))) if systems else None
    for _ in range(SUGGEST_TRIES):
        found = next_free_window(narrowest, (environment.id,), length, earliest)
        if found is None:
            return None
        clashing = clashes([Want(0, environment, *found, phase_id, tuple(participant_ids))])[0]
        if not clashing:
            return found
        earliest = max([c.end for c in clashing if c.end and c.end > found[0]] or [found[0] + timedelta(minutes=15)])
    return None
