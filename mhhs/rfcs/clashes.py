"""What an RFC's deployment window clashes with (RCM §7.4, EAP §12.7): other RFCs' windows in the same environment
(a source of windows/clashes, registered in create_app), and every clash of a page's RFCs, support hours included."""
from datetime import timedelta

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from ..core.time import format_london, utcnow
from ..extensions import db
from ..windows import clashes as windows
from ..windows.clashes import Clash, Span, busy
from ..windows.support import batch_problem, support_problem
from .models import Rfc, rfc_environments
from .permissions import visible_clause
from .rules import earliest_start
from .states import SCHEDULED, ReleaseType, RfcStatus

SLOT_TYPES = (ReleaseType.MINOR, ReleaseType.PATCH)  # offered the weekly release slot first (RCM Table 3)


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
