"""Demo allocation (demo database only), through the same services a Release Manager's and participants' clicks use:
two Qualification tranches, a week of slots with a recurring series (Redbank, signed off in SIT-A), a pending
request, and a declined request with a waitlisted follow-up. The register's demo comes with the participants' issue;
until then the rows needed are made here by organisation name when absent, so this runs either way."""
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..core.passwords import hash_password
from ..core.permissions import Role
from ..core.services import Refused
from ..core.time import bank_holiday, london_to_utc, to_london, utcnow
from ..directory.models import Environment, Organisation, User
from ..directory.reference_data import DEMO_PASSWORD
from ..extensions import db
from ..participants.models import Participant, ParticipantKind, Route, Tranche
from . import services
from .models import Purpose, Slot, TestPhase

# organisation: (route, a user of its own who requests slots: e-mail, name)
PARTICIPANTS = {"Northwold Energy": (Route.SIT, None),
                "Brightmeter Services": (Route.SIT, ("brightmeter@demo.test", "Bea Marsh")),
                "Fenland Networks": (Route.QUALIFICATION, ("fenland@demo.test", "Finn Ludlow")),
                "Redbank Networks": (Route.SIT, None)}


def _participant(name, route):
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    found = db.session.scalar(select(Participant).where(Participant.organisation_id == org.id))
    if found is None:
        found = Participant(organisation_id=org.id, kind=ParticipantKind.SUPPLIER, route=route)
        db.session.add(found)
        db.session.flush()
    return found


def _user(email, name, organisation_id):
    found = db.session.scalar(select(User).where(User.email == email))
    if found is None:
        found = User(email=email, name=name, role=Role.TEST_PARTICIPANT, organisation_id=organisation_id,
                     password_hash=hash_password(DEMO_PASSWORD))
        db.session.add(found)
        db.session.flush()
    return found


def _week_ahead(today):
    """The next Monday whose week has no bank holiday."""
    monday = today + timedelta(days=7 - today.weekday())
    while any(bank_holiday(monday + timedelta(days=i)) for i in range(5)):
        monday += timedelta(days=7)
    return monday


def _at(day, hour):
    return london_to_utc(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def _first_that_fits(attempts):
    """Books the first of these that the clash rule lets through (the demo's RFC windows and outages move with
    today); None if none does."""
    for attempt in attempts:
        try:
            return attempt()
        except Refused:
            continue
    return None


def seed_demo_allocation():
    """Adds the demo tranches and slots once; returns how many rows were added."""
    if db.session.scalar(select(func.count()).select_from(Slot)):
        return 0
    manager = db.session.scalar(select(User).where(User.email == "rm.sit@demo.test"))
    environments = {e.name: e for e in db.session.scalars(select(Environment))}
    participants = {name: _participant(name, route) for name, (route, _) in PARTICIPANTS.items()}
    users = {name: _user(*who, participants[name].organisation_id) for name, (_, who) in PARTICIPANTS.items() if who}
    users["Northwold Energy"] = db.session.scalar(select(User).where(User.email == "supplier@demo.test"))
    northwold, brightmeter, fenland, redbank = participants.values()
    # Redbank's connectivity to SIT-A is proven and signed off (the proving demo, EAP §11.3): it may book testing
    # there; Northwold is still proving its own, so it books a connectivity-proving slot.
    today = to_london(utcnow()).date()
    uit = environments["UIT"].id
    # The register's demo may have made the first tranche already (and placed its Qualification participants).
    one = db.session.scalar(select(Tranche).where(Tranche.route == Route.QUALIFICATION,
                                                  Tranche.name == "Qualification tranche 1")) or services.add_tranche(
        manager, Route.QUALIFICATION, "Qualification tranche 1", uit, today - timedelta(days=10),
        today + timedelta(days=50), "MHHS Code Bodies' panel")
    services.add_tranche(manager, Route.QUALIFICATION, "Qualification tranche 2", uit,
                         one.last_day + timedelta(days=1), one.last_day + timedelta(days=60), "MHHS Code Bodies' panel")
    if fenland.qualification_tranche_id is None:
        services.place_in_tranche(manager, one, fenland.id)
    functional = db.session.scalar(select(TestPhase.id).where(TestPhase.name == "SIT Functional cycle 3"))
    settlement = db.session.scalar(select(TestPhase.id).where(TestPhase.name == "SIT Settlement"))
    monday = _week_ahead(today)
    booked_then = utcnow() - timedelta(days=7)  # booked a week ago, with the notice the rule asks

    def book(by, who, day, start, end, purpose, **extra):
        return lambda: services.book(by, environments[extra.pop("environment", "SIT-A")].id,
                                     extra.pop("phase_id", functional), [who.id], _at(day, start), _at(day, end),
                                     purpose, now=booked_then, **extra)

    # A recurring series: Redbank tests on SIT-A each weekday until Friday, from the first day and hour that no
    # demo RFC window takes.
    series = _first_that_fits([book(manager, redbank, monday + timedelta(days=day), hour, hour + 2, Purpose.TESTING,
                                    repeat_until=monday + timedelta(days=4),
                                    note="SIT Functional cycle 3, Redbank's scenarios")
                               for day in (0, 1, 2) for hour in (9, 10, 11, 13, 14)])
    _first_that_fits([book(manager, northwold, monday + timedelta(days=1), hour, hour + 1, Purpose.CONNECTIVITY,
                           note="DIP connectivity proving") for hour in (14, 15, 16, 12)])
    _first_that_fits([book(manager, brightmeter, monday + timedelta(days=2), hour, hour + 2, Purpose.DATA_LOAD,
                           environment="SIT-B", phase_id=settlement, note="Settlement reference data")
                      for hour in (10, 13, 15)])
    # A pending request: Fenland (Qualification, its environment connects to UIT) asks for connectivity proving in
    # UIT on Thursday afternoon.
    _first_that_fits([book(users["Fenland Networks"], fenland, monday + timedelta(days=3), hour, hour + 1,
                           Purpose.CONNECTIVITY, environment="UIT", phase_id=None,
                           note="Retry of the failed acknowledgement flows")
                      for hour in (15, 16, 11)])
    # Declined, with a waitlisted follow-up: Brightmeter (its SIT-A environment being built) asked for SIT-A
    # connectivity proving on Tuesday afternoon; the Release Manager declined it (a migration rehearsal); it then
    # asked for Tuesday morning, held by Redbank's series.
    declined = _first_that_fits([book(users["Brightmeter Services"], brightmeter, monday + timedelta(days=1), hour,
                                      hour + 1, Purpose.CONNECTIVITY) for hour in (16, 15, 12)])
    if declined:
        services.decline(manager, declined[0], "SIT-A is reserved for a migration rehearsal that afternoon; "
                                               "ask for a morning slot.")
    if series:
        held = series[1]
        _first_that_fits([lambda: services.book(
            users["Brightmeter Services"], environments["SIT-A"].id, functional, [brightmeter.id], held.start,
            held.end, Purpose.CONNECTIVITY, note="Any morning this week will do", now=booked_then)])
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Slot))
