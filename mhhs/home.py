"""The home page each role lands on after logging in: a work list of what concerns them, each block linking to the
full list (EAP §12.1.1, RCM §12.11)."""
from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .allocation.services import my_slots, requests_to_decide
from .baseline import services as baseline
from .certificates.models import Certificate, Status
from .certificates.services import contact_gaps, coverage_gaps, dashboard_query, environments_tested_in
from .core.pagination import paginate
from .core.permissions import Role, login_required
from .core.time import to_london, utcnow
from .extensions import db
from .outages.models import Outage
from .outages.services import board as outage_board
from .outages.services import log_query
from .participants import proving
from .participants.register import participants_without_environment_manager
from .participants.services import participant_of
from .readiness.owned import item_link, open_items_for
from .readiness.views import home_context as readiness_home
from .release_notes import acknowledgements
from .rfcs import queries, services
from .rfcs.clashes import clashes
from .rfcs.models import Approval, Deployment, Rfc, priority_of
from .rfcs.queries import RECENT, WORK_SETS
from .rfcs.states import PUBLIC_STATUSES, Outcome

bp = Blueprint("home", __name__)
ROWS = 5  # each block's first rows; its link leads to the whole list
RECENT_LIMIT = 200  # the newest deployments read for that block, however busy the fortnight


@bp.route("/")
@login_required
def index():
    now = utcnow()
    work = {Role.RELEASE_MANAGER: _manager, Role.CENTRAL_PARTY: _central_party,
            Role.TEST_PARTICIPANT: _participant}[current_user.role](current_user, now)
    return render_template("home/index.html", now=now, actions=services.open_work_off_actions(current_user),
                           today=to_london(now).date(), shared=services.awaiting_answer(current_user), **work,
                           readiness_items=open_items_for(current_user), item_link=item_link,
                           **_participants(current_user), **readiness_home(current_user, now))


def _participants(user):
    """participants (issue 26a): a Release Manager's gap of EAP §7.1.1 (participants without an Environment
    Manager); for anyone else their organisation's register entry, if it tests."""
    if user.role == Role.RELEASE_MANAGER:
        return dict(without_manager=participants_without_environment_manager(), participant_entry=None)
    return dict(without_manager=None, participant_entry=participant_of(user.organisation_id))


def _block(query, order, key_of=None, descending=False):
    return paginate(query, order, descending=descending, per_page=ROWS, key_of=key_of)


def _certificates(user, now):
    """The user's (or, for a manager, everyone's) certificates to act on: expired ones not replaced, those expiring
    within 30 days, and the kinds missing where they test (each with the list its link opens)."""
    def status(value):
        return _block(dashboard_query(user, now, status=value), [Certificate.valid_to, Certificate.id],
                      key_of=lambda row: (row[0].valid_to, row[0].id))
    return dict(expired=status(Status.EXPIRED.value), expiring=status(Status.WITHIN_30.value),
                missing=coverage_gaps(user, now), contact_gaps=contact_gaps(user, now))


def _ongoing(now, organisation_id=None, environment_ids=None):
    """Outages going on now, as the outage log lists them with `state=ongoing` (and the same filters)."""
    query = log_query(organisation_id=organisation_id, environment_ids=environment_ids, ongoing_at=now) \
        .order_by(None).order_by(Outage.start)
    return db.session.scalars(query).all()


def _rfcs(name, user, now, order, descending=False, options=()):
    query = select(Rfc).where(*WORK_SETS[name][1](user, now)).options(joinedload(Rfc.system),
                                                                       selectinload(Rfc.environments), *options)
    return _block(query, order, descending=descending)


def _manager(user, now):
    waiting_query, order = queries.queue_query(user)
    waiting = _block(waiting_query, order, key_of=lambda rfc: (priority_of(rfc), rfc.window_start, rfc.id))
    deployments = _rfcs("next-7-days", user, now, [Rfc.window_start, Rfc.id])
    emergencies = services.outstanding_emergency_fixes(now=now)
    follow_ups = {}
    for key, (words, condition, order) in queries.FOLLOW_UPS.items():
        query = select(Rfc).where(condition(now)).options(
            joinedload(Rfc.system), selectinload(Rfc.environments), selectinload(Rfc.deployments))
        follow_ups[key] = (words, _block(query, queries.RFC_SORTS[order].order,
                                         key_of=queries.RFC_SORTS[order].key_of))
    return dict(blocks="manager", waiting=waiting, deployments=deployments, follow_ups=follow_ups,
                slot_requests=requests_to_decide(),  # the allocation's queue (issue 27)
                clashes=clashes(waiting.items + deployments.items, user, now), ongoing=_ongoing(now),
                drift=baseline.drifting(), emergencies=emergencies, **_certificates(user, now))


def _central_party(user, now):
    to_do = _rfcs("to-do", user, now, [Rfc.updated_at, Rfc.id], descending=True,
                  options=[selectinload(Rfc.approvals).joinedload(Approval.by)])  # the managers' comments
    upcoming = _rfcs("upcoming", user, now, [Rfc.window_start, Rfc.id])
    notes, _ = _release_notes(user, now)  # those sent to the organisation and not read as they stand
    to_read = [(environment, waiting) for environment, rows in notes
               if (waiting := [row for row in rows if row[2] not in ("current", "not sent")])]
    return dict(blocks="central_party", to_do=to_do, upcoming=upcoming, clashes=clashes(upcoming.items, user, now),
                to_read=to_read,
                ongoing=_ongoing(now, user.organisation_id), **_certificates(user, now))


def _proving(user, now):
    """The organisation's connectivity proving, per central environment: (environment, first open step or None,
    signed off); None when it is not on the participant register (issue 26)."""
    participant = participant_of(user.organisation_id)
    if participant is None:
        return None
    return {"participant": participant, "rows": proving.overview(participant, now)}


def _release_notes(user, now, environment_ids=None):
    """[(environment, [(deployment, rfc, the user's reading state)])] of the release notes deployed in the last 14
    days (to environment_ids only, when given), those waiting for the user's reading first, and how many rows
    (deployments: an RFC deployed to two environments is listed under each) they are."""
    query = select(Deployment, Rfc).join(Rfc, Rfc.id == Deployment.rfc_id).where(
        Deployment.actual_end >= now - RECENT, Deployment.outcome != Outcome.ROLLED_BACK,
        Rfc.status.in_(PUBLIC_STATUSES))
    if environment_ids is not None:
        query = query.where(Deployment.environment_id.in_(environment_ids))
    recent = db.session.execute(
        query.options(joinedload(Deployment.environment), joinedload(Rfc.system), selectinload(Rfc.deployments))
        .order_by(Deployment.actual_end.desc()).limit(RECENT_LIMIT)).all()
    states = acknowledgements.states(user, {rfc for _, rfc in recent})
    notes = {}
    for deployment, rfc in recent:
        notes.setdefault(deployment.environment, []).append((deployment, rfc, states[rfc.id]))
    for rows in notes.values():  # waiting for this user's reading first, then the newest
        rows.sort(key=lambda row: row[2] in ("current", "not sent"))
    return sorted(notes.items(), key=lambda item: item[0].position), len(recent)


def _participant(user, now):
    """Release notes deployed in the last 14 days, per environment (those the organisation tests in, when it has
    any), those waiting for the user's reading first; outages going on in the environments the user's organisation
    tests in (or that it reported)."""
    tested = environments_tested_in(user)
    notes_where_tested = bool(tested)
    notes, released = _release_notes(user, now, tuple(tested) if notes_where_tested else None)
    tested |= set(db.session.scalars(log_query(ongoing_at=now).where(
        Outage.reporter_organisation_id == user.organisation_id).with_only_columns(Outage.environment_id)
        .order_by(None)))
    ongoing = _ongoing(now, environment_ids=tuple(sorted(tested)) or (0,))
    board = outage_board(now)
    slots, slots_total = my_slots(user, now)  # the allocation's "my slots" card (issue 27)
    return dict(blocks="participant", notes=notes, released=released, notes_where_tested=notes_where_tested,
                ongoing=ongoing, tested=sorted(tested),
                proving=_proving(user, now),
                slots=slots, slots_total=slots_total,
                planned=[(environment, upcoming) for environment, _, _, upcoming in board if upcoming],
                **_certificates(user, now))
