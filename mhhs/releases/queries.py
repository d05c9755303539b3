"""Read-side queries for RFC lists, the approval queue and the environments page."""
from datetime import timedelta

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..directory.models import System
from ..extensions import db
from .models import PUBLIC_STATUSES, Deployment, DeployedVersion, PendingApproval, Rfc, RfcStatus, rfc_environments
from .rules import earliest_start
from .services import visible_clause


AHEAD = timedelta(days=7)  # "deployments in the next 7 days"
RECENT = timedelta(days=14)  # "release notes deployed in the last 14 days"
UPCOMING = (RfcStatus.SUBMITTED, RfcStatus.CHANGES_REQUESTED, RfcStatus.APPROVED)  # on the schedule


def _next_week(user, now):
    return (Rfc.status == RfcStatus.APPROVED, Rfc.window_end > now, Rfc.window_start < now + AHEAD)


def _to_do(user, now):
    return (Rfc.organisation_id == user.organisation_id,
            Rfc.status.in_((RfcStatus.DRAFT, RfcStatus.CHANGES_REQUESTED)))


def _upcoming(user, now):
    return (Rfc.organisation_id == user.organisation_id, Rfc.status.in_(UPCOMING), Rfc.window_end > now)


def _deployed_recently(user, now):
    return (Rfc.status.in_(PUBLIC_STATUSES),
            exists().where(Deployment.rfc_id == Rfc.id, Deployment.actual_end >= now - RECENT,
                           Deployment.outcome != RfcStatus.ROLLED_BACK))


# The home page's cards of RFCs, each the same conditions on the card and on the list its "All …" link opens
# (`/rfcs?set=<name>`): {name: (what the list is, conditions(user, now))}.
WORK_SETS = {
    "next-7-days": ("Approved, with a window in the next 7 days", _next_week),
    "to-do": ("Your drafts and RFCs with changes requested", _to_do),
    "upcoming": ("Your RFCs with a window still to come (submitted, changes requested or approved)", _upcoming),
    "deployed-recently": ("Deployed (and not rolled back) in one environment or more in the last 14 days",
                          _deployed_recently),
}


def rfc_list_query(user, status=None, system_id=None, release_type=None, environment_id=None, text=None,
                   work_set=None, now=None):
    query = (select(Rfc).where(visible_clause(user))
             .options(joinedload(Rfc.organisation), joinedload(Rfc.system), selectinload(Rfc.environments))
             .order_by(Rfc.id.desc()))
    if work_set:
        query = query.where(*WORK_SETS[work_set][1](user, now))
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
                      selectinload(Rfc.environments), selectinload(Rfc.approvals), selectinload(Rfc.control_points),
                      selectinload(Rfc.revisions))
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


def deployed_versions():
    """{(environment id, system id): version}"""
    return {(d.environment_id, d.system_id): d.version for d in db.session.scalars(select(DeployedVersion))}


def outside_availability(rfc):
    """Target environments whose availability dates do not cover the window: a warning, never a refusal."""
    if not rfc.window_start:
        return []
    days = {rfc.window_start.date(), (rfc.window_end or rfc.window_start).date()}
    return [e for e in rfc.environments if not all(e.is_available_on(day) for day in days)]
