"""Queries and time of the RFC list and the approval queue at a given number of RFCs; prints figures.

Usage: .venv/bin/python scripts/bench_rfcs.py [rfcs ...] [--rounds N]
"""
import argparse
import random
from datetime import timedelta

from benchkit import bench_app, logged_in, report
from sqlalchemy import insert, select

from mhhs.baseline.versions import sort_key
from mhhs.core.changes import WINDOWS, bump
from mhhs.core.time import utcnow
from mhhs.directory.models import Environment, System, User
from mhhs.extensions import db
from mhhs.rfcs.models import Defect, Rfc, rfc_environments
from mhhs.rfcs.services import rebuild_pending
from mhhs.rfcs.states import ReleaseType, RfcStatus


def fill(total):
    systems = db.session.scalars(select(System)).all()
    environments = db.session.scalars(select(Environment.id)).all()
    author = db.session.scalar(select(User.id).where(User.email == "dip@demo.test"))
    now, rng = utcnow(), random.Random(3)
    statuses = [RfcStatus.SUBMITTED, RfcStatus.APPROVED, RfcStatus.DEPLOYED, RfcStatus.CLOSED, RfcStatus.DRAFT]
    rows = []
    for i in range(total):
        system = rng.choice(systems)
        start = now + timedelta(hours=rng.randint(-2000, 2000))
        rows.append(dict(id=i + 1, organisation_id=system.organisation_id, system_id=system.id,
                         release_type=rng.choice(list(ReleaseType)), version=f"{i}.0.0.0", title=f"Release {i}",
                         version_key=sort_key(f"{i}.0.0.0"),
                         reason="Bench", window_start=start, window_end=start + timedelta(hours=2), window_minutes=121,
                         expected_downtime=30, status=rng.choice(statuses), revision=1, created_by_id=author,
                         created_at=now, updated_at=now, submitted_at=now, row_version=1,
                         implementation_plan="", rollback_plan="", stakeholders_impacted="", known_issues="",
                         installation_instructions=""))
    db.session.execute(insert(Rfc), rows)
    db.session.execute(insert(rfc_environments), [
        {"rfc_id": i + 1, "environment_id": env} for i in range(total)
        for env in rng.sample(environments, rng.randint(1, 2))])
    db.session.execute(insert(Defect), [dict(rfc_id=i + 1, position=0, defect_id=f"DEF-{i}", severity="High",
                                             summary="Bench", found_in_id=environments[0]) for i in range(total)])
    bump(WINDOWS)  # RFCs added beside the ORM: the schedule (core/changes.py)
    db.session.commit()
    rebuild_pending()  # the approval queue's rows, as the services would have kept them


def main(sizes, rounds):
    for total in sizes:
        with bench_app() as app:
            with app.app_context():
                fill(total)
            client = logged_in(app)
            report(app, client, [("RFC list page 1", "/rfcs"), ("RFC list, filtered", "/rfcs?status=approved&q=1"),
                                 ("RFC list page 100", "/rfcs?page=100"), ("approval queue", "/approvals")],
                   total, "RFCs", rounds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[10, 5000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    main(args.sizes, args.rounds)
