"""Times the outage log, its CSV export and the availability page over many outages; prints figures.

Usage: .venv/bin/python scripts/bench_outages.py [outages ...] [--rounds N]
"""
import argparse
import random
from datetime import timedelta

from benchkit import bench_app, logged_in, report
from sqlalchemy import insert, select

from mhhs.core.changes import OUTAGES, bump
from mhhs.core.time import utcnow
from mhhs.directory.models import Environment, User
from mhhs.extensions import db
from mhhs.outages import downtime
from mhhs.outages.models import PLANNED_CATEGORIES, UNPLANNED_CATEGORIES, Outage, outage_systems


def fill(total):
    environments = db.session.scalars(select(Environment)).all()
    reporter = db.session.scalar(select(User).where(User.email == "rm.sit@demo.test"))
    now, rng = utcnow(), random.Random(11)
    rows, links = [], []
    for i in range(total):
        environment = rng.choice(environments)
        system = rng.choice(environment.systems)
        planned = rng.random() < 0.4
        start = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        rows.append(dict(id=i + 1, environment_id=environment.id, organisation_id=system.organisation_id,
                         planned=planned,
                         category=rng.choice(PLANNED_CATEGORIES if planned else UNPLANNED_CATEGORIES),
                         start=start, end=start + timedelta(minutes=rng.randint(5, 600)),
                         description=f"Outage {i}", impact="", defect_reference="", root_cause="",
                         reported_by_id=reporter.id, reporter_organisation_id=reporter.organisation_id,
                         created_at=now, row_version=1))
        links.append({"outage_id": i + 1, "system_id": system.id})
    for chunk in range(0, total, 20_000):
        db.session.execute(insert(Outage), rows[chunk:chunk + 20_000])
        db.session.execute(insert(outage_systems), links[chunk:chunk + 20_000])
    bump(OUTAGES)  # outages added beside the ORM: the board and the longest outage (core/changes.py)
    db.session.commit()
    downtime.rebuild(now)  # the stored downtime days, as `flask outages rebuild-downtime` makes them


def main(sizes, rounds):
    for total in sizes:
        with bench_app() as app:
            with app.app_context():
                fill(total)
            client = logged_in(app)
            rows_only = {"HX-Request": "true", "HX-Target": "outage-rows"}
            report(app, client, [
                ("outages page (board + log)", "/outages"),
                ("log rows, page 1", "/outages", rows_only),
                ("log rows, filtered", "/outages?planned=unplanned&q=99", rows_only),
                ("log rows, page 200", "/outages?page=200", rows_only),
                ("availability, 8 weeks", "/outages/availability"),
                ("availability, 12 months", "/outages/availability?period=month&count=12"),
                ("availability CSV, 12 months", "/outages/availability.csv?period=month&count=12"),
                ("log CSV, everything", "/outages/export.csv")], total, "outages", rounds)

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[10, 100_000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    main(args.sizes, args.rounds)
