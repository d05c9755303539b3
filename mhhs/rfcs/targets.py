"""What an RFC meets in the configuration baseline (RCM §7.4, §12.7 CP3): the version it builds on, whether its
target environments run it, SIT-A/SIT-B drift it would cause, and the approved RFC that will change each cell."""
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..baseline.services import PAIRED, current_cells
from ..baseline.versions import parse
from ..core.time import is_business_day, to_london
from ..directory.models import Environment
from ..extensions import db
from .models import Rfc
from .states import RfcStatus, stands


def next_in_cells(system_ids):
    """{(environment id, system id): the approved RFC that will change the cell next} for these systems."""
    approved = db.session.scalars(
        select(Rfc).where(Rfc.status == RfcStatus.APPROVED, Rfc.system_id.in_(system_ids))
        .options(selectinload(Rfc.environments), selectinload(Rfc.deployments)).order_by(Rfc.window_start)).all()
    pending = {}
    for rfc in approved:
        done = {d.environment_id for d in rfc.deployments}
        for environment in rfc.environments:
            if environment.id not in done:
                pending.setdefault((environment.id, rfc.system_id), rfc)
    return pending


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


def builds_on(rfc, cells):
    """The version the RFC builds on: the highest version of its system below its own, running or approved."""
    own = parse(rfc.version)
    if own is None:
        return None
    known = [c.version for (_, system_id), c in cells.items() if system_id == rfc.system_id]
    known += [version for version, status, outcome in db.session.execute(
        select(Rfc.version, Rfc.status, Rfc.outcome).where(Rfc.system_id == rfc.system_id, Rfc.id != rfc.id))
        if stands(status, outcome)]
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
    all the rows."""
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
    partners = db.session.execute(
        select(Rfc.id, Rfc.system_id, Rfc.version,
               Rfc.window_start, Environment.name)
        .join(Rfc.environments).where(Rfc.system_id.in_({r.system_id for r, _ in pair.values()}),
                                      Rfc.status.in_(LIVE), Environment.name.in_(PAIRED),
                                      Rfc.window_start.is_not(None))).all()
    warnings = {}
    for rfc_id, (rfc, other) in pair.items():
        theirs = [p for p in partners if p.system_id == rfc.system_id and p.name == other and p.id != rfc_id]
        if not theirs:
            continue
        nearest = min(theirs, key=lambda p: abs(p.window_start - rfc.window_start))
        apart = working_days_apart(rfc.window_start, nearest.window_start)
        if apart > SIT_PAIR_DAYS:
            later = "later" if nearest.window_start > rfc.window_start else "earlier"
            warnings[rfc_id] = (f"{other} gets {nearest.version} {apart} working days {later}: RCM §7.4 asks for "
                                "the same working day")
    return warnings
