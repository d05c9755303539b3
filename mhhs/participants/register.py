"""The participant register and the onboarding intervals (EAP §5.3, §8.1, §8.10, §10.1): kept by Release Managers,
read by everyone logged in (names, kinds, routes, intervals, tranches and gaps; nothing private)."""
from sqlalchemy import and_, bindparam, func, not_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..audit.services import record
from ..core.permissions import require
from ..core.services import Invalid
from ..core.time import utcnow
from ..directory.models import MarketRole, Organisation, OrgKind
from ..extensions import db
from .models import OnboardingInterval, Participant, ParticipantKind, Route, Tranche, participant_market_roles
from .permissions import can_keep_register
from .rules import route_problems

INTERVAL_NUMBERS = range(1, 7)  # EAP §10.1: DIP onboarding intervals 1–6

# Filters of the register: the gap a Release Manager chases first (EAP §7.1.1: an Environment Manager is mandatory).
NO_ENVIRONMENT_MANAGER = "no-environment-manager"


def register_query(route=None, interval_id=None, gap=None):
    """The register's rows in interval order, then by organisation: everything a row shows is loaded in a fixed
    number of queries, however many participants there are."""
    query = (select(Participant).join(Participant.organisation).outerjoin(Participant.interval)
             .options(joinedload(Participant.organisation), joinedload(Participant.interval),
                      joinedload(Participant.qualification_tranche), joinedload(Participant.sandbox_tranche),
                      joinedload(Participant.environment_manager), selectinload(Participant.market_roles))
             .order_by(OnboardingInterval.number.is_(None), OnboardingInterval.number, Organisation.name))
    return _filtered(query, route, interval_id, gap)


# The register's page: columns (a row's market roles apart, `role_codes_of`), in the register's order, paged.
_NO_INTERVAL = len(INTERVAL_NUMBERS) + 1  # those without an interval come after interval 6
_QUALIFICATION = Tranche.__table__.alias("qualification_tranches")
REGISTER_ORDER = [func.coalesce(OnboardingInterval.number, _NO_INTERVAL), Organisation.name, Participant.id]


def register_rows(route=None, interval_id=None, gap=None):
    """The register's rows as columns (id, organisation_id, name, kind, route, passed_route, passed_on,
    interval_number, interval_first_day, qualification_tranche, has_environment_manager), filtered, not ordered:
    `paginate` pages through them by REGISTER_ORDER (`register_key`)."""
    query = (select(Participant.id, Participant.organisation_id, Organisation.name, Participant.kind, Participant.route,
                    Participant.passed_route, Participant.passed_on, OnboardingInterval.number.label("interval_number"),
                    OnboardingInterval.first_day.label("interval_first_day"),
                    _QUALIFICATION.c.name.label("qualification_tranche"),
                    not_(and_(*without_environment_manager())).label("has_environment_manager"))
             .join(Organisation, Organisation.id == Participant.organisation_id)
             .outerjoin(OnboardingInterval, OnboardingInterval.id == Participant.interval_id)
             .outerjoin(_QUALIFICATION, _QUALIFICATION.c.id == Participant.qualification_tranche_id))
    return _filtered(query, route, interval_id, gap)


def register_key(row):
    return [row.interval_number or _NO_INTERVAL, row.name, row.id]


def _filtered(query, route, interval_id, gap):
    if route:
        query = query.where(Participant.route == route)
    if interval_id:
        query = query.where(Participant.interval_id == interval_id)
    if gap == NO_ENVIRONMENT_MANAGER:
        query = query.where(*without_environment_manager())
    return query


def count_without_environment_manager(route=None, interval_id=None):
    """How many of the register's rows these filters keep have no Environment Manager (the register's status)."""
    return db.session.scalar(_filtered(select(func.count(Participant.id)), route, interval_id, NO_ENVIRONMENT_MANAGER))


_ROLE_CODES = (select(participant_market_roles.c.participant_id, MarketRole.code)
               .join(MarketRole, MarketRole.id == participant_market_roles.c.market_role_id)
               .where(participant_market_roles.c.participant_id.in_(bindparam("ids", expanding=True)))
               .order_by(MarketRole.code))


def role_codes_of(participant_ids):
    """{participant id: [market role codes, by code]} of these participants, in one query."""
    codes = {}
    if participant_ids:
        for participant_id, code in db.session.execute(_ROLE_CODES, {"ids": list(participant_ids)}):
            codes.setdefault(participant_id, []).append(code)
    return codes


def without_environment_manager():
    """The conditions of a participant without an Environment Manager (the SQL twin of has_environment_manager)."""
    return (Participant.environment_manager_id.is_(None),
            (Participant.environment_manager_name == "") | (Participant.environment_manager_email == ""))


def participants_without_environment_manager(limit=None):
    """The gap of EAP §7.1.1 for the weekly report: [(participant)] by organisation name, the first `limit`
    (count_without_environment_manager counts them all)."""
    return db.session.scalars(register_query(gap=NO_ENVIRONMENT_MANAGER).order_by(None)
                              .order_by(Organisation.name).limit(limit)).all()


def intervals():
    return db.session.scalars(select(OnboardingInterval).order_by(OnboardingInterval.number)).all()


def intervals_between(first_day, last_day):
    """The onboarding intervals that begin or end within [first_day, last_day] (the calendar's events)."""
    return db.session.scalars(select(OnboardingInterval).where(
        or_(OnboardingInterval.first_day.between(first_day, last_day),
            OnboardingInterval.last_day.between(first_day, last_day))).order_by(OnboardingInterval.number)).all()


def qualification_tranches():
    return db.session.scalars(select(Tranche).where(Tranche.route == Route.QUALIFICATION)
                              .order_by(Tranche.first_day, Tranche.name)).all()


def organisations_without_entry(keep=None):
    """The organisations that may be added to the register: those that test (not the programme), not yet on it."""
    taken = select(Participant.organisation_id)
    if keep is not None:
        taken = taken.where(Participant.organisation_id != keep)
    return db.session.scalars(select(Organisation).where(Organisation.kind != OrgKind.PROGRAMME,
                                                         Organisation.id.not_in(taken))
                              .order_by(Organisation.name)).all()


PARTICIPANT_FIELDS = ["organisation_id", "kind", "market_role_ids", "route", "passed_route", "passed_on",
                      "interval_id", "qualification_tranche_id"]


def _problems(participant, values):
    problems = {}
    if participant.id is None:
        organisation = db.session.get(Organisation, values.get("organisation_id") or 0)
        if organisation is None or organisation.kind == OrgKind.PROGRAMME:
            problems["organisation_id"] = "Choose an organisation that tests."
        elif db.session.scalar(select(Participant.id).where(Participant.organisation_id == organisation.id)):
            problems["organisation_id"] = f"{organisation.name} is on the register already: edit its entry."
    if values.get("interval_id") and db.session.get(OnboardingInterval, values["interval_id"]) is None:
        problems["interval_id"] = "That onboarding interval does not exist: choose one of the intervals kept here."
    tranche_id = values.get("qualification_tranche_id")
    if tranche_id:
        tranche = db.session.get(Tranche, tranche_id)
        if tranche is None or tranche.route != Route.QUALIFICATION:
            problems["qualification_tranche_id"] = "That Qualification tranche does not exist: choose an allocated one."
    role_ids = set(values.get("market_role_ids") or ())
    if len(db.session.scalars(select(MarketRole.id).where(MarketRole.id.in_(role_ids))).all()) != len(role_ids):
        problems["market_role_ids"] = "Choose market roles from the list."
    problems.update(route_problems(Route(values["route"]), values.get("passed_route") and Route(values["passed_route"]),
                                   values.get("passed_on"), utcnow().date()))
    return problems


def save_participant(user, participant, values):
    """Adds (participant without id) or changes a register entry; values: PARTICIPANT_FIELDS as plain data."""
    require(can_keep_register(user), "Release Managers keep the participant register.")
    problems = _problems(participant, values)
    if problems:
        raise Invalid(problems)
    adding = participant.id is None
    if adding:
        participant.organisation_id = values["organisation_id"]
        db.session.add(participant)
    participant.kind = ParticipantKind(values["kind"])
    participant.route = Route(values["route"])
    participant.passed_route = Route(values["passed_route"]) if values.get("passed_route") else None
    participant.passed_on = values.get("passed_on") if participant.passed_route else None
    participant.interval_id = values.get("interval_id") or None
    participant.qualification_tranche_id = values.get("qualification_tranche_id") or None
    participant.market_roles = db.session.scalars(select(MarketRole).where(
        MarketRole.id.in_(values.get("market_role_ids") or ()))).all()
    db.session.flush()
    organisation = db.session.get(Organisation, participant.organisation_id)
    record("participant.added" if adding else "participant.changed", actor=user, obj=participant,
           summary=f"{organisation.name}: {participant.kind.label}, {participant.route.label}"
                   + (f" (passed {participant.passed_route.label} on {participant.passed_on:%d %b %Y})"
                      if participant.passed_route else "")
                   + (f", interval {participant.interval.number}" if participant.interval else ""))
    db.session.commit()
    return participant


INTERVAL_FIELDS = ["number", "first_day", "last_day"]


def save_interval(user, values):
    """Sets an onboarding interval's dates (EAP §10.1), adding it if its number is new; values: INTERVAL_FIELDS."""
    require(can_keep_register(user), "Release Managers keep the onboarding intervals.")
    problems = {}
    if values.get("number") not in INTERVAL_NUMBERS:
        problems["number"] = "DIP onboarding intervals are numbered 1 to 6 (EAP §10.1)."
    first, last = values.get("first_day"), values.get("last_day")
    if first is None:
        problems["first_day"] = "Give the week commencing (a Monday)."
    elif first.weekday() != 0:
        problems["first_day"] = f"The week commencing is a Monday; {first:%A %d %b %Y} is not."
    if last is None:
        problems["last_day"] = "Give the interval's last day."
    elif first is not None and last < first:
        problems["last_day"] = "The last day cannot be before the week commencing."
    if problems:
        raise Invalid(problems)
    interval = db.session.scalar(select(OnboardingInterval).where(OnboardingInterval.number == values["number"]))
    if interval is None:
        interval = OnboardingInterval(number=values["number"])
        db.session.add(interval)
    interval.first_day, interval.last_day = first, last
    db.session.flush()
    record("onboarding_interval.saved", actor=user, obj=interval,
           summary=f"interval {interval.number}: w/c {first:%d %b %Y} to {last:%d %b %Y}")
    db.session.commit()
    return interval
