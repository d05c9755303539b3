"""What a window in an environment can clash with (RCM §7.4, EAP §12.7), source by source, and the next free window.
The sources above this package (other RFCs' windows, planned outages) are registered in create_app."""
from dataclasses import dataclass, field
from datetime import timedelta

from ..core import registry
from ..core.time import to_london
from .release_slot import slot_spans
from .support import freeze_text, freezes_between, support_days_between

SLOT_STEP = timedelta(minutes=15)
LOOK_AHEAD = timedelta(days=90)
DEFAULT_LENGTH = timedelta(hours=1)  # a suggested window's length when none is typed


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
    kind: str  # window, outage, freeze, support hours, batch
    text: str
    endpoint: str = None
    args: dict = field(default_factory=dict, hash=False, compare=False)
    start: object = None
    end: object = None

    @property
    def label(self):
        return CLASH_LABELS[self.kind]


CLASH_LABELS = {"window": "Clashes with", "outage": "Overlaps", "freeze": "Freeze", "support hours": "Support hours",
                "batch": "End-of-day batch",
                # the allocation's own sources (allocation/rules.py)
                "stage": "Exclusive stage", "slot": "Held", "unavailable": "Unavailable"}


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


# What a window clashes with, source by source: (spans, user) -> [(span key, Clash)]. Freezes are this package's
# own; create_app registers the others under SOURCES (rfcs.clashes.scheduled_windows, outages' planned outages).
SOURCES = "windows.clash_sources"


def busy(spans, user):
    """{span key: [Clash]} from every source."""
    found = {span.key: [] for span in spans}
    for source in (freezes, *registry.functions(SOURCES)):
        for key, clash in source(spans, user):
            found[key].append(clash)
    return found


def next_free_window(system, environment_ids, length, earliest, rfc_id=None, in_freeze=False, in_slot=False):
    """The earliest window of `length` from `earliest` (the notice the caller's rule gives) that lies within the
    system's support hours and outside freezes (unless `in_freeze`: an Emergency), and overlaps no scheduled window
    or planned outage in these environments, looking LOOK_AHEAD ahead; None if there is none. Every scheduled window
    counts, seen or not. `in_slot`: the weekly release slot (RCM Table 3) is offered first, within the support
    hours."""
    earliest = _round_up(earliest)
    horizon = earliest + LOOK_AHEAD
    taken = [c for c in busy([Span(0, tuple(environment_ids), earliest, horizon, rfc_id)], None)[0]
             if not (c.kind == "freeze" and in_freeze)]
    days = support_days_between(system, to_london(earliest).date(), to_london(horizon).date())
    days = days if days is not None else [(earliest, horizon)]
    if in_slot:
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
