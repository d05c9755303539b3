"""The test-phase plan as a Gantt chart (EAP §12.1.1): environments' availability, test phases, freezes and the
roadmap's interim releases against time, laid out here as plain numbers that a template draws as SVG; plain values
throughout, so that a process keeps what a day's plan shows (`shown`, behind the change counters of what it reads)."""
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from ..allocation.models import TestPhase
from ..directory.models import Environment, MajorRelease
from ..extensions import db
from ..windows.models import Freeze

# The chart's colours, as SVG attributes (the PDF renderer does not style SVG from the page's CSS): fill, stroke.
COLOURS = {"available": ("#bbf7d0", "#15803d"), "phase": ("#1d4ed8", "none"), "freeze": ("#0e7490", "none"),
           "milestone": ("#7c3aed", "#7c3aed"), "unconfirmed": ("#ffffff", "#7c3aed"), "today": ("#b91c1c", "#b91c1c"),
           "tick": ("#334155", "#cbd5e1")}
KEY = [("available", "environment available"), ("phase", "test phase"), ("freeze", "freeze")]
WIDTH = 1000  # the chart's drawing width, in SVG units; the label column sits to its left
LABEL = 220
ROW = 26


@dataclass
class Bar:
    kind: str  # available, phase, freeze
    text: str
    first_day: date
    last_day: date
    x: float = 0
    width: float = 0


@dataclass
class Row:
    label: str
    bars: list = field(default_factory=list)
    y: int = 0


@dataclass
class Chart:
    rows: list
    milestones: list  # (x, MajorRelease) of those within the chart
    ticks: list  # (x, label)
    today_x: object
    first_day: date
    last_day: date
    height: int
    roadmap: list  # every interim release with a date, drawn or not
    width: int = WIDTH + LABEL
    label_width: int = LABEL


Named = namedtuple("Named", "id name")
# A test stage as the plan lists it (its environment's name in `environment`, as the ORM's relationship reads).
Stage = namedtuple("Stage", "id name environment_id first_day last_day exclusive environment")
Release = namedtuple("Release", "name planned_date date_confirmed purpose")
FreezeRow = namedtuple("FreezeRow", "environment_id first_day last_day reason")


def shown(today):
    """(Chart, [Stage] by first day) of the plan on a London day: every stage, freeze and dated release, read as
    columns. The views keep it per process (core.changes.cached) behind the counters of what it reads: REFERENCE
    (environments, the roadmap), SCHEDULE (stages, freezes), WINDOWS."""
    phases = [Stage(*row[:6], Named(row.environment_id, row.environment)) for row in db.session.execute(
        select(TestPhase.id, TestPhase.name, TestPhase.environment_id, TestPhase.first_day, TestPhase.last_day,
               TestPhase.exclusive, Environment.name.label("environment"))
        .join(Environment, Environment.id == TestPhase.environment_id).order_by(TestPhase.first_day, TestPhase.id))]
    return chart(today, phases), phases


def chart(today, phases):
    environments = db.session.execute(select(Environment.id, Environment.name, Environment.available_from,
                                             Environment.available_to).order_by(Environment.position)).all()
    freezes = [FreezeRow(*row) for row in db.session.execute(
        select(Freeze.environment_id, Freeze.first_day, Freeze.last_day, Freeze.reason).order_by(Freeze.first_day))]
    roadmap = [Release(*row) for row in db.session.execute(
        select(MajorRelease.name, MajorRelease.planned_date, MajorRelease.date_confirmed, MajorRelease.purpose)
        .where(MajorRelease.planned_date.is_not(None)).order_by(MajorRelease.planned_date))]
    rows = []
    for environment in environments:
        rows.append(Row(environment.name, [Bar("available", f"{environment.name} available",
                                               environment.available_from or today,
                                               environment.available_to or today + timedelta(days=365))]
                        if environment.available_from or environment.available_to else []))
        rows += [Row(f"{environment.name} · {p.name}", [Bar("phase", p.name, p.first_day, p.last_day)])
                 for p in phases if p.environment_id == environment.id]
        mine = [f for f in freezes if f.environment_id == environment.id]
        if mine:
            rows.append(Row(f"{environment.name} · freezes", [Bar("freeze", f.reason, f.first_day, f.last_day)
                                                              for f in mine]))
    shared = [f for f in freezes if f.environment_id is None]
    if shared:
        rows.append(Row("Every environment · freezes", [Bar("freeze", f.reason, f.first_day, f.last_day)
                                                          for f in shared]))
    days = [d for row in rows for bar in row.bars for d in (bar.first_day, bar.last_day)] + [today]
    first, last = min(days).replace(day=1), _next_month(max(days))
    scale = WIDTH / max((last - first).days, 1)

    def x(day):
        return LABEL + (day - first).days * scale

    for index, row in enumerate(rows):
        row.y = 30 + index * ROW
        for bar in row.bars:
            bar.x, bar.width = x(bar.first_day), max((bar.last_day - bar.first_day).days + 1, 1) * scale
    ticks, month = [], first
    step = 1 if (last - first).days < 500 else 3
    while month < last:
        if x(month) < LABEL + WIDTH - 60:  # a label at the very end would be cut off
            ticks.append((x(month), month.strftime("%b %Y")))
        for _ in range(step):
            month = _next_month(month)
    height = 30 + len(rows) * ROW + 52
    milestones = [(x(r.planned_date), r) for r in roadmap if first <= r.planned_date <= last]
    return Chart(rows, milestones, ticks, x(today), first, last, height, roadmap)


def _next_month(day):
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)
