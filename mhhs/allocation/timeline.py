"""The environment timeline (EAP §12.1.1): rows of environments; bars of stages, tranches, slots, deployment windows,
outages and freezes over a week or a month, today marked; laid out here as numbers that a template draws as SVG.

Bounded whatever the data: the bars of one kind (slots, deployment windows, outages) on one environment and Europe/
London day are drawn apart up to APART of them (two in a month, where a day is some thirty pixels wide and a slot a
pixel or two; a dozen in a week); a busier day is one bar from its first start to its last end, counted ("14
deployment windows"). The database groups them by environment and day (its UTC date and whether the hour is 23,
which in summer is the next London day's) and returns the days' counts, not their rows; then the rows drawn apart are
read by key, as columns: a fixed number of reads of a bounded number of rows, however many there are."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Date, String, cast, extract, func, literal_column, select

from ..core.time import day_span, format_london
from ..directory.choices import environments as environment_choices
from ..directory.models import Organisation, london_day_start
from ..extensions import db
from ..outages.downtime import overlapping
from ..outages.models import Outage
from ..participants.models import Participant, Tranche
from ..rfcs.clashes import longest_window
from ..rfcs.models import Rfc, rfc_environments
from ..rfcs.numbers import rfc_number
from ..rfcs.permissions import visible_clause
from ..rfcs.states import SCHEDULED, RfcStatus
from ..windows.models import Freeze
from .models import STANDING, Slot, TestPhase, slot_participants
from .permissions import slot_on_timeline, timeline_slots_clause
from .services import overlap_records

WIDTH, LABEL, LANE = 1000, 120, 16
KINDS = ["stage", "tranche", "slot", "window", "outage", "freeze"]
COLOURS = {"stage": "#1d4ed8", "tranche": "#7c3aed", "slot": "#15803d", "window": "#b45309", "outage": "#b91c1c",
           "freeze": "#0e7490"}
KEY = [("stage", "stage"), ("tranche", "tranche"), ("slot", "slot"), ("window", "deployment window"),
       ("outage", "outage"), ("freeze", "freeze")]
# How many bars of one kind on one environment's day are drawn apart; more are one bar for the day (see above).
APART = {"week": 12, "month": 2}
# The deployment windows drawn: those on the schedule (approved or pending), and those that took place, so that a past
# week still shows who held each environment.
ON_TIMELINE = SCHEDULED + (RfcStatus.DEPLOYED, RfcStatus.ROLLED_BACK, RfcStatus.FIXED_FORWARD, RfcStatus.CLOSED)
NOUNS = {"slot": ("slot", "slots"), "window": ("deployment window", "deployment windows"),
         "outage": ("outage", "outages")}


@dataclass
class Bar:
    kind: str
    text: str
    x: float = 0
    width: float = 0
    y: int = 0
    names: tuple = ()  # the bar's short names, longest first: the first that has room is drawn (`_label`)
    short: str = ""  # what is drawn: a name, or nothing when there is no room
    inside: bool = True  # drawn on the bar (white), or just after it (dark)


@dataclass
class Lane:
    environment: tuple  # (id, name)
    bars: list = field(default_factory=list)
    y: int = 0
    height: int = 0

    @property
    def name(self):
        return self.environment[1]


@dataclass
class Timeline:
    lanes: list
    ticks: list
    today_x: object
    first: date
    last: date
    height: int
    count: int
    until: object = None  # when time alone changes what is drawn (an outage under way grows), else None: never
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


class _Chart:
    """The bars of a view as they are placed, by environment id; the view's London days."""

    def __init__(self, first, last, apart, now):
        self.days, self.apart, self.now = (last - first).days + 1, apart, now
        self.day_starts = [london_day_start(first + timedelta(days=i)) for i in range(self.days + 1)]
        self.start, self.end = self.day_starts[0], self.day_starts[-1]
        self.scale = WIDTH / (self.end - self.start).total_seconds()
        self.bars = {}
        self.open = False  # whether a bar has no end yet: drawn until now, it grows as time passes

    def place(self, kind, text, environment_id, a, b, *shorts):
        # No end yet (an outage under way): drawn until now, never into a future nobody knows.
        self.open = self.open or b is None
        a, b = max(a, self.start), min(b or self.now, self.end)
        if a < b:
            width = max((b - a).total_seconds() * self.scale, 2)
            x = LABEL + (a - self.start).total_seconds() * self.scale
            self.bars.setdefault(environment_id, []).append(Bar(kind, text, x, width, names=shorts))

    def busy_days(self, kind, key, environment_id, start, end, *where):
        """One read over one kind's bars in view, grouped by environment and day: the busier days (more than `apart`
        bars) placed as one bar each; returns [(key, environment id)] of the bars to draw apart (their rows read by
        the caller, by key). Bounded: two rows at most per environment and day, whatever the number of bars."""
        days = {}
        # The same SQL text in the select and the GROUP BY (PostgreSQL matches them as written: no bound parameter).
        utc_day, late_hour = func.date(start, type_=Date), extract("hour", start) == literal_column(str(LATE_HOUR))
        for environment, day, late, count, ended, first_start, last_end, keys in db.session.execute(
                select(environment_id, utc_day, late_hour, func.count(), func.count(end), func.min(start),
                       func.max(end), func.aggregate_strings(cast(key, String), ","))
                .where(*where).group_by(environment_id, utc_day, late_hour)):
            day = _london_day(day, late)
            last_end = last_end if ended == count else None  # one is under way (the maximum passes over it)
            before = days.get((environment, day))
            if before:
                count, first_start, last_end, keys = (
                    before[0] + count, min(before[1], first_start),
                    None if None in (before[2], last_end) else max(before[2], last_end), f"{before[3]},{keys}")
            days[environment, day] = (count, first_start, last_end, keys)
        apart = []
        for (environment, _day), (count, first_start, last_end, keys) in days.items():
            if count <= self.apart:
                apart += [(int(k), environment) for k in keys.split(",")]
                continue
            noun = NOUNS[kind][count != 1]
            self.place(kind, f"{count} {noun}, {format_london(first_start)}–{_until(first_start, last_end)}",
                       environment, first_start, last_end, f"{count} {noun}", str(count))
        return apart


LATE_HOUR = 23  # UTC: in British Summer Time its hour is the next London day's first


def _london_day(utc_day, late):
    """The Europe/London day of a moment from its UTC day and whether its UTC hour is 23 (London is UTC or an hour
    ahead of it)."""
    following = utc_day + timedelta(days=1)
    return following if late and london_day_start(following) == datetime.combine(utc_day, time(LATE_HOUR)) \
        else utc_day


def build(first, last, now, user, apart=APART["week"]):
    """The timeline of the London days first..last as the user (or its core.viewer.Viewer: the rules read only its
    role and organisation) may see it; `now` (UTC) marks the line "Today" at its moment and ends what has no end
    yet."""
    chart = _Chart(first, last, apart, now)
    place = chart.place
    stages = db.session.scalars(select(TestPhase).where(TestPhase.first_day <= last, TestPhase.last_day >= first)
                                .order_by(TestPhase.first_day, TestPhase.id)).all()
    for s, text in zip(stages, _stage_texts(stages)):
        place("stage", text, s.environment_id, s.starts, s.ends, f"Stage {s.name}")
    for t in db.session.scalars(select(Tranche).where(Tranche.first_day <= last, Tranche.last_day >= first)):
        place("tranche", f"{t.label}: {day_span(t.first_day, t.last_day)}",
              t.environment_id, t.starts, t.ends, t.name)
    _slots(chart, user)
    _windows(chart, user)
    _outages(chart)
    environments = environment_choices()
    for f in db.session.scalars(select(Freeze).where(Freeze.first_day <= last, Freeze.last_day >= first)):
        for environment_id, _name in environments:
            if f.environment_id in (None, environment_id):
                place("freeze", f"Freeze: {f.reason} ({day_span(f.first_day, f.last_day)})", environment_id,
                      f.starts, f.ends, "Freeze")
    lanes, y = [], 24
    for environment in environments:
        mine = sorted(chart.bars.get(environment[0], []), key=lambda b: (KINDS.index(b.kind), b.x))
        rows = _stack(mine)
        _label(mine)
        lane = Lane(environment, mine, y, max(rows, 1) * LANE + 8)
        for bar in mine:
            bar.y += y + 4
        lanes.append(lane)
        y += lane.height
    days = chart.days
    ticks = [(LABEL + i * WIDTH / days, first + timedelta(days=i)) for i in range(days)]
    # A bar under way grows each minute while the period runs (a period to come shows it from its first day).
    until = max(chart.start, now.replace(second=0, microsecond=0) + timedelta(minutes=1)) \
        if chart.open and now < chart.end else None
    return Timeline(lanes, ticks, today_x(first, last, now), first, last, y + 8,
                    sum(len(b) for b in chart.bars.values()), until)


def today_x(first, last, now):
    """Where the line "Today" stands at `now` (UTC) on the timeline of the London days first..last; None outside."""
    start, end = london_day_start(first), london_day_start(last + timedelta(days=1))
    return LABEL + (now - start).total_seconds() * WIDTH / (end - start).total_seconds() if start <= now < end \
        else None


def _slots(chart, user):
    """The standing slots the user may see on the timeline (permissions.slot_on_timeline): counted per busy day, or
    apart with their participants' organisations."""
    apart = _keys(chart.busy_days("slot", Slot.id, Slot.environment_id, Slot.start, Slot.end, Slot.status.in_(STANDING),
                            Slot.start < chart.end, Slot.end > chart.start, timeline_slots_clause(user)))
    slots, organisations = {}, {}
    for s in db.session.execute(
            select(Slot.id, Slot.environment_id, Slot.status, Slot.purpose, Slot.start, Slot.end,
                   Participant.organisation_id, Organisation.name)
            .join(slot_participants, slot_participants.c.slot_id == Slot.id)
            .join(Participant, Participant.id == slot_participants.c.participant_id)
            .join(Organisation, Organisation.id == Participant.organisation_id)
            .where(Slot.id.in_(apart)).order_by(Slot.start, Slot.id, Participant.id)):
        slots[s.id] = s
        organisations.setdefault(s.id, []).append((s.organisation_id, s.name))
    for s in slots.values():
        found = organisations[s.id]
        how = slot_on_timeline(user, s, {organisation_id for organisation_id, _ in found})
        when = _span(s.start, s.end)
        if how == "detail":
            names = ", ".join(name for _, name in found)
            chart.place("slot", f"{names}: {s.purpose.label.lower()} ({s.status.label.lower()}), {when}",
                        s.environment_id, s.start, s.end, names)
        elif how == "held":
            chart.place("slot", f"Held, {when}", s.environment_id, s.start, s.end, "Held")


def _windows(chart, user):
    """The RFCs' deployment windows (ON_TIMELINE) that the user may see (a pending RFC of another organisation is not
    shown to a Central Party or Test Participant, as everywhere else), a bar on each environment they target; found
    through the index on (status, window start), bounded at both ends by the longest window."""
    longest = longest_window(ON_TIMELINE) or 0
    targets = {}
    for rfc_id, environment_id in chart.busy_days(
            "window", Rfc.id, rfc_environments.c.environment_id,
            Rfc.window_start, Rfc.window_end, rfc_environments.c.rfc_id == Rfc.id, Rfc.status.in_(ON_TIMELINE),
            Rfc.window_start > chart.start - timedelta(minutes=longest), Rfc.window_start < chart.end,
            Rfc.window_end > chart.start, visible_clause(user)):
        targets.setdefault(rfc_id, []).append(environment_id)
    for r in db.session.execute(select(Rfc.id, Rfc.status, Rfc.window_start, Rfc.window_end)
                                .where(Rfc.id.in_(targets)).order_by(Rfc.window_start, Rfc.id)):
        number = rfc_number(r.id)
        for environment_id in targets[r.id]:
            chart.place("window", f"Deployment window {number} ({r.status.value}), "
                        f"{_span(r.window_start, r.window_end)}", environment_id, r.window_start, r.window_end, number)


def _keys(apart):
    return [key for key, _environment in apart]


def _outages(chart):
    apart = _keys(chart.busy_days("outage", Outage.id, Outage.environment_id, Outage.start, Outage.end,
                                  overlapping(chart.start, chart.end)))
    for o in db.session.execute(select(Outage.environment_id, Outage.planned, Outage.start, Outage.end)
                                .where(Outage.id.in_(apart)).order_by(Outage.start, Outage.id)):
        chart.place("outage", f"{'Planned' if o.planned else 'Unplanned'} outage, {_span(o.start, o.end)}",
                    o.environment_id, o.start, o.end, "Outage")


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
        texts.append(f"Stage {s.name}{alone}: {day_span(s.first_day, s.last_day)}")
    return texts


def _until(start, end):
    """A busy day's last end: its time when on its first start's London day, else its day and time; "now (one not
    yet ended)" while one of them is under way."""
    if end is None:
        return "now (one not yet ended)"
    return format_london(end, "%H:%M") if format_london(end, "%Y%m%d") == format_london(start, "%Y%m%d") \
        else format_london(end)


CHAR = 6  # the width of a character of the bars' labels (font size 10), roughly


def _fit(width, *shorts):
    """The first of a bar's short labels that fits in the width, else none."""
    return next((str(short) for short in shorts if len(str(short)) * CHAR + 4 <= width), "")


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
            room = (following.x if following else LABEL + WIDTH) - (bar.x + bar.width)
            inside, beside = _fit(bar.width, *bar.names), _fit(room - 3, *bar.names)
            bar.short, bar.inside = (inside, True) if inside else (beside, False)
