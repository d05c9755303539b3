"""Participants, intervals, own environments and users of another Test Participant, made as rows for tests."""
from datetime import date, timedelta

from sqlalchemy import select

from mhhs.core.passwords import hash_password
from mhhs.core.permissions import Role
from mhhs.core.time import utcnow
from mhhs.directory.models import Environment, Organisation, OrgKind, User
from mhhs.directory.reference_data import DEMO_PASSWORD
from mhhs.extensions import db
from mhhs.participants.models import (
    EnvironmentStatus,
    OnboardingInterval,
    Participant,
    ParticipantEnvironment,
    ParticipantKind,
    ParticipantOutage,
    Route,
    Tranche,
)

OTHER_PARTICIPANT = "brightmeter@demo.test"  # a Test Participant user of another organisation than the supplier's


def make_interval(number=1, first_day=date(2026, 12, 14)):
    interval = db.session.scalar(select(OnboardingInterval).where(OnboardingInterval.number == number))
    if interval is None:
        interval = OnboardingInterval(number=number, first_day=first_day, last_day=first_day + timedelta(days=11))
        db.session.add(interval)
        db.session.commit()
    return interval


def make_tranche(route=Route.QUALIFICATION, name="Qualification tranche 1"):
    tranche = Tranche(route=route, name=name, first_day=date(2027, 1, 11), last_day=date(2027, 3, 5),
                      environment_id=db.session.scalar(select(Environment.id).where(Environment.name == "UIT")))
    db.session.add(tranche)
    db.session.commit()
    return tranche


def make_participant(organisation="Northwold Energy", route=Route.SIT, kind=ParticipantKind.SUPPLIER, **values):
    """The organisation's register entry (made once)."""
    org = db.session.scalar(select(Organisation).where(Organisation.name == organisation))
    if org is None:
        org = Organisation(name=organisation, kind=OrgKind.TEST_PARTICIPANT)
        db.session.add(org)
        db.session.flush()
    participant = db.session.scalar(select(Participant).where(Participant.organisation_id == org.id))
    if participant is None:
        participant = Participant(organisation_id=org.id, route=route, kind=kind, **values)
        db.session.add(participant)
        db.session.commit()
    return participant


def make_environment(organisation="Northwold Energy", name=None, central="SIT-A", **values):
    participant = make_participant(organisation)
    name = name or f"{organisation.split()[0]} {central}"
    environment = db.session.scalar(select(ParticipantEnvironment).where(
        ParticipantEnvironment.participant_id == participant.id, ParticipantEnvironment.name == name))
    if environment is None:
        environment = ParticipantEnvironment(
            participant_id=participant.id, name=name, serves="SIT Functional", status=EnvironmentStatus.READY,
            environment_id=db.session.scalar(select(Environment.id).where(Environment.name == central)),
            endpoints=values.get("endpoints", f"https://{central.lower()}.secret-{participant.id}.example/hooks"),
            host_names=values.get("host_names", f"{central.lower()}.secret-{participant.id}.example"),
            addresses=values.get("addresses", "203.0.113.77"))
        db.session.add(environment)
        db.session.commit()
    return environment


def make_other_participant_user(email=OTHER_PARTICIPANT, organisation="Brightmeter Services"):
    """A Test Participant user of another organisation, which is a participant too."""
    make_participant(organisation, kind=ParticipantKind.AGENT)
    if db.session.scalar(select(User.id).where(User.email == email)) is None:
        org_id = db.session.scalar(select(Organisation.id).where(Organisation.name == organisation))
        db.session.add(User(email=email, name="Bryn Meter", role=Role.TEST_PARTICIPANT, organisation_id=org_id,
                            password_hash=hash_password(DEMO_PASSWORD)))
        db.session.commit()
    return email


def user(email):
    return db.session.scalar(select(User).where(User.email == email))


def make_participant_outage(organisation="Northwold Energy", email="supplier@demo.test"):
    """An unplanned outage of the organisation's SIT-A environment, going on since an hour ago."""
    environment = make_environment(organisation)
    outage = db.session.scalar(select(ParticipantOutage).where(
        ParticipantOutage.participant_environment_id == environment.id))
    if outage is None:
        # going on now, expected to end within two hours (so it clashes with nothing booked for next week)
        outage = ParticipantOutage(participant_environment_id=environment.id, planned=False, reason="Webhooks down",
                                   starts=utcnow() - timedelta(hours=1), ends=utcnow() + timedelta(hours=2),
                                   logged_by_id=user(email).id,
                                   logged_at=utcnow())
        db.session.add(outage)
        db.session.commit()
    return outage
