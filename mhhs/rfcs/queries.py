"""Read-side queries for RFC lists, the approval queue and the environments page."""
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import DateTime, and_, exists, func, literal, or_, select
from sqlalchemy.orm import joinedload

from ..core.pagination import SortColumn
from ..core.time import utcnow
from ..core.viewer import viewer_of
from ..extensions import db
from .models import Deployment, PendingApproval, Rfc, rfc_environments
from .permissions import visible_clause
from .rules import earliest_start
from .states import OUTCOMES, PUBLIC_STATUSES, Outcome, RfcStatus

# A draft without a window sorts as the earliest (keyset pages need a value in every row).
NO_WINDOW = datetime(1900, 1, 1)
_WINDOW = func.coalesce(Rfc.window_start, literal(NO_WINDOW, DateTime))
# The RFC list's sortable columns: newest first by default.
RFC_SORTS = {
    "number": SortColumn([Rfc.id], descending=True),
    "status": SortColumn([Rfc.status, Rfc.id]),
    "version": SortColumn([Rfc.version, Rfc.id]),
    "title": SortColumn([Rfc.title, Rfc.id]),
    "window": SortColumn([_WINDOW, Rfc.id], descending=True,
                         key_of=lambda rfc: (rfc.window_start or NO_WINDOW, rfc.id)),
}


# What a Release Manager still has to follow up once a window is over (RCM §5.1, §5.2), each as the RFC list's
# `follow_up` filter and a card of the manager's home page: (words, condition given now, the list's order).
FOLLOW_UPS = {
    "outcome-due": ("Window passed, no outcome recorded",
                    lambda now: and_(Rfc.status == RfcStatus.APPROVED, Rfc.window_end < now), "window"),
    "closure-due": ("Outcome recorded, awaiting closure", lambda now: Rfc.status.in_(OUTCOMES), "window"),
}


def queue_sorts(order):
    """The approval queue's sortable columns: by default emergencies first, then the earliest window (order, from
    queue_query, whose rows carry their values); or by number, the oldest raised first."""
    return {
        "window": SortColumn(order, key_of=lambda row: (row.priority, row.window_start, row.rfc_id)),
        "number": SortColumn([Rfc.id]),
    }


AHEAD = timedelta(days=7)  # "deployments in the next 7 days"
RECENT = timedelta(days=14)  # "release notes deployed in the last 14 days"
UPCOMING = (RfcStatus.SUBMITTED, RfcStatus.CHANGES_REQUESTED, RfcStatus.APPROVED)  # on the schedule


def _next_week(user, now):
    return (Rfc.status == RfcStatus.APPROVED, Rfc.window_end > now, Rfc.window_start < now + AHEAD)


TO_DO = (RfcStatus.DRAFT, RfcStatus.CHANGES_REQUESTED)  # an organisation's RFCs still its own to work on


def _to_do(user, now):
    return (Rfc.organisation_id == user.organisation_id, Rfc.status.in_(TO_DO))


def _upcoming(user, now):
    return (Rfc.organisation_id == user.organisation_id, Rfc.status.in_(UPCOMING), Rfc.window_end > now)


def _deployed_recently(user, now):
    return (Rfc.status.in_(PUBLIC_STATUSES),
            exists().where(Deployment.rfc_id == Rfc.id, Deployment.actual_end >= now - RECENT,
                           Deployment.outcome != Outcome.ROLLED_BACK))


# The home page's cards of RFCs, each the same conditions on the card and on the list its "All …" link opens
# (`/rfcs?set=<name>`): {name: (what the list is, conditions(user, now))}.
WORK_SETS = {
    "next-7-days": ("Approved, with a window in the next 7 days", _next_week),
    "to-do": ("Your drafts and RFCs with changes requested", _to_do),
    "upcoming": ("Your RFCs with a window still to come (submitted, changes requested or approved)", _upcoming),
    "deployed-recently": ("Deployed (and not rolled back) in one environment or more in the last 14 days",
                          _deployed_recently),
}


# What a page of the RFC list shows of each row besides its columns (core.loading.load_collections): its
# environments, and its deployments for the status badge's mixed outcome.
LISTED = {"environments": (), "deployments": ()}
# And what rendering a row of the approval queue reads of its RFC, only when the row is rendered again
# (rfcs.views.approval._rows; whether its kept copy holds is read as columns): its decisions, control points,
# environments, revisions and consultations with their organisations; QUEUED_SYSTEMS, of each row's system (the SIT
# pair's check).
QUEUED_TO_RENDER = {"approvals": (), "control_points": (), "environments": (), "revisions": (),
                    "consultations": ("organisation",)}
QUEUED_SYSTEMS = {"environments": ()}
# And what an RFC's page shows of it (each region reads one): one statement a collection, the people and
# environments its rows name joined in, instead of a lazy load per collection and per person; SHOWN_DEFECTS, of
# each of its defects.
SHOWN = {"environments": (), "defects": ("found_in",), "change_requests": (), "approvals": ("by",),
         "revisions": ("submitted_by",), "control_points": ("by",), "deployments": ("environment", "by"),
         "consultations": ("organisation", "shared_by", "responded_by")}
SHOWN_DEFECTS = {"retests": ("by",)}


@lru_cache(maxsize=32)  # a few roles × organisations
def _listed(viewer):
    """The RFCs this viewer may see with their organisations and systems, newest first: built once per viewer (the
    list and the API start from it), the filters added to it."""
    return (select(Rfc).where(visible_clause(viewer)).options(joinedload(Rfc.organisation), joinedload(Rfc.system))
            .order_by(Rfc.id.desc()))


def rfc_list_query(user, status=None, system_id=None, release_type=None, environment_id=None, text=None,
                   follow_up=None, work_set=None, now=None):
    query = _listed(viewer_of(user))
    if work_set:
        query = query.where(*WORK_SETS[work_set][1](user, now))
    if status:
        query = query.where(Rfc.status == status)
    if follow_up in FOLLOW_UPS:
        query = query.where(FOLLOW_UPS[follow_up][1](utcnow()))
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
    their index); emergencies first, then by window start. Returns (a select of the rows' id and row version with
    their sort values: columns, no RFC loaded (rfcs.views.approval reads one only to render its row again), its sort
    columns, a select of the same rows to count: without a filter, the pending rows alone, whose index counts them
    without reading each RFC)."""
    query, order, counted = _queued(frozenset(user.phases))
    if release_type or environment_id or organisation_id or text:
        counted = None
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
    return query, order, counted


@lru_cache(maxsize=8)  # a set of phases each
def _queued(phases):
    """The queue's select, sort columns and count for a manager of these phases, without a filter: built once."""
    query, order = waiting_query(phases)
    return query.with_only_columns(Rfc.id, Rfc.row_version, *order).order_by(*order), order, select(*order)


def in_order(ids, *options):
    """The RFCs of these ids, in this order, read with these loader options (a kept row or card rendered again)."""
    found = {rfc.id: rfc for rfc in db.session.scalars(select(Rfc).where(Rfc.id.in_(ids)).options(*options))}
    return [found[rfc_id] for rfc_id in ids]


def waiting_query(phases):
    """The RFCs waiting for one of a manager's phases, unordered and without loader options (the queue above; the
    home page's card reads the first few as it needs them). Returns (the select, its sort columns)."""
    phases = sorted(phases)
    if len(phases) == 1:
        waiting = select(PendingApproval.rfc_id, PendingApproval.priority, PendingApproval.window_start) \
            .where(PendingApproval.phase == phases[0]).subquery()
    else:  # a manager of both phases sees an RFC once, however many of its phases wait
        waiting = select(PendingApproval.rfc_id, func.min(PendingApproval.priority).label("priority"),
                         func.min(PendingApproval.window_start).label("window_start")) \
            .where(PendingApproval.phase.in_(phases)).group_by(PendingApproval.rfc_id).subquery()
    order = [waiting.c.priority, waiting.c.window_start, waiting.c.rfc_id]
    return select(Rfc).join(waiting, waiting.c.rfc_id == Rfc.id), order


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
