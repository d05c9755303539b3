"""Emergency follow-up (RCM §12.8): emergency fixes every later regular release must carry, or say why not."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from ...baseline.versions import parse
from ...extensions import db
from ..models import Defect, Rfc
from ..states import PUBLIC_STATUSES, ReleaseType, RfcStatus

# The emergency releases whose carry-over is followed (home page, environments, the weekly report, the RFC form):
# every one not yet carried, whatever its age (RCM §12.8 NB), the newest CARRY_OVER_LIMIT at most.
CARRY_OVER_LIMIT = 200
COUNTED = (RfcStatus.DRAFT, RfcStatus.REJECTED, RfcStatus.WITHDRAWN)  # statuses of a regular RFC that carries nothing


def outstanding_emergency_fixes(system_id=None, now=None):
    """[(emergency RFC, [defect IDs])], newest first, of the emergency releases (of one system, or all) whose fixes no
    later regular release lists yet, nor says why not (Rfc.not_carried_reason)."""
    waiver = aliased(Rfc)
    # The latest regular release of each system that says why it does not carry them (few: read once, not per RFC).
    latest_waiver = (select(waiver.system_id, func.max(waiver.submitted_at).label("at"))
                     .where(waiver.release_type != ReleaseType.EMERGENCY, waiver.status.not_in(COUNTED),
                            waiver.not_carried_reason != "").group_by(waiver.system_id).subquery())
    query = (select(Rfc).outerjoin(latest_waiver, latest_waiver.c.system_id == Rfc.system_id)
             .where(Rfc.release_type == ReleaseType.EMERGENCY, Rfc.status.in_(PUBLIC_STATUSES),
                    or_(latest_waiver.c.at.is_(None), Rfc.submitted_at.is_(None),
                        Rfc.submitted_at >= latest_waiver.c.at)))
    if system_id is not None:
        query = query.where(Rfc.system_id == system_id)
    return carry_overs(db.session.scalars(
        query.options(joinedload(Rfc.system), selectinload(Rfc.defects))
        .order_by(Rfc.window_start.desc(), Rfc.id.desc()).limit(CARRY_OVER_LIMIT)).all())


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
    lists yet (RCM §12.8): the highest regular version listing each of their defect IDs, read for those IDs only."""
    defect_ids = {d.defect_id for e in emergencies for d in e.defects}
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
    for emergency in emergencies:
        mine = parse(emergency.version) or ()
        missing = [d.defect_id for d in emergency.defects if highest.get((emergency.system_id, d.defect_id),
                                                                         ()) <= mine]
        if missing:
            found.append((emergency, missing))
    return found
