"""Emergency follow-up (RCM §12.8): emergency fixes every later regular release must carry, or say why not."""

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from ...baseline.versions import parse
from ...core.changes import UNKNOWN, cached, changed
from ...extensions import db
from ..models import Defect, Rfc, rfc_number
from ..states import PUBLIC_STATUSES, ReleaseType, RfcStatus

# The emergency releases whose carry-over is followed (home page, environments, the weekly report, the RFC form):
# every one not yet carried, whatever its age (RCM §12.8 NB), the newest CARRY_OVER_LIMIT at most.
CARRY_OVER_LIMIT = 200
COUNTED = (RfcStatus.DRAFT, RfcStatus.REJECTED, RfcStatus.WITHDRAWN)  # statuses of a regular RFC that carries nothing
CARRY_OVERS = "carry-overs"  # what the carry-overs rest on (core/changes.py): RFCs as moves_carry_overs says, defects


def _outstanding(*columns, system_id=None):
    """The emergency releases (of one system, or all) no later regular release says why it does not carry, newest
    first, the newest CARRY_OVER_LIMIT: a select of `columns` (or of the RFCs)."""
    waiver = aliased(Rfc)
    # The latest regular release of each system that says why it does not carry them (few: read once, not per RFC).
    latest_waiver = (select(waiver.system_id, func.max(waiver.submitted_at).label("at"))
                     .where(waiver.release_type != ReleaseType.EMERGENCY, waiver.status.not_in(COUNTED),
                            waiver.not_carried_reason != "").group_by(waiver.system_id).subquery())
    query = (select(*columns or (Rfc,)).outerjoin(latest_waiver, latest_waiver.c.system_id == Rfc.system_id)
             .where(Rfc.release_type == ReleaseType.EMERGENCY, Rfc.status.in_(PUBLIC_STATUSES),
                    or_(latest_waiver.c.at.is_(None), Rfc.submitted_at.is_(None),
                        Rfc.submitted_at >= latest_waiver.c.at)))
    if system_id is not None:
        query = query.where(Rfc.system_id == system_id)
    return query.order_by(Rfc.window_start.desc(), Rfc.id.desc()).limit(CARRY_OVER_LIMIT)


def outstanding_emergency_fixes(system_id=None, now=None):
    """[(emergency RFC, [defect IDs])], newest first, of the emergency releases (of one system, or all) whose fixes no
    later regular release lists yet, nor says why not (Rfc.not_carried_reason)."""
    return carry_overs(db.session.scalars(
        _outstanding(system_id=system_id).options(joinedload(Rfc.system), selectinload(Rfc.defects))).all())


def outstanding_fixes_of(rfc):
    """[(rfc, [defect IDs still owed])] when this emergency RFC's fixes are still to be carried, [] otherwise: its
    page's question, read for it alone (not every outstanding emergency of its system)."""
    if rfc.release_type != ReleaseType.EMERGENCY or rfc.system_id is None:
        return []
    if db.session.scalar(_outstanding(Rfc.id, system_id=rfc.system_id).where(Rfc.id == rfc.id)) is None:
        return []
    return carry_overs([rfc])


def moves_carry_overs(rfc):
    """Whether this change to an RFC can add or end a carry-over (so that an approval of a regular release, the
    commonest write, moves no counter): its type, system, version, window, submission or reason changed, or its
    status crossed what counts (an emergency's: public; a regular release's: not a draft, rejected or withdrawn)."""
    if any(changed(rfc, name)[0] for name in ("release_type", "system_id", "version", "window_start", "submitted_at",
                                              "not_carried_reason")):
        return True
    moved, old, new = changed(rfc, "status")
    counts = PUBLIC_STATUSES if rfc.release_type == ReleaseType.EMERGENCY else COUNTED
    return moved and (old is UNKNOWN or (old in counts) != (new in counts))


@dataclass(frozen=True)
class CarryOver:
    """An emergency release whose fixes are still to be carried, as columns (a card's row)."""
    id: int
    system_id: int
    version: str

    @property
    def number(self):
        return rfc_number(self.id)


def outstanding_emergency_rows():
    """outstanding_emergency_fixes(), read as columns: [(CarryOver, [defect IDs])] (the home page's card, the
    environments page), read once per process and again when an RFC or defect they rest on has changed."""
    return cached(_outstanding_rows, CARRY_OVERS)


def _outstanding_rows():
    emergencies = _outstanding(Rfc.id, Rfc.system_id, Rfc.version, Rfc.window_start).subquery()
    rows = db.session.execute(
        select(emergencies.c.id, emergencies.c.system_id, emergencies.c.version, Defect.defect_id)
        .outerjoin(Defect, Defect.rfc_id == emergencies.c.id)
        .order_by(emergencies.c.window_start.desc(), emergencies.c.id.desc(), Defect.position)).all()
    found = {}
    for rfc_id, system_id, version, defect_id in rows:
        _, defect_ids = found.setdefault(rfc_id, (CarryOver(rfc_id, system_id, version), []))
        if defect_id is not None:
            defect_ids.append(defect_id)
    return _still_owed(list(found.values()))


def owed_by(rfc):
    """RCM §12.8 NB: [(emergency RFC, [defect IDs])] a regular RFC must carry (or say why not): the fixes of its
    system's earlier emergency releases that it does not list and no later regular release lists yet."""
    mine = parse(rfc.version)
    if rfc.release_type in (None, ReleaseType.EMERGENCY) or rfc.system_id is None or mine is None:
        return []
    listed = {d.defect_id for d in rfc.defects}
    owed = []
    for emergency, defect_ids in outstanding_emergency_fixes(rfc.system_id):
        missing = [d for d in defect_ids if d not in listed]
        if emergency.id != rfc.id and (parse(emergency.version) or ()) < mine and missing:
            owed.append((emergency, missing))
    return owed


def not_carried_text(owed):
    return "; ".join(f"{e.number} ({e.version}) fixed {', '.join(ids)}" for e, ids in owed)


def carry_overs(emergencies):
    """[(emergency RFC, [defect IDs])] of these emergency RFCs whose fixes no later regular release of their system
    lists yet (RCM §12.8)."""
    return _still_owed([(e, [d.defect_id for d in e.defects]) for e in emergencies])


def _still_owed(emergencies):
    """[(emergency, [defect IDs still owed])] of [(emergency, [its defect IDs])] (each emergency with a system_id and a
    version): the highest regular version listing each of their defect IDs, read for those IDs only."""
    defect_ids = {d for _, ids in emergencies for d in ids}
    highest = {}
    for system_id, version, defect_id in db.session.execute(
            select(Rfc.system_id, Rfc.version, Defect.defect_id).join(Defect, Defect.rfc_id == Rfc.id)
            .where(Defect.defect_id.in_(defect_ids), Rfc.release_type != ReleaseType.EMERGENCY,
                   Rfc.status.not_in(COUNTED))) \
            if defect_ids else []:
        parsed = parse(version)
        if parsed and parsed > highest.get((system_id, defect_id), ()):
            highest[(system_id, defect_id)] = parsed
    found = []
    for emergency, ids in emergencies:
        mine = parse(emergency.version) or ()
        missing = [d for d in ids if highest.get((emergency.system_id, d), ()) <= mine]
        if missing:
            found.append((emergency, missing))
    return found
