"""The home page each role lands on after logging in: a work list of what concerns them, each block linking to the
full list (EAP §12.1.1, RCM §12.11)."""
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from flask import Blueprint, get_template_attribute, render_template
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import String, bindparam, cast, func, select, union_all
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.elements import UnaryExpression

from .allocation.services import my_slots, requests_to_decide
from .baseline import services as baseline
from .certificates.models import SOON_DAYS, Certificate
from .certificates.permissions import visible_certificates
from .certificates.services import environments_tested_in, gaps
from .core.changes import OUTAGES, PROVING, REFERENCE, SCHEDULE, SLOTS, TESTING, WINDOWS, cached
from .core.pagination import COUNT_LIMIT, Page, count_of
from .core.permissions import Role, login_required
from .core.time import to_london, utcnow
from .core.viewer import viewer_of
from .directory import choices
from .directory.models import Organisation
from .extensions import db
from .outages.downtime import MICROSECOND
from .outages.models import Outage, outage_systems
from .outages.services import BOARD_AHEAD
from .participants import proving
from .participants.models import Participant
from .participants.register import without_environment_manager
from .participants.services import participant_of
from .readiness.counts import READINESS
from .readiness.health import HEALTH
from .readiness.owned import item_link, open_items_for
from .readiness.views import home_context as readiness_home
from .release_notes import acknowledgements
from .rfcs import queries, services
from .rfcs.clashes import clashes, longest_window
from .rfcs.models import Approval, Deployment, Rfc
from .rfcs.queries import RECENT, TO_DO, WORK_SETS
from .rfcs.services.emergencies import CARRY_OVERS
from .rfcs.states import OUTCOMES, PUBLIC_STATUSES, Outcome, RfcStatus

bp = Blueprint("home", __name__)
ROWS = 5  # each block's first rows; its link leads to the whole list
PLANNED_PER_ENVIRONMENT = 3  # as the status board shows them
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
                           **_participants(current_user),
                           readiness=_kept(_readiness, READINESS_CARDS, current_user, now))


def _readiness(user, now):
    """The readiness cards (readiness.views.home_context), rendered: the same for every viewer alike (by role, and
    for a Central Party or participant its organisation's)."""
    return Markup(render_template("readiness/_home.html", **readiness_home(user, now)))


# What they read: a participant's readiness, the day's health checks and deadline, the systems and environments.
READINESS_CARDS = (READINESS, HEALTH, REFERENCE)


def _participants(user):
    """participants (issue 26a): a Release Manager's gap of EAP §7.1.1 (participants without an Environment
    Manager), rendered and kept once per process; for a Central Party its organisation's register entry, if it tests
    (a Test Participant's comes with its cards, which read it anyway: _participant)."""
    if user.role == Role.RELEASE_MANAGER:
        return dict(without_manager=cached(_without_manager, PROVING, REFERENCE), participant_entry=None)
    if user.role == Role.CENTRAL_PARTY:
        return dict(without_manager=None, participant_entry=participant_of(user.organisation_id))
    return dict(without_manager=None)


def _without_manager():
    """The card of the participants without an Environment Manager (home/_cards.html), the same for every Release
    Manager and shown whatever the time: what it reads, the register and the organisations' names, moves PROVING and
    REFERENCE."""
    return _cards("without_manager", _read(_without_manager_card()))


@lru_cache(maxsize=1)
def _without_manager_card():
    """The statement of the participants without an Environment Manager, built once per process (it names no
    user and no moment), so that SQLAlchemy's statement cache hits without keying it again."""
    return _card_statement(select(Participant).join(Participant.organisation).where(*without_environment_manager()),
                           [Organisation.name, Participant.id],
                           [joinedload(Participant.organisation), joinedload(Participant.interval)])


def _card_statement(statement, order, options=(), limit=ROWS, first=None, counted=None):
    """The statement of a card's first `limit` rows (entities when `statement` selects one, else rows of columns)
    and how many there are in all (at most COUNT_LIMIT + 1, as the lists count), in one query: the count as a
    column beside them. `first`: a condition the first rows meet anyway, that lets an index find them. `counted`:
    a narrower select of as many rows (default: the statement's unique key only)."""
    statement = statement.order_by(None)
    key = order[-1].element if isinstance(order[-1], UnaryExpression) else order[-1]  # unique, maybe descending
    counted = (counted if counted is not None else statement.with_only_columns(key)).limit(COUNT_LIMIT + 1)
    total = select(func.count()).select_from(counted.subquery()).scalar_subquery()
    if first is not None:
        statement = statement.where(first)
    return statement.add_columns(total.label("total")).options(*options).order_by(*order).limit(limit)


def _read(statement):
    """A card (core.pagination.Page) read by its statement (_card_statement)."""
    rows = db.session.execute(statement).all()
    items = [row[0] if len(row) == 2 else tuple(row[:-1]) for row in rows]
    return Page(items=items, total=rows[0][-1] if rows else 0)


def _card(statement, order, options=(), limit=ROWS, first=None):
    """A card read as _card_statement says."""
    return _read(_card_statement(statement, order, options, limit, first))


@dataclass(frozen=True)
class CertificateRow:
    """A certificate as a card lists it (columns, with the names of the cached reference data)."""
    id: int
    subject: str
    organisation: str
    environment: str
    valid_to: object


def _certificate_card(user, condition, names):
    query = visible_certificates(select(Certificate.id, Certificate.subject, Certificate.organisation_id,
                                        Certificate.environment_id, Certificate.valid_to)
                                 .where(~Certificate.replaced, condition), user)
    page = _card(query, [Certificate.valid_to, Certificate.id])
    page.items = [CertificateRow(i, subject, names["organisations"].get(o, ""), names["environments"].get(e, ""),
                                 valid_to) for i, subject, o, e, valid_to in page.items]
    return page


def _names():
    """{"environments" | "systems" | "organisations": {id: name}} of the reference data, cached per process."""
    return {"environments": dict(choices.environments()),
            "systems": {i: name for i, name, _ in choices.systems()},
            "organisations": dict(choices.organisations())}


def _certificates(user, now, names):
    """The user's (or, for a manager, everyone's) certificates to act on: expired ones not replaced, those expiring
    within 30 days (each card's rows and count in one query, on the index of expiry), and the kinds missing where
    they test (each with the list its link opens)."""
    expired = _certificate_card(user, Certificate.valid_to < now, names)
    expiring = _certificate_card(user, Certificate.valid_to.between(now, now + timedelta(days=SOON_DAYS)), names)
    missing, contacts = gaps(user, now)
    return dict(expired=expired, expiring=expiring, missing=missing, contact_gaps=contacts, now=now)


def _going_on(now):
    """The outages going on at `now` (as outages.downtime.overlapping(now, now + MICROSECOND) keeps them): the ids
    of those still open and of those ending after it, each a range of the index on (end, start), then read by id."""
    started = Outage.start < now + MICROSECOND
    return Outage.id.in_(union_all(select(Outage.id).where(Outage.end.is_(None), started),
                                   select(Outage.id).where(Outage.end > now, started)))


def _ongoing(now, names, organisation_id=None, environment_ids=None):
    """Outages going on now, as the outage log lists them with `state=ongoing` (and the same filters): the first
    ROWS (earliest start first) as columns, their systems' names beside them, and how many in all."""
    query = select(Outage.id, Outage.environment_id, Outage.category, Outage.start, Outage.end,
                   _systems_of_outage()).where(_going_on(now))
    # The filters as expressions (`+ 0`), so that no index on them leads: the few going on are read by id.
    if organisation_id is not None:
        query = query.where(Outage.organisation_id + 0 == organisation_id)
    if environment_ids is not None:
        query = query.where((Outage.environment_id + 0).in_(environment_ids))
    page = _card(query, [Outage.start, Outage.id])
    page.items = [OngoingRow(i, names["environments"].get(e, ""), category, start, end,
                             _system_names(ids, names))
                  for i, e, category, start, end, ids in page.items]
    return page


@dataclass(frozen=True)
class OngoingRow:
    id: int
    environment: str
    category: object
    start: object
    end: object
    systems: list


def _rfcs(name, user, now, order, options=(), where=()):
    """A card of one of the RFC lists' work sets (`/rfcs?set=<name>`): the first ROWS (with their system, in the
    same query) and how many in all; their environments (and what `options` add) in one query more. `where`: what
    the set's RFCs meet anyway, for an index."""
    return _card(select(Rfc).where(*WORK_SETS[name][1](user, now), *where), order,
                 [joinedload(Rfc.system), selectinload(Rfc.environments), *options])


def _first_of_each(condition, statuses, order):
    """The first ROWS RFCs in `order` of each status (among those meeting `condition`), each read through an index
    on (…, status, what `order` sorts by): the first ROWS of all of them are among these."""
    parts = [select(Rfc.id).where(condition, Rfc.status == status).order_by(*order).limit(ROWS).subquery()
             for status in statuses]
    return Rfc.id.in_(union_all(*(select(part.c.id) for part in parts)))


def _first_by_window(condition):
    """The first ROWS RFCs by window of each status approved or with an outcome, through the index on (status,
    window start)."""
    return _first_of_each(condition, (RfcStatus.APPROVED, *OUTCOMES), [Rfc.window_start, Rfc.id])


def _minute(now):
    return to_london(now).replace(second=0, microsecond=0)


KEPT_CARDS = 1024  # copies of kept cards (a few KB each): every organisation's card groups, a few MB per worker


def _kept(render, counters, user, now):
    """What `render(user, now)` returns (HTML: Markup, or a dict of it) of cards that are the same for every viewer
    alike (core.viewer: role and organisation), kept once per process per viewer and London minute (what they show
    of "now": windows to come, outages going on, certificates expired) and rendered again when one of `counters` (of
    every table they read) moves. `render` shows nothing of the user beyond the viewer: no name, no CSRF token."""
    minute = _minute(now)
    return cached(_render_kept, *counters, key=(render, viewer_of(user)), fresh=lambda copy: copy[0] == minute,
                  keep=KEPT_CARDS)[1]


def _render_kept(render, _viewer):
    now = utcnow()  # the key's viewer is the current user's (_kept)
    return _minute(now), render(current_user, now)


def _cards(name, *args):
    """A macro of home/_cards.html, rendered."""
    return get_template_attribute("home/_cards.html", name)(*args)


def _manager_shared(user, now):
    """The Release Manager's cards that are the same for every Release Manager, rendered (home/_cards.html): the
    deployments of the next 7 days and their clashes, the follow-ups, slot requests, outages now, everyone's
    certificates, the baseline's drift, emergency fixes not carried forward."""
    names = _names()
    # An approved window going on or to come began no earlier than the longest approved one before now: the range
    # of the index on (status, window start) to read, not every approved window of the past.
    longest = longest_window((RfcStatus.APPROVED,)) or 0
    deployments = _rfcs("next-7-days", user, now, [Rfc.window_start, Rfc.id],
                        where=[Rfc.window_start >= now - timedelta(minutes=longest)])
    follow_ups = {}
    for key, (words, condition, _order) in queries.FOLLOW_UPS.items():
        # By window, as the list its link opens (`sort=window&dir=asc`): every RFC followed up has a window. Their
        # deployments: "outcomes recorded: n of m", and the badge of a mixed outcome.
        follow_ups[key] = (words, _card(select(Rfc).where(condition(now)), [Rfc.window_start, Rfc.id],
                                        [joinedload(Rfc.system), selectinload(Rfc.environments),
                                         selectinload(Rfc.deployments)], first=_first_by_window(condition(now))))
    return _cards(
        "manager", deployments, clashes(deployments.items, user, now), follow_ups,
        requests_to_decide(),  # the allocation's queue (issue 27)
        _ongoing(now, names), _certificates(user, now, names), baseline.drifting(),
        services.outstanding_emergency_rows(), names["systems"])


# What the manager's shared cards read: RFCs' windows and deployments (with freezes and the baseline), outages,
# slots, certificates and the register, the reference data, carry-overs.
MANAGER_SHARED = (WINDOWS, SCHEDULE, OUTAGES, SLOTS, PROVING, REFERENCE, CARRY_OVERS)


@lru_cache(maxsize=4)
def _waiting_first(phases):
    """The statement of the first ROWS RFCs waiting for a manager of these phases as (id, row version), and how many
    there are in all: what says whether the card's kept copy holds. Built once per process per set of phases."""
    waiting_query, order = queries.waiting_query(phases)
    # Counted from the pending approvals alone: each is of one RFC (a foreign key), no need to join it.
    return _card_statement(waiting_query.with_only_columns(Rfc.id, Rfc.row_version), order, counted=select(order[-1]))


# What the waiting card shows besides its rows' columns: their clashes (other windows, freezes and the weekly release
# slot, planned outages, support hours) and the names (as the queue's warnings: rfcs.views.approval.WARNED).
WAITING_READS = (WINDOWS, SCHEDULE, OUTAGES, REFERENCE)


def _waiting(user):
    """The card of the RFCs waiting for the manager's phases, rendered: kept per process per set of phases and its
    first rows as they are now ((id, row version): any change to an RFC moves it; a phase approved takes it off),
    behind the counters of what their clashes read, until the first of their windows ends (its clashes then go)."""
    phases = frozenset(user.phases)
    first = _read(_waiting_first(phases))
    return cached(_render_waiting, *WAITING_READS, key=(phases, tuple(first.items), first.total), keep=KEPT_CARDS,
                  fresh=lambda copy: copy[0] is None or utcnow() < copy[0])[1]


def _render_waiting(_phases, first, total):
    """(until when it holds, the card rendered) as the request's Release Manager (whose phases are the key's) sees
    it."""
    now = utcnow()
    waiting = Page(items=queries.in_order([rfc_id for rfc_id, _ in first], joinedload(Rfc.system),
                                          selectinload(Rfc.environments)), total=total)
    until = min((r.window_end for r in waiting.items if r.window_end and r.window_end > now), default=None)
    return until, _cards("waiting", waiting, clashes(waiting.items, current_user, now), current_user.scope_label)


def _manager(user, now):
    return dict(blocks="manager", waiting=_waiting(user), kept=_kept(_manager_shared, MANAGER_SHARED, user, now))


def _central_party_shared(user, now):
    """A Central Party's cards the same for everyone of its organisation, rendered: its upcoming windows with their
    clashes and the outages of its systems now; its certificates to act on."""
    names = _names()
    upcoming = _rfcs("upcoming", user, now, [Rfc.window_start, Rfc.id])
    return {"windows": _cards("central_party", upcoming, clashes(upcoming.items, user, now),
                              _ongoing(now, names, user.organisation_id), user.organisation_id),
            "certificates": _cards("certificates", "Your", _certificates(user, now, names))}


# What they read: its RFCs' windows and the schedule's (with the RFCs shared with it: rfcs.permissions), outages,
# slots, certificates, the reference data.
CENTRAL_PARTY_SHARED = (WINDOWS, SCHEDULE, OUTAGES, SLOTS, PROVING, REFERENCE)


TO_DO_ORDER = [Rfc.updated_at.desc(), Rfc.id.desc()]  # the most recently changed first, as its list's link sorts


@lru_cache(maxsize=32)
def _to_do_first(viewer):
    """The statement of the first ROWS of an organisation's drafts and RFCs with changes requested (`/rfcs?set=to-do`)
    as (id, row version): what says whether its kept card holds (any change to an RFC moves its row version), built
    once per process per organisation (the set names no moment)."""
    return (select(Rfc.id, Rfc.row_version).where(*WORK_SETS["to-do"][1](viewer, None),
                                                  _first_of_each(Rfc.organisation_id == viewer.organisation_id, TO_DO,
                                                                 TO_DO_ORDER))
            .order_by(*TO_DO_ORDER).limit(ROWS))


def _to_do(user):
    """The card of the organisation's drafts and RFCs with changes requested, rendered: kept per process per
    organisation and its first rows as they are now; how many there are in all kept behind WINDOWS (an RFC made,
    deleted or changing status moves it), the names it shows behind REFERENCE and TESTING (the managers')."""
    viewer = viewer_of(user)
    first = tuple(tuple(row) for row in db.session.execute(_to_do_first(viewer)))
    total = cached(_to_do_total, WINDOWS, key=(viewer,))
    return cached(_render_to_do, REFERENCE, TESTING, key=(viewer, first, total), keep=KEPT_CARDS)


def _to_do_total(viewer):
    return count_of(select(Rfc.id).where(*WORK_SETS["to-do"][1](viewer, None)))


def _render_to_do(_viewer, first, total):
    rfcs = queries.in_order([rfc_id for rfc_id, _ in first], joinedload(Rfc.system),
                            selectinload(Rfc.approvals).joinedload(Approval.by))
    return _cards("to_do", Page(items=rfcs, total=total))


def _central_party(user, now):
    to_do = _to_do(user)
    notes, _ = _release_notes(user, now)  # those sent to the organisation and not read as they stand
    to_read = [(environment, waiting) for environment, rows in notes
               if (waiting := [row for row in rows if row[2] not in ("current", "not sent")])]
    return dict(blocks="central_party", to_do=to_do, to_read=to_read,
                kept=_kept(_central_party_shared, CENTRAL_PARTY_SHARED, user, now))


def _proving(participant, now):
    """The organisation's connectivity proving, per central environment: (environment, first open step or None,
    signed off); None when it is not on the participant register (issue 26)."""
    if participant is None:
        return None
    return {"participant": participant, "rows": proving.overview(participant, now)}


def _release_notes(user, now, environment_ids=None):
    """[(environment, [(deployment, rfc, the user's reading state)])] of the release notes deployed in the last 14
    days (to environment_ids only, when given), those waiting for the user's reading first, and how many rows
    (deployments: an RFC deployed to two environments is listed under each) they are."""
    recent = db.session.execute(_recent_deployments(environment_ids is not None),
                                {"since": now - RECENT, "environment_ids": environment_ids or ()}).all()
    states = acknowledgements.states(user, {rfc for _, rfc in recent})
    notes = {}
    for deployment, rfc in recent:
        notes.setdefault(deployment.environment, []).append((deployment, rfc, states[rfc.id]))
    for rows in notes.values():  # waiting for this user's reading first, then the newest
        rows.sort(key=lambda row: row[2] in ("current", "not sent"))
    return sorted(notes.items(), key=lambda item: item[0].position), len(recent)


@lru_cache(maxsize=2)
def _recent_deployments(in_environments):
    """The statement of the release notes' deployments since a moment (bound at execution), in the environments
    bound too when `in_environments`, built once per process. The RFC's status as an expression, so that no index on
    it leads (every public RFC): the fortnight's deployments are read through their index on the end, newest first,
    each joined to its RFC by id."""
    query = select(Deployment, Rfc).join(Rfc, Rfc.id == Deployment.rfc_id).where(
        Deployment.actual_end >= bindparam("since"), Deployment.outcome != Outcome.ROLLED_BACK,
        func.coalesce(Rfc.status, Rfc.status).in_(PUBLIC_STATUSES))
    if in_environments:
        query = query.where(Deployment.environment_id.in_(bindparam("environment_ids", expanding=True)))
    return (query.options(joinedload(Deployment.environment), joinedload(Rfc.system), selectinload(Rfc.deployments))
            .order_by(Deployment.actual_end.desc()).limit(RECENT_LIMIT))


def _systems_of_outage():
    """The ids of an outage's systems, as one string (a column beside the outage's)."""
    return (select(func.aggregate_strings(cast(outage_systems.c.system_id, String), ","))
            .where(outage_systems.c.outage_id == Outage.id).scalar_subquery())


def _system_names(ids, names):
    return sorted(names["systems"].get(int(i), "") for i in (ids or "").split(",") if i)


def _planned(now, names):
    """[(environment's name, [the next PLANNED_PER_ENVIRONMENT planned outages])] of the environments with one
    planned in the status board's reach (outages.services.board), in the programme's order: one query, each
    environment's part a range of its index on start."""
    parts = [select(Outage.id, Outage.environment_id, Outage.start, Outage.category,
                    _systems_of_outage().label("systems"))
             .where(Outage.environment_id == environment_id, Outage.planned.is_(True), Outage.start > now,
                    Outage.start < now + BOARD_AHEAD)
             .order_by(Outage.start, Outage.id).limit(PLANNED_PER_ENVIRONMENT).subquery()
             for environment_id, _ in choices.environments()]
    if not parts:
        return []
    rows = db.session.execute(union_all(*(select(part) for part in parts))).all()
    planned = {}
    for outage_id, environment_id, start, category, systems in rows:
        planned.setdefault(environment_id, []).append(
            OngoingRow(outage_id, names["environments"].get(environment_id, ""), category, start, None,
                       _system_names(systems, names)))
    return [(name, sorted(planned[i], key=lambda o: (o.start, o.id))) for i, name in choices.environments()
            if i in planned]


def _tested_in(user):
    """The ids of the environments the user's organisation tests in (certificates.services.environments_tested_in),
    read once per process per viewer while certificates and officers stay as they are."""
    return cached(_load_tested_in, PROVING, key=(viewer_of(user),))


def _load_tested_in(_viewer):
    return frozenset(environments_tested_in(current_user))  # the key's viewer is the current user's (_tested_in)


def _participant_shared(user, now):
    """A Test Participant's cards the same for everyone of its organisation, rendered: outages going on in the
    environments it tests in (or that it reported), the next planned outages, its certificates to act on."""
    names = _names()
    tested = set(_tested_in(user)) | set(db.session.scalars(select(Outage.environment_id).distinct().where(
        _going_on(now), Outage.reporter_organisation_id + 0 == user.organisation_id)))
    ongoing = _ongoing(now, names, environment_ids=tuple(sorted(tested)) or (0,))
    return _cards("participant", ongoing, sorted(tested), _planned(now, names), _certificates(user, now, names))


PARTICIPANT_SHARED = (OUTAGES, PROVING, REFERENCE)  # what they read: outages, certificates and officers, names


def _participant_slots(user, now):
    """The allocation's "my slots" card (issue 27), rendered: its organisation's slots to come."""
    return _cards("my_slots", *my_slots(user, now))


def _participant(user, now):
    """Release notes deployed in the last 14 days, per environment (those the organisation tests in, when it has
    any), those waiting for the user's reading first; then the cards the same for its whole organisation."""
    tested = _tested_in(user)
    notes, released = _release_notes(user, now, tuple(sorted(tested)) if tested else None)
    entry = participant_of(user.organisation_id)
    return dict(blocks="participant", notes=notes, released=released, notes_where_tested=bool(tested),
                participant_entry=entry, proving=_proving(entry, now),
                slots=_kept(_participant_slots, (SLOTS, PROVING, REFERENCE), user, now),
                kept=_kept(_participant_shared, PARTICIPANT_SHARED, user, now))
