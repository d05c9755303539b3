"""What a deployment window can clash with (RCM §7.4, EAP §12.7): other windows in the same environment, planned
outages, freezes and the system's support hours; the clashes of a page's RFCs, and the next free window."""
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from ..core.time import format_london, to_london, utcnow
from ..directory.release_slot import slot_spans
from ..directory.support import freeze_text, freezes_between, support_days_between, support_problem
from ..extensions import db
from .models import ReleaseType, Rfc, RfcStatus, rfc_environments
from .rules import earliest_start
from .services import visible_clause

# The windows on the schedule: submitted (pending), sent back, or approved and not yet deployed.
SCHEDULED = (RfcStatus.SUBMITTED, RfcStatus.CHANGES_REQUESTED, RfcStatus.APPROVED)
# The RFCs whose page names their clashes: those on the schedule, and drafts (seen before they are submitted).
CHECKED = SCHEDULED + (RfcStatus.DRAFT,)
SLOT_STEP = timedelta(minutes=15)
LOOK_AHEAD = timedelta(days=90)
DEFAULT_LENGTH = timedelta(hours=1)  # a suggested window's length when none is typed
SLOT_TYPES = (ReleaseType.MINOR, ReleaseType.PATCH)  # offered the weekly release slot first (RCM Table 3)


@dataclass(frozen=True)
class Span:
    """A window to check: key (who asks), environments, [start, end), and the RFC it belongs to (not a clash)."""
    key: object
    environment_ids: tuple
    start: object
    end: object
    rfc_id: object = None


@dataclass(frozen=True)
class Clash:
    """What a window clashes with, in words, with the page that shows it."""
    kind: str  # window, outage, freeze, support hours
    text: str
    endpoint: str = None
    args: dict = field(default_factory=dict, hash=False, compare=False)
    start: object = None
    end: object = None

    @property
    def label(self):
        return CLASH_LABELS[self.kind]


CLASH_LABELS = {"window": "Clashes with", "outage": "Overlaps", "freeze": "Freeze", "support hours": "Support hours"}


def scheduled_windows(spans, user):
    """[(span key, Clash)]: the scheduled windows the user may see overlapping each span in its environments, found
    through the index on (status, window start) bounded at both ends by the longest scheduled window."""
    longest = db.session.scalar(select(func.max(Rfc.window_minutes)).where(Rfc.status.in_(SCHEDULED)))
    if longest is None or not spans:
        return []
    reach = timedelta(minutes=longest)
    rows = db.session.execute(union_all(*(
        select(literal(index).label("span"), Rfc.id, Rfc.window_end)
        .join(rfc_environments, rfc_environments.c.rfc_id == Rfc.id)
        .where(Rfc.status.in_(SCHEDULED), Rfc.window_start > span.start - reach, Rfc.window_start < span.end,
               rfc_environments.c.environment_id.in_(span.environment_ids),
               *([Rfc.id != span.rfc_id] if span.rfc_id else []), *([visible_clause(user)] if user else []))
        for index, span in enumerate(spans)))).all()
    found = {(index, rfc_id) for index, rfc_id, end in rows if end > spans[index].start}
    if not found:
        return []
    others = {o.id: o for o in db.session.scalars(
        select(Rfc).where(Rfc.id.in_({rfc_id for _, rfc_id in found}))
        .options(selectinload(Rfc.environments), joinedload(Rfc.system)))}
    return [(spans[index].key, window_clash(others[rfc_id], spans[index].environment_ids))
            for index, rfc_id in sorted(found, key=lambda f: (f[0], others[f[1]].window_start))]


def window_clash(other, environment_ids):
    shared = ", ".join(e.name for e in other.environments if e.id in environment_ids)
    pending = "" if other.status == RfcStatus.APPROVED else f" ({other.status.value})"
    return Clash("window", f"{other.number}{pending}, {other.system.name} {other.version} in {shared}, "
                 f"{format_london(other.window_start)}–{format_london(other.window_end, '%H:%M')}",
                 "releases.detail", {"rfc_id": other.id}, other.window_start, other.window_end)


def freezes(spans, user=None):
    """[(span key, Clash)]: the freezes over each span, read once for all of them."""
    if not spans:
        return []
    every = freezes_between({i for span in spans for i in span.environment_ids}, min(s.start for s in spans),
                            max(s.end for s in spans))
    return [(span.key, Clash("freeze", freeze_text(f), "schedule.freezes", {}, f.starts, f.ends))
            for span in spans for f in every
            if (f.environment_id is None or f.environment_id in span.environment_ids)
            and f.starts < span.end and span.start < f.ends]


# What a window clashes with, source by source: (spans, user) -> [(span key, Clash)]. The outage log adds planned
# outages (outages.services.planned_outage_clashes): it sits above this package, and registers itself on import.
SOURCES = [scheduled_windows, freezes]


def busy(spans, user):
    """{span key: [Clash]} from every source."""
    found = {span.key: [] for span in spans}
    for source in SOURCES:
        for key, clash in source(spans, user):
            found[key].append(clash)
    return found


def clashes(rfcs, user, now=None):
    """{rfc id: [Clash]} for these RFCs (a page's): the windows, planned outages and freezes their windows overlap
    in their target environments, and their system's support hours. An Emergency may deploy in a freeze, but the
    freeze is still named. A window that is over clashes with nothing any more (and its search would read the
    whole past)."""
    now = now or utcnow()
    rfcs = [r for r in rfcs if r.window_start and r.window_end and r.window_end > max(r.window_start, now)]
    found = busy([Span(r.id, tuple(e.id for e in r.environments), r.window_start, r.window_end, r.id)
                  for r in rfcs], user)
    for rfc in rfcs:
        problem = support_problem(rfc.system, rfc.window_start, rfc.window_end) if rfc.system else None
        if problem:
            found[rfc.id].append(Clash("support hours", problem, "schedule.support_hours", {}))
    return found


def next_free_window(system, release_type, environment_ids, length, now, rfc_id=None):
    """The earliest window of `length` that meets the notice rule, lies within the system's support hours and
    outside freezes (unless an Emergency), and overlaps no scheduled window or planned outage in these
    environments, looking LOOK_AHEAD ahead; None if there is none. Every scheduled window counts, seen or not."""
    earliest = _round_up(earliest_start(release_type, now))
    horizon = earliest + LOOK_AHEAD
    taken = [c for c in busy([Span(0, tuple(environment_ids), earliest, horizon, rfc_id)], None)[0]
             if not (c.kind == "freeze" and release_type == ReleaseType.EMERGENCY)]
    days = support_days_between(system, to_london(earliest).date(), to_london(horizon).date())
    days = days if days is not None else [(earliest, horizon)]
    if release_type in SLOT_TYPES:  # RCM Table 3: the weekly release slot first, within the support hours
        slots = slot_spans(to_london(earliest).date(), to_london(horizon).date())
        found = _first_free([(max(a, c), min(b, d)) for a, b in slots for c, d in days if max(a, c) < min(b, d)],
                            earliest, length, taken)
        if found:
            return found
    return _first_free(days, earliest, length, taken)


def _first_free(spans, earliest, length, taken):
    for open_from, open_to in spans:
        start = _round_up(max(open_from, earliest))
        while start + length <= open_to:
            blocking = [c.end for c in taken if c.start < start + length and start < c.end]
            if not blocking:
                return start, start + length
            start = _round_up(max(blocking))
    return None


def in_weekly_slot(start, end):
    """Whether a window lies inside an occurrence of the weekly release slot."""
    return any(a <= start and end <= b for a, b in slot_spans(to_london(start).date() - timedelta(days=1),
                                                              to_london(start).date()))


def length_text(length):
    hours, minutes = divmod(int(length.total_seconds()) // 60, 60)
    return " ".join(p for p in (f"{hours} h" if hours else "", f"{minutes} min" if minutes else "") if p)


def _round_up(moment):
    """Up to the next quarter hour (a window people can type and read)."""
    over = (moment - moment.replace(minute=0, second=0, microsecond=0)) % SLOT_STEP
    return moment + (SLOT_STEP - over) if over else moment
