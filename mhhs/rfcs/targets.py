"""What an RFC meets in the configuration baseline (RCM §7.4, §12.7 CP3): the version it builds on, whether its
target environments run it, SIT-A/SIT-B drift it would cause, and the approved RFC that will change each cell."""
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Integer, bindparam, or_, select, true, union_all
from sqlalchemy.orm import aliased

from ..baseline.services import PAIRED, current_cells
from ..baseline.versions import parse, sort_key
from ..core.time import is_business_day, to_london
from ..directory.models import Environment, System
from ..extensions import db
from .models import Deployment, Rfc, rfc_environments
from .numbers import rfc_number
from .states import PUBLIC_STATUSES, RfcStatus


class NextInCell(NamedTuple):
    """The approved RFC that changes a cell next, as the grid names it."""
    id: int
    version: str
    window_start: datetime

    @property
    def number(self):
        return rfc_number(self.id)


def next_in_cells(system_ids):
    """{(environment id, system id): NextInCell} for these systems: in each cell, the approved RFC with the earliest
    window not yet deployed there. One query: each cell finds its first RFC through the index on (system, status,
    window start), reading the system's approved RFCs in window order until one targets the cell and is not deployed
    there (not every approved RFC of every cell ranked)."""
    if not system_ids:
        return {}
    rows = db.session.execute(_NEXT_IN_CELLS, {"system_ids": list(system_ids)})
    return {(e, s): NextInCell(rfc_id, version, start) for e, s, rfc_id, version, start in rows}


def _next_in_cells():
    first = aliased(Rfc)
    targets = select(rfc_environments.c.rfc_id).where(rfc_environments.c.rfc_id == first.id,
                                                      rfc_environments.c.environment_id == Environment.id)
    deployed = select(Deployment.id).where(Deployment.rfc_id == first.id, Deployment.environment_id == Environment.id)
    next_id = (select(first.id).where(first.system_id == System.id, first.status == RfcStatus.APPROVED,
                                      targets.exists(), ~deployed.exists())
               .order_by(first.window_start, first.id).limit(1).correlate(Environment, System).scalar_subquery())
    cells = (select(Environment.id.label("environment_id"), System.id.label("system_id"), next_id.label("rfc_id"))
             .select_from(Environment).join(System, true())  # every environment with every system: the cells
             .where(System.id.in_(bindparam("system_ids", expanding=True))).subquery())
    return select(cells.c.environment_id, cells.c.system_id, Rfc.id, Rfc.version, Rfc.window_start) \
        .join(Rfc, Rfc.id == cells.c.rfc_id)


_NEXT_IN_CELLS = _next_in_cells()  # one statement object: its cache key is made once


def drift_warning(rfc):
    """RCM §7.4: an RFC that targets only one of SIT-A and SIT-B for a system present in both."""
    if rfc.system is None:
        return None
    present = {e.name for e in rfc.system.environments} & set(PAIRED)
    targeted = {e.name for e in rfc.environments} & set(PAIRED)
    if len(present) == 2 and len(targeted) == 1:
        (target,) = targeted
        (other,) = present - targeted
        return f"{other} will differ from {target}"
    return None


# The highest standing version of a system below a key (RCM: approved or later, not rolled back everywhere, as
# states.stands says), through the index on (system, version key): one row read, not the system's every version.
_HIGHEST_BELOW = (select(Rfc.version)
                  .where(Rfc.system_id == bindparam("system_id"), Rfc.id != bindparam("rfc_id"),
                         Rfc.version_key < bindparam("key"), Rfc.status.in_(PUBLIC_STATUSES),
                         or_(Rfc.outcome.is_(None), Rfc.outcome != RfcStatus.ROLLED_BACK))
                  .order_by(Rfc.version_key.desc()).limit(1))


def builds_on(rfc, cells):
    """The version the RFC builds on: the highest version of its system below its own, running or approved."""
    own = parse(rfc.version)
    if own is None:
        return None
    known = [c.version for (_, system_id), c in cells.items() if system_id == rfc.system_id]
    known.append(db.session.scalar(_HIGHEST_BELOW, {"system_id": rfc.system_id, "rfc_id": rfc.id,
                                                    "key": sort_key(rfc.version)}))
    lower = [v for v in known if parse(v) and parse(v) < own]
    return max(lower, key=parse) if lower else None


def target_baseline(rfc):
    """CP3: [(environment, version running or None)], the version it builds on, and whether all run it."""
    cells = current_cells([rfc.system_id]) if rfc.system_id else {}
    base = builds_on(rfc, cells)
    running = [(e, cells[(e.id, rfc.system_id)].version if (e.id, rfc.system_id) in cells else None)
               for e in rfc.environments]
    return running, base, bool(running) and base is not None and all(version == base for _, version in running)


def working_days_apart(first, second):
    """Business days (England and Wales) from the earlier to the later London date, 0 on the same day."""
    first, second = sorted((to_london(first).date(), to_london(second).date()))
    days, day = 0, first
    while day < second:
        day += timedelta(days=1)
        days += is_business_day(day)
    return days


# RCM §7.4: a fix reaches SIT-A and SIT-B on the same working day; more than this many apart is warned.
SIT_PAIR_DAYS = 1
LIVE = (RfcStatus.SUBMITTED, RfcStatus.APPROVED, RfcStatus.DEPLOYED, RfcStatus.FIXED_FORWARD)


def sit_pair_warnings(rfcs):
    """RCM §7.4: {rfc id: warning} for each RFC that deploys a system present in SIT-A and SIT-B to one of them,
    whose partner RFC (the same system's live RFC for the other) is more than a working day away. One query for
    all the rows, reading two rows per RFC."""
    pair = {}
    for rfc in rfcs:
        if rfc.system is None or rfc.window_start is None:
            continue
        present = {e.name for e in rfc.system.environments} & set(PAIRED)
        targeted = {e.name for e in rfc.environments} & set(PAIRED)
        if len(present) == 2 and len(targeted) == 1:
            pair[rfc.id] = (rfc, (present - targeted).pop())
    if not pair:
        return {}
    warnings = {}
    for rfc_id, (nearest, start) in _nearest_partners(pair).items():
        rfc, other = pair[rfc_id]
        apart = working_days_apart(rfc.window_start, start)
        if apart > SIT_PAIR_DAYS:
            later = "later" if start > rfc.window_start else "earlier"
            warnings[rfc_id] = (f"{other} gets {nearest} {apart} working days {later}: RCM §7.4 asks for "
                                "the same working day")
    return warnings


def _nearest_partners(pair):
    """{rfc id: (version, window start)} of the partner whose window is nearest each RFC's: the nearest before and
    the nearest after are read for each (through the index on system and window start), the nearer kept."""
    params = {}
    for index, (rfc_id, (rfc, other)) in enumerate(pair.items()):
        params |= {f"rfc{index}": rfc_id, f"system{index}": rfc.system_id, f"at{index}": rfc.window_start,
                   f"other{index}": other}
    rows = db.session.execute(_partners_statement(len(pair)), params)
    nearest = {}
    for rfc_id, version, start in rows:
        distance = abs(start - pair[rfc_id][0].window_start)
        if rfc_id not in nearest or distance < nearest[rfc_id][0]:
            nearest[rfc_id] = (distance, version, start)
    return {rfc_id: (version, start) for rfc_id, (_, version, start) in nearest.items()}


@lru_cache(maxsize=32)
def _partners_statement(count):
    """The statement reading, for each of `count` RFCs (bound as rfc{i}, system{i}, at{i}: its window start, and
    other{i}: the partner environment's name), the partner's nearest window before and after: built once per number
    of RFCs and reused with new values."""
    parts = []
    for index in range(count):
        at = bindparam(f"at{index}")
        rfc_id = bindparam(f"rfc{index}", type_=Integer)
        theirs = (select(rfc_id.label("rfc_id"), Rfc.version, Rfc.window_start)
                  .join(Rfc.environments)
                  .where(Rfc.system_id == bindparam(f"system{index}"), Rfc.status.in_(LIVE),
                         Environment.name == bindparam(f"other{index}"), Rfc.id != rfc_id,
                         Rfc.window_start.is_not(None)))
        before = theirs.where(Rfc.window_start <= at).order_by(Rfc.window_start.desc()).limit(1)
        after = theirs.where(Rfc.window_start > at).order_by(Rfc.window_start).limit(1)
        parts += [select(before.subquery()), select(after.subquery())]
    return union_all(*parts)
