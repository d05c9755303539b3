"""Times the readiness matrix and the health-check page over many participants (20 entry criteria each, a mix of
met, waived and open) and a year of health checks of every central system in every environment; prints figures.

Usage: .venv/bin/python scripts/bench_readiness.py [days ...] [--rounds N]   (after the participants' fill)
"""
import argparse
import random
from datetime import datetime, time, timedelta

import bench_participants
from benchkit import bench_app, logged_in, report
from sqlalchemy import insert, select, update

from mhhs.core.changes import REFERENCE, bump
from mhhs.core.time import is_business_day, london_to_utc, to_london, utcnow
from mhhs.directory.models import Environment, System, User, environment_systems
from mhhs.extensions import db
from mhhs.participants.models import Participant, Route
from mhhs.readiness.models import CriterionMark, Derived, EntryCriterion, Health, HealthCheck, Mark

CRITERIA = 20  # per phase: every participant on the phase's route has all of them
# The derived ones first (those the participants' fill gives data to: connectivity signed off for the phase's central
# environment, Environment Manager, own environment, standing data), then by hand.
DERIVED = (Derived.CONNECTIVITY, Derived.ENVIRONMENT_MANAGER, Derived.OWN_ENVIRONMENT, Derived.STANDING_DATA)
PHASE_ENVIRONMENT = {Route.SIT: "SIT-A", Route.QUALIFICATION: "UIT", Route.SANDBOX: "UIT"}
# How far along a participant is: (share of participants, share of its criteria by hand met, waived, the rest open)
PROGRESS = ((0.30, 1.0, 0.0), (0.20, 0.85, 0.15), (0.30, 0.80, 0.05), (0.20, 0.40, 0.05))
HEALTH = [Health.GREEN] * 8 + [Health.AMBER, Health.RED]


def _criteria(environments):
    """CRITERIA entry criteria for every phase, as rows."""
    return [dict(phase=phase, text=f"{phase.label} entry criterion {n + 1}", evidence_required=n % 3 == 0,
                 derived=DERIVED[n] if n < len(DERIVED) else None,
                 environment_id=environments[PHASE_ENVIRONMENT[phase]]
                 if n < len(DERIVED) and DERIVED[n].needs_environment else None, position=n)
            for phase in Route for n in range(CRITERIA)]


def _marks(rng, participants, manual, manager, now):
    """The participants' marks on the criteria by hand of their route: a realistic mix by PROGRESS (ready, ready with
    waivers, nearly, behind), waivers ending from three weeks ago (expired: open again) to two months ahead."""
    marks = []
    for participant, route in participants:
        _, met, waived = rng.choices(PROGRESS, weights=[share for share, _, _ in PROGRESS])[0]
        for criterion in manual[route]:
            roll = rng.random()
            if roll < met:
                marks.append(dict(criterion_id=criterion, participant_id=participant, mark=Mark.MET,
                                  note="Evidence on the SharePoint", by_id=manager, at=now))
            elif roll < met + waived:
                marks.append(dict(criterion_id=criterion, participant_id=participant, mark=Mark.WAIVED,
                                  note="Agreed at the EWG", waived_until=now.date() + timedelta(rng.randint(-21, 60)),
                                  by_id=manager, at=now))
    return marks


def _checks(rng, days, environments, systems, manager, now):
    """`days` days back from today of morning checks: business days only, about 2 % missing, 5 % late."""
    today, checks = to_london(now).date(), []
    for back in range(days):
        day = today - timedelta(days=back)
        if not is_business_day(day):
            continue
        for environment in environments:
            for system in systems:
                if rng.random() < 0.02:
                    continue
                late = rng.random() < 0.05
                reported = london_to_utc(datetime.combine(day, time(10 if late else 8, rng.randint(0, 59))))
                checks.append(dict(system_id=system, environment_id=environment, day=day, health=rng.choice(HEALTH),
                                   note="", first_reported_at=reported, reported_at=reported,
                                   reported_by_id=manager))
    return checks


def fill(days, seed=3):
    """CRITERIA entry criteria for every phase (four kept by the data), the register's participants' marks on the
    others of their route (a mix of met, waived and open), most participants' standing data declared, and `days`
    days of morning health checks (business days, back from today) of every central system in every environment,
    each system linked to each environment first (the reference counter bumped: core/changes.py). Bulk inserts."""
    rng, now = random.Random(seed), utcnow()
    manager = db.session.scalar(select(User.id).where(User.email == "rm.sit@demo.test"))
    environments = dict(db.session.execute(select(Environment.name, Environment.id)
                                           .order_by(Environment.position)).all())
    systems = db.session.scalars(select(System.id).order_by(System.name)).all()
    linked = set(db.session.execute(select(environment_systems.c.environment_id, environment_systems.c.system_id)))
    missing = [{"environment_id": e, "system_id": s} for e in environments.values() for s in systems
               if (e, s) not in linked]
    if missing:
        db.session.execute(insert(environment_systems), missing)
        bump(REFERENCE)
    db.session.execute(insert(EntryCriterion), _criteria(environments))
    manual = {phase: [] for phase in Route}
    for criterion, phase in db.session.execute(select(EntryCriterion.id, EntryCriterion.phase)
                                               .where(EntryCriterion.derived.is_(None))):
        manual[phase].append(criterion)
    participants = db.session.execute(select(Participant.id, Participant.route).order_by(Participant.id)).all()
    declared = [p for p, _ in participants if rng.random() < 0.7]
    db.session.execute(update(Participant).where(Participant.id.in_(declared))
                       .values(isd_loaded_on=now.date() - timedelta(days=30)))
    rows = ((CriterionMark, _marks(rng, participants, manual, manager, now)),
            (HealthCheck, _checks(rng, days, environments.values(), systems, manager, now)))
    for model, found in rows:
        for chunk in range(0, len(found), 10_000):
            db.session.execute(insert(model), found[chunk:chunk + 10_000])
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
