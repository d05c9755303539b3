"""Participants and what their connectivity proving rests on (officers, certificates, intervals), made straight as
rows for the proving tests."""
from datetime import date, timedelta

from sqlalchemy import select

from mhhs.certificates.models import Kind, OfficerRole, PkiOfficer, Scheme
from mhhs.core.passwords import hash_password
from mhhs.core.permissions import Role
from mhhs.core.time import utcnow
from mhhs.directory.models import Environment, MarketRole, Organisation, OrgKind, User
from mhhs.directory.reference_data import DEMO_PASSWORD
from mhhs.extensions import db
from mhhs.participants.models import (
    OnboardingInterval,
    Participant,
    ParticipantEnvironment,
    ParticipantKind,
    Route,
)
from tests.certificates.factory import make_certificate


def environment(name):
    return db.session.scalar(select(Environment).where(Environment.name == name))


def make_interval(number, first_day=None):
    interval = db.session.scalar(select(OnboardingInterval).where(OnboardingInterval.number == number))
    if interval is None:
        first_day = first_day or date(2027, 1, 4) + timedelta(weeks=4 * number)
        interval = OnboardingInterval(number=number, first_day=first_day, last_day=first_day + timedelta(days=27))
        db.session.add(interval)
        db.session.flush()
    return interval


def make_organisation(name, email=None):
    """A Test Participant organisation, with one user when an e-mail address is given."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(name=name, kind=OrgKind.TEST_PARTICIPANT)
        db.session.add(organisation)
        db.session.flush()
    if email and db.session.scalar(select(User).where(User.email == email)) is None:
        db.session.add(User(email=email, name=f"{name} tester", role=Role.TEST_PARTICIPANT,
                            organisation_id=organisation.id, password_hash=hash_password(DEMO_PASSWORD)))
        db.session.flush()
    return organisation


def make_participant(organisation_name="Northwold Energy", interval=3, environment_name="SIT-A",
                     market_roles=("SUP-D",), kind=ParticipantKind.SUPPLIER, route=Route.SIT, email=None):
    """A register entry with an own environment connecting to `environment_name` (so it proves connectivity there)."""
    organisation = make_organisation(organisation_name, email)
    participant = Participant(organisation_id=organisation.id, kind=kind, route=route,
                              interval_id=make_interval(interval).id if interval else None,
                              environment_manager_name="Erin Manager", environment_manager_email="erin@example.test")
    participant.market_roles = list(db.session.scalars(select(MarketRole).where(MarketRole.code.in_(market_roles))))
    db.session.add(participant)
    db.session.flush()
    if environment_name:
        db.session.add(ParticipantEnvironment(participant_id=participant.id, name=f"{organisation_name} test",
                                              serves="SIT Functional",
                                              environment_id=environment(environment_name).id))
    db.session.commit()
    return participant


def make_dip_officer(organisation_id, role=OfficerRole.SRO, environment_name=None, name="Olive Officer"):
    officer = PkiOfficer(organisation_id=organisation_id, role=role, scheme=Scheme.DIP, name=name,
                         email=f"{name.split()[0].lower()}@example.test",
                         environment_id=environment(environment_name).id if environment_name else None)
    db.session.add(officer)
    db.session.commit()
    return officer


def officers_for(participant, environment_name="SIT-A"):
    """A DIP SRO and a Technical Contact for the environment: step 1 done."""
    make_dip_officer(participant.organisation_id)
    return make_dip_officer(participant.organisation_id, OfficerRole.TECHNICAL_CONTACT, environment_name,
                            name="Tom Contact")


def certificates_for(participant, environment_name="SIT-A", days=365):
    """Current DIP TLS and JWS certificates for the environment: step 2 done."""
    organisation = db.session.get(Organisation, participant.organisation_id)
    return [make_certificate(organisation.name, environment_name, days=days, kind=kind, mpid="NWEN",
                             common_name=f"{kind.name.lower()}.{participant.id}.{utcnow():%f}.test")
            for kind in (Kind.DIP_TLS, Kind.DIP_JWS)]
