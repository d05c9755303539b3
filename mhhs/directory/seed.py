"""Loads the reference data (and, for the demo database, demo participants and users); idempotent."""
from datetime import timedelta

from sqlalchemy import select

from ..core.passwords import hash_password
from ..core.registry import functions
from ..extensions import db
from . import reference_data as ref
from .models import Environment, MajorRelease, MarketRole, Organisation, OrgKind, Phase, System, User
from .services import index_system

# What the higher packages seed with the reference data (registered in create_app): each returns how many it added.
SEED_REFERENCE = "seed_reference"


def seed_reference():
    """Returns the number of rows added."""
    added = []

    def add(model, key, **values):
        column, value = next(iter(key.items()))
        row = db.session.scalar(select(model).where(getattr(model, column) == value))
        if row is None:
            row = model(**key, **values)
            db.session.add(row)
            db.session.flush()
            added.append(row)
        return row

    add(Organisation, {"name": ref.PROGRAMME_ORG}, kind=OrgKind.PROGRAMME)
    environments = [
        (add(Environment, {"name": name}, phase=phase, purpose=purpose, available_from=start,
             available_to=end, position=position), absent)
        for position, (name, phase, purpose, start, end, absent) in enumerate(ref.ENVIRONMENTS)
    ]
    for org_name, (fix_forward, systems) in ref.CENTRAL_PARTIES.items():
        org = add(Organisation, {"name": org_name}, kind=OrgKind.CENTRAL_PARTY, fix_forward=fix_forward)
        for system_name, (hours, backups) in systems.items():
            kind, days, start, end, gate = ref.SUPPORT_HOURS.get(system_name, ("tbc", ref.WEEKDAYS, None, None, None))
            runs, run_days, run_start, run_end = ref.OPERABLE_HOURS.get(system_name, ("tbc", ref.WEEKDAYS, None, None))
            system = add(System, {"name": system_name}, organisation_id=org.id, support_hours=hours,
                         backup_regime=backups,
                         support_kind=kind, support_days=days, support_start=start, support_end=end, gate_closure=gate,
                         operable_kind=runs, operable_days=run_days, operable_start=run_start, operable_end=run_end,
                         end_of_day_batch=ref.END_OF_DAY_BATCH.get(system_name),
                         monitoring=ref.MONITORING.get(system_name, ""))
            if system in added:
                index_system(system)
                system.environments = [env for env, absent in environments if system_name not in absent]
    for code, (name, central) in ref.MARKET_ROLES.items():
        add(MarketRole, {"code": code}, name=name, central=central)
    for name, (when, confirmed, purpose) in ref.ROADMAP.items():
        add(MajorRelease, {"name": name}, planned_date=when, date_confirmed=confirmed, purpose=purpose)
    db.session.commit()
    return len(added) + sum(seed() for seed in functions(SEED_REFERENCE))


def seed_demo():
    """Demo Test Participants and the demo users; returns the number of rows added."""
    added = 0
    for name, mpids in ref.DEMO_PARTICIPANTS.items():
        if db.session.scalar(select(Organisation).where(Organisation.name == name)) is None:
            tests_in = db.session.scalars(select(Environment).where(
                Environment.name.in_(ref.DEMO_TESTS_IN.get(name, ())))).all()
            db.session.add(Organisation(name=name, kind=OrgKind.TEST_PARTICIPANT, mpids=mpids, tests_in=tests_in))
            added += 1
    db.session.flush()
    password_hash = None
    for email, (name, role, org_name, phases) in ref.DEMO_USERS.items():
        if db.session.scalar(select(User).where(User.email == email)) is not None:
            continue
        password_hash = password_hash or hash_password(ref.DEMO_PASSWORD)
        org = db.session.scalar(select(Organisation).where(Organisation.name == org_name))
        db.session.add(User(email=email, name=name, role=role, organisation_id=org.id, password_hash=password_hash,
                            scope_sit=Phase.SIT in phases, scope_uit=Phase.UIT in phases))
        added += 1
    db.session.commit()
    return added


def cover_demo_period(today, before_days=200, after_days=365):
    """Demo database only: every environment is available over the demo's period, so that its windows (weeks
    before and after today) raise no availability warning. The reference seed keeps the EAP's published dates."""
    for environment in db.session.scalars(select(Environment)):
        environment.available_from = today - timedelta(days=before_days)
        environment.available_to = today + timedelta(days=after_days)
    db.session.commit()
