"""Demo readiness (demo database only): SIT and Qualification entry criteria with met, waived (one expiring next
week) and open ones, and a fortnight of morning health checks with one amber, one red that became an outage and
one missing. The participants come from the register's demo; any missing here are added by name."""
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from ..core.time import is_business_day, london_to_utc, utcnow
from ..directory.models import Environment, Organisation, OrgKind, System, User
from ..extensions import db
from ..outages import services as outages
from ..outages.models import Category, Outage
from ..participants.models import Participant, ParticipantKind, Route
from . import criteria, health
from .models import EntryCriterion

# organisation: (kind, route)
PARTICIPANTS = {"Northwold Energy": (ParticipantKind.SUPPLIER, Route.SIT),
                "Brightmeter Services": (ParticipantKind.AGENT, Route.SIT),
                "Fenland Networks": (ParticipantKind.DNO, Route.QUALIFICATION)}

# phase, text, evidence required, derived, environment
CRITERIA = [
    (Route.SIT, "SIT test plan approved by the SI Test Team", True, None, None),
    (Route.SIT, "Test data prepared and loaded for the SIT Functional scenarios", True, None, None),
    (Route.SIT, "", False, "connectivity", "SIT-A"),
    (Route.SIT, "", False, "certificates", "SIT-A"),
    (Route.SIT, "", False, "environment_manager", None),
    (Route.SIT, "", False, "standing_data", None),
    (Route.QUALIFICATION, "Qualification test plan approved by the Code Bodies", True, None, None),
    (Route.QUALIFICATION, "", False, "connectivity", "UIT"),
    (Route.QUALIFICATION, "", False, "pki_officers", None),
    (Route.QUALIFICATION, "", False, "own_environment", None),
]

AMBER = ("DIP", "SIT-A", 5, "DIP acknowledgements slow (up to 4 minutes); supplier tests retried.")
RED = ("MPRS", "SIT-B", 3, "Registration queue stuck since the overnight batch; no MPRS responses.")
MISSING = ("LSS", "SIT-A", 2)


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _participants():
    found = {}
    for name, (kind, route) in PARTICIPANTS.items():
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if organisation is None:
            organisation = Organisation(name=name, kind=OrgKind.TEST_PARTICIPANT)
            db.session.add(organisation)
            db.session.flush()
        participant = db.session.scalar(select(Participant).where(Participant.organisation_id == organisation.id))
        if participant is None:
            participant = Participant(organisation_id=organisation.id, kind=kind, route=route)
            db.session.add(participant)
        found[name] = participant
    northwold = found["Northwold Energy"]
    if not northwold.has_environment_manager:
        northwold.environment_manager_id = _user("supplier@demo.test").id
    db.session.commit()
    return found


def _criteria(manager):
    environments = {e.name: e.id for e in db.session.scalars(select(Environment))}
    made = []
    for phase, text, evidence, derived, environment in CRITERIA:
        label = criteria.Derived(derived).label if derived else ""
        made.append(criteria.save_criterion(manager, EntryCriterion(), {
            "phase": phase.value, "text": text or label + (f" ({environment})" if environment else ""),
            "evidence_required": evidence, "derived": derived,
            "environment_id": environments.get(environment)}))
    return made


def _marks(manager, participants, made, today):
    sit_plan, sit_data = made[0], made[1]
    qualification_plan = made[6]
    northwold, brightmeter, fenland = (participants[n] for n in PARTICIPANTS)
    supplier = _user("supplier@demo.test")
    criteria.meet(supplier, northwold, sit_plan, "Approved at the SIT test planning board; minutes v1.2.")
    criteria.waive(manager, northwold, sit_data, "The Functional cycle 3 data set is delivered next week; "
                   "cycle 2 data covers the first scenarios.", today + timedelta(days=6))
    criteria.declare_standing_data(supplier, northwold, today - timedelta(days=9))
    criteria.waive(manager, brightmeter, sit_plan, "Plan agreed in principle; signed copy to follow.",
                   today + timedelta(days=20))
    criteria.waive(manager, fenland, qualification_plan, "Code Bodies' approval due at their next meeting.",
                   today + timedelta(days=13))


def _business_days_back(today, count):
    days, day = [], today
    while len(days) < count:
        day -= timedelta(days=1)
        if is_business_day(day):
            days.append(day)
    return days  # most recent first


def _reporters():
    """The user who reports for each Central Party: its own, or a Release Manager for one without users here."""
    manager = _user("rm.sit@demo.test")
    firsts = dict(db.session.execute(select(User.organisation_id, func.min(User.id)).where(
        User.role == "central_party").group_by(User.organisation_id)).all())
    return lambda system: db.session.get(User, firsts[system.organisation_id]) \
        if system.organisation_id in firsts else manager


def _health_checks(today, now):
    """A fortnight of checks: each business day's reports a little before the deadline, but for the amber, the red
    (logged as an outage too) and the one missing. Today's too, when its deadline has passed."""
    reporter_of = _reporters()
    due = health.deadline()
    back = _business_days_back(today, 10)
    special = {(AMBER[0], AMBER[1], back[AMBER[2] - 1]): ("amber", AMBER[3]),
               (RED[0], RED[1], back[RED[2] - 1]): ("red", RED[3])}
    skipped = (MISSING[0], MISSING[1], back[MISSING[2] - 1])
    today_due = health.due_at(today)
    days = list(reversed(back)) + ([today] if today_due and now > today_due else [])
    for day in days:
        at = london_to_utc(datetime.combine(day, due)) - timedelta(minutes=20)
        by_reporter = {}
        for system, environment in health.expected(day):
            key = (system.name, environment.name, day)
            if key == skipped:
                continue
            level, note = special.get(key, ("green", ""))
            by_reporter.setdefault(reporter_of(system).id, []).append(health.Entry(system, environment, level, note))
        for user_id, entries in by_reporter.items():
            health.report(db.session.get(User, user_id), day, entries, now=at)
    _red_outage(back[RED[2] - 1])


def _red_outage(day):
    """The red check became an outage: St Clements logged it when the check went red, and ended it before noon."""
    system = db.session.scalar(select(System).where(System.name == RED[0]))
    environment = db.session.scalar(select(Environment).where(Environment.name == RED[1]))
    start = london_to_utc(datetime.combine(day, time(8, 40)))
    outages.save(_user("mprs@demo.test"), Outage(), {
        "environment_id": environment.id, "planned": False, "category": Category.SOFTWARE_FAILURE,
        "start": start, "end": start + timedelta(hours=3), "description": f"Red in the morning health check: {RED[3]}",
        "impact": "SIT-B registration scenarios paused", "defect_reference": "", "root_cause": "", "rfc_id": None,
    }, [system])


def seed_demo_readiness():
    """Returns the rows added; running it again adds nothing."""
    if db.session.scalar(select(func.count()).select_from(EntryCriterion)):
        return 0
    now = utcnow()
    today = criteria.today_in_london(now)
    manager = _user("rm.sit@demo.test")
    participants = _participants()
    made = _criteria(manager)
    _marks(manager, participants, made, today)
    _health_checks(today, now)
    return len(made)
