"""The home page each role lands on after logging in: a work list of what concerns them, each block linking to the
full list (EAP §12.1.1, RCM §12.11)."""
from datetime import timedelta

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .certificates.models import Certificate, Status
from .certificates.services import dashboard_query
from .core.pagination import paginate
from .core.permissions import Role, login_required
from .core.time import to_london, utcnow
from .extensions import db
from .outages.downtime import MICROSECOND, overlapping
from .outages.models import Outage
from .outages.services import board as outage_board
from .release_notes import acknowledgements
from .baseline import services as baseline
from .rfcs import queries, services
from .rfcs.states import PUBLIC_STATUSES, SCHEDULED, Outcome, RfcStatus
from .rfcs.models import Deployment, Rfc, priority_of
from .rfcs.clashes import clashes

bp = Blueprint("home", __name__)
ROWS = 5  # each block's first rows; its link leads to the whole list
AHEAD = timedelta(days=7)  # "deployments in the next 7 days"
RECENT = timedelta(days=14)  # "release notes deployed in the last 14 days"
RECENT_LIMIT = 200  # the newest deployments read for that block, however busy the fortnight


@bp.route("/")
@login_required
def index():
    now = utcnow()
    work = {Role.RELEASE_MANAGER: _manager, Role.CENTRAL_PARTY: _central_party,
            Role.TEST_PARTICIPANT: _participant}[current_user.role](current_user, now)
    return render_template("home/index.html", now=now, actions=services.open_work_off_actions(current_user),
                           today=to_london(now).date(), **work)


def _block(query, order, key_of=None, descending=False):
    return paginate(query, order, descending=descending, per_page=ROWS, key_of=key_of)


def _expiring(user, now):
    """The user's (or, for a manager, everyone's) certificates expiring within 30 days."""
    return _block(dashboard_query(user, now, status=Status.WITHIN_30.value), [Certificate.valid_to, Certificate.id],
                  key_of=lambda row: (row[0].valid_to, row[0].id))


def _ongoing(now, organisation_id=None):
    query = select(Outage).where(overlapping(now, now + MICROSECOND)) \
        .options(joinedload(Outage.environment), selectinload(Outage.systems))
    if organisation_id:
        query = query.where(Outage.organisation_id == organisation_id)
    return db.session.scalars(query.order_by(Outage.start)).all()


def _upcoming_windows(query, now, until=None):
    query = query.where(Rfc.status.in_(SCHEDULED), Rfc.window_end > now) \
        .options(joinedload(Rfc.system), selectinload(Rfc.environments))
    if until:
        query = query.where(Rfc.window_start < until)
    return _block(query, [Rfc.window_start, Rfc.id])


def _manager(user, now):
    waiting_query, order = queries.queue_query(user)
    waiting = _block(waiting_query, order, key_of=lambda rfc: (priority_of(rfc), rfc.window_start, rfc.id))
    deployments = _upcoming_windows(select(Rfc).where(Rfc.status == RfcStatus.APPROVED), now, now + AHEAD)
    emergencies = services.outstanding_emergency_fixes(now=now)
    follow_ups = {}
    for key, (words, condition, order) in queries.FOLLOW_UPS.items():
        query = select(Rfc).where(condition(now)).options(
            joinedload(Rfc.system), selectinload(Rfc.environments), selectinload(Rfc.deployments))
        follow_ups[key] = (words, _block(query, queries.RFC_SORTS[order].order,
                                         key_of=queries.RFC_SORTS[order].key_of))
    return dict(blocks="manager", waiting=waiting, deployments=deployments, follow_ups=follow_ups,
                clashes=clashes(waiting.items + deployments.items, user, now), ongoing=_ongoing(now),
                expiring=_expiring(user, now), drift=baseline.drifting(), emergencies=emergencies)


def _central_party(user, now):
    own = select(Rfc).where(Rfc.organisation_id == user.organisation_id)
    to_do = _block(own.where(Rfc.status.in_((RfcStatus.DRAFT, RfcStatus.CHANGES_REQUESTED)))
                   .options(joinedload(Rfc.system)), [Rfc.updated_at, Rfc.id], descending=True)
    upcoming = _upcoming_windows(own, now)
    return dict(blocks="central_party", to_do=to_do, upcoming=upcoming, clashes=clashes(upcoming.items, user, now),
                ongoing=_ongoing(now, user.organisation_id), expiring=_expiring(user, now))


def _participant(user, now):
    """Release notes deployed in the last 14 days, per environment, those waiting for the user's reading first."""
    recent = db.session.execute(
        select(Deployment, Rfc).join(Rfc, Rfc.id == Deployment.rfc_id)
        .where(Deployment.actual_end >= now - RECENT, Deployment.outcome != Outcome.ROLLED_BACK,
               Rfc.status.in_(PUBLIC_STATUSES))
        .options(joinedload(Deployment.environment), joinedload(Rfc.system), selectinload(Rfc.deployments))
        .order_by(Deployment.actual_end.desc()).limit(RECENT_LIMIT)).all()
    states = acknowledgements.states(user, {rfc for _, rfc in recent})
    notes = {}
    for deployment, rfc in recent:
        notes.setdefault(deployment.environment, []).append((deployment, rfc, states[rfc.id]))
    for rows in notes.values():  # waiting for this user's reading first, then the newest
        rows.sort(key=lambda row: row[2] in ("current", "not sent"))
    board = outage_board(now)
    return dict(blocks="participant", notes=sorted(notes.items(), key=lambda item: item[0].position),
                planned=[(environment, upcoming) for environment, _, _, upcoming in board if upcoming],
                expiring=_expiring(user, now))
