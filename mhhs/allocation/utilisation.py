"""Utilisation of the environments (Golive's KPI) for a week: hours allocated ÷ hours open, where open means the
central systems' support hours (every hour when none are set) outside outages and freezes; and the week's slots per
participant. One read per kind of row, whatever their number."""
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from ..directory.models import Environment, Organisation, london_day_start
from ..extensions import db
from ..outages.availability import merged_length
from ..outages.downtime import overlapping
from ..outages.models import Outage
from ..participants.models import Participant
from ..windows.support import freezes_between, set_hours, support_days_between
from .models import Slot, SlotStatus, slot_participants


@dataclass
class Utilisation:
    environment: object
    open_hours: float
    allocated_hours: float

    @property
    def ratio(self):
        return self.allocated_hours / self.open_hours if self.open_hours else None


def _cut(spans, holes):
    """The parts of spans outside every hole: the holes merged into disjoint ones in order, each span cut by those
    it meets only (found by bisection), so a week of a thousand outages costs a sort, not spans x holes."""
    merged = []
    for start, end in sorted(holes):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        elif start < end:
            merged.append([start, end])
    ends = [end for _, end in merged]
    pieces = []
    for a, b in spans:
        i = bisect_right(ends, a)  # the first hole that ends after the span starts
        while a < b and i < len(merged) and merged[i][0] < b:
            if merged[i][0] > a:
                pieces.append((a, merged[i][0]))
            a, i = max(a, merged[i][1]), i + 1
        if a < b:
            pieces.append((a, b))
    return pieces


def _inside(spans, others):
    return [(max(a, c), min(b, d)) for a, b in spans for c, d in others if max(a, c) < min(b, d)]


def week(monday, environments=None, outages=None):
    """([Utilisation] per environment, {participant: (slots, hours)}) for the week from Monday (Europe/London).
    `environments` (with their systems) and `outages` ((environment id, start, end) of the week's) when the caller
    (the weekly report) has read them already."""
    start, end = london_day_start(monday), london_day_start(monday + timedelta(days=7))
    if environments is None:
        environments = db.session.scalars(select(Environment).options(selectinload(Environment.systems))
                                          .order_by(Environment.position)).all()
    if outages is None:
        outages = db.session.execute(select(Outage.environment_id, Outage.start, Outage.end).where(
            overlapping(start, end))).all()
    slots = db.session.execute(_WEEK_SLOTS, {"start": start, "end": end}).all()
    freezes = freezes_between([e.id for e in environments], start, end)
    rows = []
    for environment in environments:
        spans = [(start, end)]
        for system in environment.systems:
            if set_hours(system):
                spans = _inside(spans, support_days_between(system, monday, monday + timedelta(days=6), False))
        holes = [(a, b or end) for e, a, b in outages if e == environment.id] + [
            (f.starts, f.ends) for f in freezes if f.environment_id in (None, environment.id)]
        open_spans = _cut(spans, holes)
        held = _inside(open_spans, [(s.start, s.end) for s in slots if s.environment_id == environment.id])
        rows.append(Utilisation(environment, merged_length(open_spans).total_seconds() / 3600,
                                merged_length(held).total_seconds() / 3600))
    per_participant = defaultdict(lambda: [0, 0.0])
    for name, slot_start, slot_end in db.session.execute(_WEEK_SLOT_HOLDERS, {"start": start, "end": end}):
        per_participant[name][0] += 1
        per_participant[name][1] += (min(slot_end, end) - max(slot_start, start)).total_seconds() / 3600
    return rows, dict(sorted(per_participant.items()))


# The week's allocated slots as columns, and each slot's holders by organisation name: statements built once.
_IN_WEEK = (Slot.status == SlotStatus.ALLOCATED, Slot.start < bindparam("end"), Slot.end > bindparam("start"))
_WEEK_SLOTS = select(Slot.environment_id, Slot.start, Slot.end).where(*_IN_WEEK)
_WEEK_SLOT_HOLDERS = (select(Organisation.name, Slot.start, Slot.end)
                      .join(slot_participants, slot_participants.c.slot_id == Slot.id)
                      .join(Participant, Participant.id == slot_participants.c.participant_id)
                      .join(Organisation, Organisation.id == Participant.organisation_id).where(*_IN_WEEK))
