"""What an RFC's deployment window clashes with (RCM §7.4, EAP §12.7): other RFCs' windows in the same environment
(a source of windows/clashes, registered in create_app), and every clash of a page's RFCs, support hours included."""
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import bindparam, func, literal, select, union_all

from ..core.changes import WINDOWS, cached, changed
from ..core.time import format_london, utcnow
from ..core.viewer import viewer_of
from ..directory.models import Environment, System
from ..extensions import db
from ..windows import clashes as windows
from ..windows.clashes import Clash, Span, busy
from ..windows.support import batch_problem, support_problem
from .models import Rfc, rfc_environments
from .numbers import rfc_number
from .permissions import visible_clause
from .rules import earliest_start
from .states import SCHEDULED, ReleaseType, RfcStatus

SLOT_TYPES = (ReleaseType.MINOR, ReleaseType.PATCH)  # offered the weekly release slot first (RCM Table 3)


# What an RFC's window on the schedule shows (the calendar, the timeline, the clashes, the weekly report): a change
# to one of these moves the WINDOWS counter (core/changes.py); a change to its texts, control points or approvals
# of a phase that leave its status as it was moves nothing.
WINDOW_FIELDS = ("status", "window_start", "window_end", "release_type", "system_id", "organisation_id", "version",
                 "title", "submitted_at", "environments")


def moves_windows(rfc):
    """Whether this change to an RFC changes what the schedule shows of it."""
    return any(changed(rfc, name)[0] for name in WINDOW_FIELDS)


def shares_rfc(consultation):
    """Whether this change to a consultation changes who sees its RFC (visible_clause): not its response."""
    return changed(consultation, "rfc_id")[0] or changed(consultation, "organisation_id")[0]


# How many other windows a span names (the earliest first): one in a busy environment names these and says there are
# more, so the clashes of a page's windows read a bounded number of rows.
NAMED_WINDOWS = 5
# Spans are read this many to a statement, a batch padded to a power of two: a few statement shapes serve every page,
# and none grows with a month's windows (a statement of hundreds of parts kept built and compiled is megabytes).
SPANS_A_STATEMENT = 64


def longest_window(statuses):
    """The longest window, in minutes, of the RFCs in these statuses (a tuple), or None when there is none: what bounds
    a read of windows through the index on (status, window start) at both ends. Read once per process while no
    window moves (WINDOWS: an RFC's window or status changing moves it)."""
    return cached(_longest_window, WINDOWS, key=(statuses,))


def _longest_window(statuses):
    return db.session.scalar(select(func.max(Rfc.window_minutes)).where(Rfc.status.in_(statuses)))


def scheduled_windows(spans, user):
    """[(span key, Clash)]: the scheduled windows the user may see overlapping each span in its environments (the
    first NAMED_WINDOWS, then one saying there are more), found through the index on (status, window start) bounded
    at both ends by the longest scheduled window, read as columns."""
    longest = longest_window(SCHEDULED)
    if longest is None or not spans:
        return []
    reach = timedelta(minutes=longest)
    viewer = viewer_of(user) if user else None
    found = {}  # span index: [rfc id] (an RFC in two of the span's environments counts once)
    for first in range(0, len(spans), SPANS_A_STATEMENT):
        batch = spans[first:first + SPANS_A_STATEMENT]
        size = 1 << (len(batch) - 1).bit_length()  # padded with spans in no environment, which find nothing
        params = {}
        for index in range(size):
            span = batch[min(index, len(batch) - 1)]
            params |= {f"from{index}": span.start - reach, f"to{index}": span.end, f"after{index}": span.start,
                       f"in{index}": list(span.environment_ids) if index < len(batch) else [],
                       f"not{index}": span.rfc_id or 0}
        for index, rfc_id, _ in db.session.execute(_first_windows(size, viewer), params):
            if rfc_id not in found.setdefault(first + index, []):
                found[first + index].append(rfc_id)
    if not found:
        return []
    ids = {"ids": list({rfc_id for ids in found.values() for rfc_id in ids})}
    others = {row.id: row for row in db.session.execute(_OTHERS, ids)}
    where = {}  # {rfc id: [(environment id, name)]} in the programme's order
    for rfc_id, environment_id, name in db.session.execute(_WHERE, ids):
        where.setdefault(rfc_id, []).append((environment_id, name))
    result = []
    for index in sorted(found):
        span, ordered = spans[index], sorted(found[index], key=lambda i: (others[i].window_start, i))
        for rfc_id in ordered[:NAMED_WINDOWS]:
            shared = [name for e, name in where[rfc_id] if e in span.environment_ids]
            result.append((span.key, window_clash(others[rfc_id], shared)))
        if len(ordered) > NAMED_WINDOWS:
            result.append((span.key, Clash("window", "more windows in the same environments at the time",
                                           "schedule.calendar", {"view": "week", "date": _day(span.start)})))
    return result


# What the clashes name of the windows found (the RFC and its system, then its environments): built once, the RFCs'
# ids bound at each read.
_OTHERS = (select(Rfc.id, Rfc.status, Rfc.version, Rfc.window_start, Rfc.window_end, System.name.label("system"))
           .outerjoin(System, System.id == Rfc.system_id).where(Rfc.id.in_(bindparam("ids", expanding=True))))
_WHERE = (select(rfc_environments.c.rfc_id, Environment.id, Environment.name)
          .join(Environment, Environment.id == rfc_environments.c.environment_id)
          .where(rfc_environments.c.rfc_id.in_(bindparam("ids", expanding=True)))
          .order_by(Environment.position, Environment.name))


@lru_cache(maxsize=64)
def _first_windows(count, viewer):  # count: a power of two up to SPANS_A_STATEMENT
    """The statement reading each of `count` spans' first NAMED_WINDOWS + 1 scheduled windows (those the viewer may
    see, or every one), in its environments, starting after `from{i}` (the span's start less the longest window)
    and before `to{i}`, ending after `after{i}`, other than RFC `not{i}`: built once and reused with new values, so
    that SQLAlchemy neither builds nor keys it again."""
    parts = [select(literal(index).label("span"), Rfc.id, Rfc.window_start)
             .join(rfc_environments, rfc_environments.c.rfc_id == Rfc.id)
             .where(Rfc.status.in_(SCHEDULED), Rfc.window_start > bindparam(f"from{index}"),
                    Rfc.window_start < bindparam(f"to{index}"), Rfc.window_end > bindparam(f"after{index}"),
                    rfc_environments.c.environment_id.in_(bindparam(f"in{index}", expanding=True)),
                    Rfc.id != bindparam(f"not{index}"), *([visible_clause(viewer)] if viewer else []))
             .order_by(Rfc.window_start, Rfc.id).limit(NAMED_WINDOWS + 1).subquery()
             for index in range(count)]
    return union_all(*(select(part) for part in parts))


def _day(moment):
    return format_london(moment, "%Y-%m-%d")


def window_clash(other, shared):
    """The clash with another RFC's window (a row of its id, status, version, window and system's name) in the
    environments named in `shared`."""
    pending = "" if other.status == RfcStatus.APPROVED else f" ({other.status.value})"
    return Clash("window", f"{rfc_number(other.id)}{pending}, {other.system} {other.version} in {', '.join(shared)}, "
                 f"{format_london(other.window_start)}–{format_london(other.window_end, '%H:%M')}",
                 "rfcs.detail", {"rfc_id": other.id}, other.window_start, other.window_end)


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
        batch = batch_problem(rfc.system, rfc.window_start, rfc.window_end) if rfc.system else None
        if batch:  # EAP §12.7.4: the window meets the system's end-of-day batch
            found[rfc.id].append(Clash("batch", f"The window {batch}", "schedule.support_hours", {}))
    return found


def next_free_window(system, release_type, environment_ids, length, now, rfc_id=None):
    """The earliest free window for a release of this type (windows.next_free_window), from the earliest start its
    notice allows; an Emergency may deploy in a freeze; Minor and Patch are offered the weekly release slot first."""
    return windows.next_free_window(system, environment_ids, length, earliest_start(release_type, now), rfc_id,
                                    in_freeze=release_type == ReleaseType.EMERGENCY, in_slot=release_type in SLOT_TYPES)
