"""Read-side queries for RFC lists, the approval queue and the environments page."""
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..directory.models import System
from .models import PendingApproval, Rfc, rfc_environments
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
    """Submitted RFCs whose revision waits for one of the manager's phases (the pending-approval rows, read through
    their index); emergencies first, then by window start. Returns (the select, its sort columns)."""
    phases = sorted(user.phases)
    if len(phases) == 1:
        waiting = select(PendingApproval.rfc_id, PendingApproval.priority, PendingApproval.window_start) \
            .where(PendingApproval.phase == phases[0]).subquery()
    else:  # a manager of both phases sees an RFC once, however many of its phases wait
        waiting = select(PendingApproval.rfc_id, func.min(PendingApproval.priority).label("priority"),
                         func.min(PendingApproval.window_start).label("window_start")) \
            .where(PendingApproval.phase.in_(phases)).group_by(PendingApproval.rfc_id).subquery()
    order = [waiting.c.priority, waiting.c.window_start, waiting.c.rfc_id]
    query = (select(Rfc).join(waiting, waiting.c.rfc_id == Rfc.id)
             .options(joinedload(Rfc.organisation), joinedload(Rfc.system).selectinload(System.environments),
                      selectinload(Rfc.environments), selectinload(Rfc.approvals), selectinload(Rfc.control_points))
             .order_by(*order))
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
    return query, order


def notice_given(rfc):
    """Whether the window started late enough after submission for the release type's notice."""
    if not (rfc.submitted_at and rfc.window_start and rfc.release_type):
        return True
    return rfc.window_start >= earliest_start(rfc.release_type, rfc.submitted_at)


def outside_availability(rfc):
    """Target environments whose availability dates do not cover the window: a warning, never a refusal."""
    if not rfc.window_start:
        return []
    days = {rfc.window_start.date(), (rfc.window_end or rfc.window_start).date()}
    return [e for e in rfc.environments if not all(e.is_available_on(day) for day in days)]
