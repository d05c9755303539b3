"""Times the readiness matrix and the health-check page over many participants and a year of health checks;
prints figures.

Usage: .venv/bin/python scripts/bench_readiness.py [days ...] [--rounds N]   (after the participants' fill)
"""
import argparse
import random
from datetime import datetime, time, timedelta

import bench_participants
from benchkit import bench_app, logged_in, report
from sqlalchemy import insert, select

from mhhs.core.changes import REFERENCE, bump
from mhhs.core.time import is_business_day, london_to_utc, to_london, utcnow
from mhhs.directory.models import Environment, System, User, environment_systems
from mhhs.extensions import db
from mhhs.participants.models import Participant, Route
from mhhs.readiness.models import CriterionMark, Derived, EntryCriterion, Health, HealthCheck, Mark

CRITERIA = 20
DERIVED = (Derived.CONNECTIVITY, Derived.ENVIRONMENT_MANAGER, Derived.OWN_ENVIRONMENT, Derived.STANDING_DATA)
HEALTH = [Health.GREEN] * 8 + [Health.AMBER, Health.RED]


def fill(days, seed=3):
    """CRITERIA entry criteria of SIT (four kept by the data), the register's participants' marks on the others (about
    half met, a few waived), and `days` days of morning health checks (business days, back from today) of every
    central system in every environment, each system linked to each environment first (the reference counter bumped:
    core/changes.py)."""
    rng, now = random.Random(seed), utcnow()
    manager = db.session.scalar(select(User.id).where(User.email == "rm.sit@demo.test"))
    environments = db.session.scalars(select(Environment).order_by(Environment.position)).all()
    systems = db.session.scalars(select(System).order_by(System.name)).all()
    sit_a = next(e.id for e in environments if e.name == "SIT-A")
    linked = set(db.session.execute(select(environment_systems.c.environment_id, environment_systems.c.system_id)))
    missing = [{"environment_id": e.id, "system_id": s.id} for e in environments for s in systems
               if (e.id, s.id) not in linked]
    if missing:
        db.session.execute(insert(environment_systems), missing)
        bump(REFERENCE)
    db.session.execute(insert(EntryCriterion), [
        dict(phase=Route.SIT, text=f"Entry criterion {n + 1}", evidence_required=n % 3 == 0,
             derived=DERIVED[n] if n < len(DERIVED) else None,
             environment_id=sit_a if n < len(DERIVED) and DERIVED[n].needs_environment else None, position=n)
        for n in range(CRITERIA)])
    manual = db.session.scalars(select(EntryCriterion.id).where(EntryCriterion.derived.is_(None))).all()
    participants = db.session.scalars(select(Participant.id)).all()
    marks = []
    for participant in participants:
        for criterion in manual:
            draw = rng.random()
            if draw < 0.5:
                marks.append(dict(criterion_id=criterion, participant_id=participant, mark=Mark.MET,
                                  note="Evidence on the SharePoint", by_id=manager, at=now))
            elif draw < 0.55:
                marks.append(dict(criterion_id=criterion, participant_id=participant, mark=Mark.WAIVED,
                                  note="Agreed at the EWG", waived_until=now.date() + timedelta(days=30),
                                  by_id=manager, at=now))
    today = to_london(now).date()
    checks = []
    for back in range(days):
        day = today - timedelta(days=back)
        if not is_business_day(day):
            continue
        reported = london_to_utc(datetime.combine(day, time(8, rng.randint(0, 59))))
        checks += [dict(system_id=s.id, environment_id=e.id, day=day, health=rng.choice(HEALTH), note="",
                        first_reported_at=reported, reported_at=reported, reported_by_id=manager)
                   for e in environments for s in systems]
    for model, rows in ((CriterionMark, marks), (HealthCheck, checks)):
        for chunk in range(0, len(rows), 10_000):
            db.session.execute(insert(model), rows[chunk:chunk + 10_000])
    db.session.commit()


def main(sizes, rounds):
    for days in sizes:
        with bench_app() as app:
            with app.app_context():
                bench_participants.fill(500 if days >= 365 else 10)
                fill(days)
            client = logged_in(app)
            report(app, client, [("readiness matrix", "/readiness"), ("health checks", "/readiness/health")],
                   days, "days", rounds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[14, 365])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    main(args.sizes, args.rounds)
