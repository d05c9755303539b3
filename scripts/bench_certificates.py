"""Times the certificate dashboard and its CSV export over many certificates; prints figures.

Usage: .venv/bin/python scripts/bench_certificates.py [certificates ...] [--rounds N]
"""
import argparse
import random
from datetime import timedelta

from benchkit import bench_app, logged_in, report
from sqlalchemy import insert, select

from mhhs.certificates.models import Certificate, Kind
from mhhs.core.time import utcnow
from mhhs.directory.models import Environment, Organisation
from mhhs.extensions import db


def fill(total):
    organisations = db.session.scalars(select(Organisation.id)).all()
    environments = db.session.scalars(select(Environment.id)).all()
    now, rng = utcnow(), random.Random(7)
    db.session.execute(insert(Certificate), [
        dict(organisation_id=rng.choice(organisations), environment_id=rng.choice(environments),
             kind=rng.choice(list(Kind)), mpid="", subject=f"CN=bench-{i}.test", issuer="CN=Bench CA",
             serial=format(i, "X"), valid_from=now - timedelta(days=300),
             valid_to=now + timedelta(days=rng.randint(-60, 700)), fingerprint=f"{i:064X}", alt_names="",
             technical_contact="", der=b"\x30\x00", uploaded_at=now) for i in range(total)])
    db.session.commit()


def main(sizes, rounds):
    for total in sizes:
        with bench_app() as app:
            with app.app_context():
                fill(total)
            client = logged_in(app)
            report(app, client, [("dashboard page 1", "/certificates"),
                                 ("dashboard, status filter", "/certificates?status=expiring+within+30+days"),
                                 ("dashboard page 200", "/certificates?page=200"),
                                 ("CSV export (all)", "/certificates/export.csv")], total, "certificates", rounds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[10, 10_000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    main(args.sizes, args.rounds)
