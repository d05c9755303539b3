"""Participants, sign-offs and slots for the allocation's tests (the register's demo comes with issue 26a)."""
from datetime import date, datetime, timedelta

from sqlalchemy import select

from mhhs.allocation import services
from mhhs.allocation.models import Purpose
from mhhs.core.time import bank_holiday, london_to_utc, utcnow
from mhhs.directory.models import Environment, Organisation, User
from mhhs.extensions import db
from mhhs.participants import proving
from mhhs.participants.models import (
    Participant,
    ParticipantEnvironment,
    ParticipantKind,
    ParticipantOutage,
    Route,
    StepStatus,
)
from tests.participants.proving_factory import certificates_for, officers_for

MANAGER = "rm.sit@demo.test"


def user(email=MANAGER):
    return db.session.scalar(select(User).where(User.email == email))


def environment(name="SIT-A"):
    return db.session.scalar(select(Environment).where(Environment.name == name))


def make_participant(organisation="Northwold Energy", route=Route.SIT, passed_route=None):
    org = db.session.scalar(select(Organisation).where(Organisation.name == organisation))
    found = db.session.scalar(select(Participant).where(Participant.organisation_id == org.id))
    if found:
        return found
    participant = Participant(organisation_id=org.id, kind=ParticipantKind.SUPPLIER, route=route,
                              passed_route=passed_route)
    db.session.add(participant)
    db.session.commit()
    return participant


def sign_off(participant, environment_name="SIT-A"):
    """Connectivity to the environment proven (officers, certificates, steps 3-5) and signed off, as the EAP's quality
    gate asks (participants/proving.py)."""
    officers_for(participant, environment_name)
    certificates_for(participant, environment_name)
    sent = {"message_id": "MSG-1", "message_at": utcnow() - timedelta(hours=1)}
    for step in (3, 4, 5):
        proving.record_step(user(), participant, environment(environment_name), step, {
            "status": StepStatus.DONE, "blocked_by": "", "not_applicable_reason": "", "note": "", "message_id": "",
            "message_at": None, **(sent if step == 4 else {})})
    proving.sign_off(user(), participant, environment(environment_name))


def unavailable(participant, starts, ends, environment_name="SIT-A"):
    own = ParticipantEnvironment(participant_id=participant.id, name="NWE test 1", environment_id=environment(
        environment_name).id)
    db.session.add(own)
    db.session.flush()
    db.session.add(ParticipantOutage(participant_environment_id=own.id, starts=starts, ends=ends, reason="Refresh",
                                     logged_by_id=user().id, logged_at=utcnow()))
    db.session.commit()


def next_monday(weeks=2):
    """A Monday at least `weeks` weeks ahead that is no bank holiday: notice is given whatever today is."""
    today = date.today()
    day = today + timedelta(days=7 * weeks - today.weekday())
    while any(bank_holiday(day + timedelta(days=i)) for i in range(5)):
        day += timedelta(days=7)
    return day


def at(day, hour, minute=0):
    """Naive UTC of a UK wall-clock time on a day."""
    return london_to_utc(datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute))


def book(participants, start, end, by=MANAGER, environment_name="SIT-A", purpose=Purpose.CONNECTIVITY, **extra):
    return services.book(user(by) if isinstance(by, str) else by, environment(environment_name).id,
                         extra.pop("phase_id", None),
                         [p.id for p in participants], start, end, purpose, **extra)
