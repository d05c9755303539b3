"""Participants, entry criteria and health checks made through the real services (or as plain rows where the
participants' own services are another issue's), as the tests of readiness need them."""
from datetime import date

from sqlalchemy import select

from mhhs.core.time import utcnow
from mhhs.directory.models import Environment, Organisation, OrgKind, System, User
from mhhs.extensions import db
from mhhs.participants.models import Participant, ParticipantKind, Route
from mhhs.readiness import criteria, health
from mhhs.readiness.models import EntryCriterion


def user(email):
    return db.session.scalar(select(User).where(User.email == email))


def environment(name):
    return db.session.scalar(select(Environment).where(Environment.name == name))


def system(name):
    return db.session.scalar(select(System).where(System.name == name))


def make_participant(name="Northwold Energy", route=Route.SIT, kind=ParticipantKind.SUPPLIER, **values):
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(name=name, kind=OrgKind.TEST_PARTICIPANT)
        db.session.add(organisation)
        db.session.flush()
    participant = Participant(organisation_id=organisation.id, route=route, kind=kind, **values)
    db.session.add(participant)
    db.session.commit()
    return participant


def make_criterion(text="Test data loaded and verified", phase=Route.SIT, **values):
    values = {"phase": phase.value, "text": text, **values}
    return criteria.save_criterion(user("rm.sit@demo.test"), EntryCriterion(), values)


def report(email="dip@demo.test", system_name="DIP", environment_name="SIT-A", day=None, level="green", note="",
           now=None):
    now = now or utcnow()
    return health.report(user(email), day or criteria.today_in_london(now),
                         [health.Entry(system(system_name), environment(environment_name), level, note)], now=now)


def on(day):
    """A day as a date (readability in tables)."""
    return date.fromisoformat(day)
