"""Read-side queries for RFC lists, the approval queue, clashes and the environments page."""
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..directory.models import Phase
from ..directory.models import Environment, System
from ..extensions import db
from .models import PUBLIC_STATUSES, Approval, Decision, DeployedVersion, ReleaseType, Rfc, RfcStatus, rfc_environments
from .rules import earliest_start
from .services import visible_clause


def rfc_list_query(user, status=None, system_id=None, release_type=None, environment_id=None, text=None):
    query = (select(Rfc).where(visible_clause(user))
             .options(joinedload(Rfc.organisation), joinedload(Rfc.system), selectinload(Rfc.environments))
             .order_by(Rfc.id.desc()))
    if status:
        query = query.where(Rfc.status == status)
    if system_id:
        query = query.where(Rfc.system_id == system_id)
    if release_type:
        query = query.where(Rfc.release_type == release_type)
    if environment_id:
        query = query.where(Rfc.id.in_(select(rfc_environments.c.rfc_id)
                                       .where(rfc_environments.c.environment_id == environment_id)))
    if text:
        like = f"%{text}%"
        query = query.where(or_(Rfc.title.ilike(like), Rfc.version.ilike(like), Rfc.reason.ilike(like)))
    return query


def queue_query(user, release_type=None, environment_id=None, organisation_id=None, text=None):
    """Submitted RFCs touching the manager's phases that their phase has not yet approved;
    emergencies first, then by window start."""
    phases = [p for p in Phase if p in user.phases]
    in_phase = select(rfc_environments.c.rfc_id).join(Environment).where(Environment.phase.in_(phases))
    approved_here = select(Approval.rfc_id).where(Approval.rfc_id == Rfc.id, Approval.revision == Rfc.revision,
                                                  Approval.decision == Decision.APPROVED,
                                                  Approval.phase.in_(phases))
    # An RFC whose every in-scope phase has approved drops out; one with a phase still open stays.
    query = (select(Rfc).where(Rfc.status == RfcStatus.SUBMITTED, Rfc.id.in_(in_phase))
             .options(joinedload(Rfc.organisation), joinedload(Rfc.system).selectinload(System.environments),
                      selectinload(Rfc.environments), selectinload(Rfc.approvals), selectinload(Rfc.control_points))
             .order_by((Rfc.release_type == ReleaseType.EMERGENCY).desc(), Rfc.window_start, Rfc.id))
    if len(phases) == 1:
        query = query.where(~approved_here.exists())
    if release_type:
        query = query.where(Rfc.release_type == release_type)
    if environment_id:
        query = query.where(Rfc.id.in_(select(rfc_environments.c.rfc_id)
                                       .where(rfc_environments.c.environment_id == environment_id)))
    if organisation_id:
        query = query.where(Rfc.organisation_id == organisation_id)
    if text:
        like = f"%{text}%"
        query = query.where(or_(Rfc.title.ilike(like), Rfc.version.ilike(like)))
    return query


def clashes(rfcs):
    """{rfc id: [approved RFCs in a shared environment with an overlapping window]} in one query."""
    rfcs = [r for r in rfcs if r.window_start and r.window_end]
    if not rfcs:
        return {}
    env_ids = {e.id for r in rfcs for e in r.environments}
    approved = db.session.scalars(
        select(Rfc).where(Rfc.status == RfcStatus.APPROVED, Rfc.window_start < max(r.window_end for r in rfcs),
                          Rfc.window_end > min(r.window_start for r in rfcs),
                          Rfc.id.in_(select(rfc_environments.c.rfc_id)
                                     .where(rfc_environments.c.environment_id.in_(env_ids))))
        .options(selectinload(Rfc.environments), joinedload(Rfc.system))).all()
    result = {}
    for rfc in rfcs:
        mine = {e.id for e in rfc.environments}
        result[rfc.id] = [other for other in approved if other.id != rfc.id
                          and mine & {e.id for e in other.environments}
                          and other.window_start < rfc.window_end and other.window_end > rfc.window_start]
    return result


def notice_given(rfc):
    """Whether the window started late enough after submission for the release type's notice."""
    if not (rfc.submitted_at and rfc.window_start and rfc.release_type):
        return True
    return rfc.window_start >= earliest_start(rfc.release_type, rfc.submitted_at)


def deployed_versions():
    """{(environment id, system id): version}"""
    return {(d.environment_id, d.system_id): d.version for d in db.session.scalars(select(DeployedVersion))}


def systems_with_emergencies():
    return set(db.session.scalars(select(Rfc.system_id).where(
        Rfc.release_type == ReleaseType.EMERGENCY, Rfc.status.in_(PUBLIC_STATUSES)).distinct()))


def outside_availability(rfc):
    """Target environments whose availability dates do not cover the window: a warning, never a refusal."""
    if not rfc.window_start:
        return []
    days = {rfc.window_start.date(), (rfc.window_end or rfc.window_start).date()}
    return [e for e in rfc.environments if not all(e.is_available_on(day) for day in days)]
