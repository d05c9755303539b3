"""The environment timeline (EAP §12.1.1): rows of environments; bars of stages, tranches, slots, deployment windows,
outages and freezes over a week or a month, today marked; laid out here as numbers that a template draws as SVG. One
read per kind of bar, whatever their number."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from ..core.time import format_london
from ..directory.models import Environment, Organisation, london_day_start
from ..extensions import db
from ..outages.downtime import overlapping
from ..outages.models import Outage
from ..participants.models import Participant, Tranche
from ..rfcs.models import Rfc, rfc_environments
from ..rfcs.states import SCHEDULED
from ..windows.models import Freeze
from .models import STANDING, Slot, TestPhase, slot_participants
from .permissions import slot_on_timeline
from .services import overlap_records

WIDTH, LABEL, LANE = 1000, 120, 16
KINDS = ["stage", "tranche", "slot", "window", "outage", "freeze"]
COLOURS = {"stage": "#1d4ed8", "tranche": "#7c3aed", "slot": "#15803d", "window": "#b45309", "outage": "#b91c1c",
           "freeze": "#0e7490"}
KEY = [("stage", "stage"), ("tranche", "tranche"), ("slot", "slot"), ("window", "deployment window"),
       ("outage", "outage"), ("freeze", "freeze")]


@dataclass
class Bar:
    kind: str
    text: str
    x: float = 0
    width: float = 0
    y: int = 0
    link: str = None
    name: str = ""  # the bar's short name, drawn where it has room (`_label`)
    short: str = ""  # what is drawn: the name, or nothing when there is no room
    inside: bool = True  # drawn on the bar (white), or just after it (dark)


@dataclass
class Lane:
    environment: object
    bars: list = field(default_factory=list)
    y: int = 0
    height: int = 0


@dataclass
class Timeline:
    lanes: list
    ticks: list
    today_x: object
    first: date
    last: date
    height: int
    count: int
    width: int = WIDTH + LABEL
    label_width: int = LABEL


def view_range(view, day):
    """(first day, last day) of the week (Monday on) or month holding `day`."""
    if view == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def build(first, last, today, user):
    start, end = london_day_start(first), london_day_start(last + timedelta(days=1))
    scale = WIDTH / (end - start).total_seconds()

    def place(kind, text, environment_id, a, b, short=""):
        a, b = max(a, start), min(b or end, end)
        if a < b:
            width = max((b - a).total_seconds() * scale, 2)
            bars.setdefault(environment_id, []).append(Bar(kind, text, LABEL + (a - start).total_seconds() * scale,
                                                           width, name=str(short)))

    bars = {}
    stages = db.session.scalars(select(TestPhase).where(TestPhase.first_day <= last, TestPhase.last_day >= first)
                                .order_by(TestPhase.first_day, TestPhase.id)).all()
    for s, text in zip(stages, _stage_texts(stages)):
        place("stage", text, s.environment_id, s.starts, s.ends, f"Stage {s.name}")
    for t in db.session.scalars(select(Tranche).where(Tranche.first_day <= last, Tranche.last_day >= first)):
        place("tranche", f"{t.label}: {t.first_day:%d %b}–{t.last_day:%d %b %Y}",
              t.environment_id, t.starts, t.ends, t.name)
    in_view = (Slot.status.in_(STANDING), Slot.start < end, Slot.end > start)
    organisations = _grouped(select(slot_participants.c.slot_id, Organisation.id, Organisation.name)
                             .join(Slot, Slot.id == slot_participants.c.slot_id)
                             .join(Participant, Participant.id == slot_participants.c.participant_id)
                             .join(Participant.organisation).where(*in_view).order_by(Participant.id))
    for s in db.session.scalars(select(Slot).where(*in_view)):
        found = organisations.get(s.id, ())
        shown = slot_on_timeline(user, s, {organisation_id for organisation_id, _ in found})
        when = _span(s.start, s.end)
        if shown == "detail":
            names = ", ".join(name for _, name in found)
            place("slot", f"{names}: {s.purpose.label.lower()} ({s.status.label.lower()}), {when}", s.environment_id,
                  s.start, s.end, names)
        elif shown == "held":
            place("slot", f"Held, {when}", s.environment_id, s.start, s.end, "Held")
    scheduled = (Rfc.status.in_(SCHEDULED), Rfc.window_start < end, Rfc.window_end > start)
    targets = _grouped(select(rfc_environments.c.rfc_id, rfc_environments.c.environment_id)
                       .join(Rfc, Rfc.id == rfc_environments.c.rfc_id).where(*scheduled))
    for r in db.session.scalars(select(Rfc).where(*scheduled)):
        for environment_id in targets.get(r.id, ()):
            place("window", f"Deployment window {r.number} ({r.status.value}), {_span(r.window_start, r.window_end)}",
                  environment_id, r.window_start, r.window_end, r.number)
    for o in db.session.scalars(select(Outage).where(overlapping(start, end))):
        place("outage", f"{'Planned' if o.planned else 'Unplanned'} outage, {_span(o.start, o.end)}",
              o.environment_id, o.start, o.end, "Outage")
    environments = db.session.scalars(select(Environment).order_by(Environment.position)).all()
    for f in db.session.scalars(select(Freeze).where(Freeze.first_day <= last, Freeze.last_day >= first)):
        for e in [e for e in environments if f.environment_id in (None, e.id)]:
            place("freeze", f"Freeze: {f.reason} ({f.first_day:%d %b}–{f.last_day:%d %b %Y})", e.id, f.starts,
                  f.ends, "Freeze")
    lanes, y = [], 24
    for environment in environments:
        mine = sorted(bars.get(environment.id, []), key=lambda b: (KINDS.index(b.kind), b.x))
        rows = _stack(mine)
        _label(mine)
        lane = Lane(environment, mine, y, max(rows, 1) * LANE + 8)
        for bar in mine:
            bar.y += y + 4
        lanes.append(lane)
        y += lane.height
    days = (last - first).days + 1
    ticks = [(LABEL + i * WIDTH / days, first + timedelta(days=i)) for i in range(days)]
    today_x = LABEL + (today - first).days * WIDTH / days + WIDTH / days / 2 if first <= today <= last else None
    return Timeline(lanes, ticks, today_x, first, last, y + 8, sum(len(b) for b in bars.values()))


def _span(first, last):
    """[first, last) in UK time as the list says it: "15 Dec 2026 09:00–11:00" within a day, both days named when it
    runs past midnight, "from … (not yet ended)" while it has no end."""
    if last is None:
        return f"from {format_london(first)} (not yet ended)"
    same_day = format_london(first, "%Y%m%d") == format_london(last, "%Y%m%d")
    return f"{format_london(first)}–{format_london(last, '%H:%M' if same_day else '%d %b %Y %H:%M')}"


def _stage_texts(stages):
    """What the list says of each stage: its days, and whether it runs alone, naming the stages a Release Manager
    recorded it may overlap all the same (one read for them all)."""
    may_overlap = {}
    for record in overlap_records([s.id for s in stages]) if any(s.exclusive for s in stages) else ():
        may_overlap.setdefault(record.first_id, []).append(record.second.name)
        may_overlap.setdefault(record.second_id, []).append(record.first.name)
    texts = []
    for s in stages:
        alone = ""
        if s.exclusive:
            alone = " (runs alone" + (f"; may overlap {', '.join(may_overlap[s.id])}, as recorded"
                                      if s.id in may_overlap else "") + ")"
        texts.append(f"Stage {s.name}{alone}: {s.first_day:%d %b}–{s.last_day:%d %b %Y}")
    return texts


CHAR = 6  # the width of a character of the bars' labels (font size 10), roughly


def _label(bars):
    """Where each bar's short name is drawn: on the bar when it fits there; else just after it when its row is free
    that far (up to the next bar or the chart's edge); else not at all (the bar's title and the list below name it).
    Bars of one row never overlap (`_stack`)."""
    rows = {}
    for bar in bars:
        rows.setdefault(bar.y, []).append(bar)
    for row in rows.values():
        row.sort(key=lambda b: b.x)
        for bar, following in zip(row, row[1:] + [None]):
            need = len(bar.name) * CHAR + 4
            room = (following.x if following else LABEL + WIDTH) - (bar.x + bar.width)
            if need <= bar.width:
                bar.short, bar.inside = bar.name, True
            elif need + 3 <= room:
                bar.short, bar.inside = bar.name, False


def _grouped(statement):
    """{key: [value or (values…)]} of (key, value…) rows, in one read however many keys (a selectinload reads 500 at a
    time)."""
    found = {}
    for key, *values in db.session.execute(statement):
        found.setdefault(key, []).append(values[0] if len(values) == 1 else tuple(values))
    return found


def _stack(bars):
    """Puts overlapping bars on separate rows of their lane; returns the number of rows."""
    ends = []
    for bar in bars:
        row = next((i for i, x in enumerate(ends) if x <= bar.x), None)
        if row is None:
            ends.append(0)
            row = len(ends) - 1
        ends[row] = bar.x + bar.width
        bar.y = row * LANE
    return len(ends)

