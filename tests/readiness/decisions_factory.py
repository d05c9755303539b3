"""Stages, decisions, EWG meetings and their owners made through the real services, as a Release Manager would."""
from datetime import timedelta

from sqlalchemy import select

from mhhs.allocation.models import TestPhase
from mhhs.directory.models import Environment, Organisation, System, User
from mhhs.extensions import db
from mhhs.notifications.models import MailGroup
from mhhs.readiness import decisions, ewg, proving_tests
from mhhs.readiness.owned import today

MANAGER = "rm.sit@demo.test"


def user(email=MANAGER):
    return db.session.scalar(select(User).where(User.email == email))


def environment(name="SIT-A"):
    return db.session.scalar(select(Environment).where(Environment.name == name))


def system(name="DIP"):
    return db.session.scalar(select(System).where(System.name == name))


def organisation(name):
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def ewg_list(*emails):
    """The EWG distribution list with these members (the Release Manager and the DIP's Central Party by default)."""
    group = db.session.scalar(select(MailGroup).where(MailGroup.key == MailGroup.EWG))
    group.members = [user(e) for e in (emails or (MANAGER, "dip@demo.test"))]
    db.session.commit()
    return group


def make_stage(name="SIT Functional cycle 4", environment_name="SIT-A", starts_in=14, days=30):
    first = today() + timedelta(days=starts_in)
    stage = TestPhase(name=name, environment_id=environment(environment_name).id, first_day=first,
                      last_day=first + timedelta(days=days))
    db.session.add(stage)
    db.session.commit()
    return stage


def prove(kind, result="passed", system_name="DIP", environment_name="SIT-A", email=MANAGER,
          evidence="Ping and DNS answered"):
    return proving_tests.record_proving(user(email), environment(environment_name), system(system_name), kind,
                                        {"result": result, "evidence": evidence,
                                         "tested_on": today() - timedelta(days=1)})


def condition(text="Prove the DIP alert", owner="organisation:Avanade", due_in=7):
    kind, _, name = owner.partition(":")
    owner_id = organisation(name).id if kind == "organisation" else user(name).id
    return {"text": text, "owner": f"{kind}:{owner_id}", "due_on": today() + timedelta(days=due_in)}


def make_decision(stage=None, outcome="conditional_go", conditions=None, rationale="Ready but for monitoring"):
    stage = stage or make_stage()
    group = ewg_list()
    given = [condition()] if conditions is None else conditions
    return decisions.record_decision(user(), stage, {"outcome": outcome, "rationale": rationale,
                                                     "mail_group_id": group.id},
                                     list(enumerate(given, 1)))


def make_meeting(on_day=None):
    """The meetings of on_day's month and the next; returns the first."""
    made = ewg.generate(on_day)
    return made[0] if made else None
