"""What an RFC meets in the configuration baseline (RCM §7.4, §12.7 CP3): the version it builds on, whether its
target environments run it, SIT-A/SIT-B drift it would cause, and the approved RFC that will change each cell."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..baseline.services import PAIRED, current_cells
from ..baseline.versions import parse
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
