"""Times the outage log, its CSV export and the availability page over many outages; prints figures.

Usage: .venv/bin/python scripts/bench_outages.py [outages ...] [--rounds N]
"""
import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, insert, select  # noqa: E402

from mhhs import create_app  # noqa: E402
from mhhs.config import Config  # noqa: E402
from mhhs.core.time import utcnow  # noqa: E402
from mhhs.directory.models import Environment, User  # noqa: E402
from mhhs.directory.seed import seed_demo, seed_reference  # noqa: E402
from mhhs.extensions import db  # noqa: E402
from mhhs.outages.models import PLANNED_CATEGORIES, UNPLANNED_CATEGORIES, Outage, outage_systems  # noqa: E402


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
    db.session.commit()


def measure(client, url, rounds, engine):
    timings, counts = [], []
    for _ in range(rounds):
        count = [0]

        def counter(*args):
            count[0] += 1
        event.listen(engine, "before_cursor_execute", counter)
        start = time.perf_counter()
        path, headers = url if isinstance(url, tuple) else (url, {})
        response = client.get(path, headers=headers)
        size = len(response.get_data())  # a streamed response is produced while it is read
        timings.append((time.perf_counter() - start) * 1000)
        event.remove(engine, "before_cursor_execute", counter)
        counts.append(count[0])
        assert response.status_code == 200
    return statistics.median(timings), max(counts), size


def main(sizes, rounds):
    for total in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            class BenchConfig(Config):
                SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.sqlite"

            app = create_app(BenchConfig)
            with app.app_context():
                upgrade()
                seed_reference()
                seed_demo()
                fill(total)
                engine = db.engine
            client = app.test_client()
            token = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
            client.post("/login", data={"email": "rm.sit@demo.test", "password": "demo-pass", "csrf_token": token})
            rows_only = {"HX-Request": "true", "HX-Target": "outage-rows"}
            for label, url in (("outages page (board + log)", "/outages"),
                               ("log rows, page 1", ("/outages", rows_only)),
                               ("log rows, filtered", ("/outages?planned=unplanned&q=99", rows_only)),
                               ("log rows, page 200", ("/outages?page=200", rows_only)),
                               ("availability, 8 weeks", "/outages/availability"),
                               ("availability, 12 months", "/outages/availability?period=month&count=12"),
                               ("availability CSV, 12 months", "/outages/availability.csv?period=month&count=12"),
                               ("log CSV, everything", "/outages/export.csv")):
                ms, queries, size = measure(client, url, rounds, engine)
                print(f"{label:28} {total:>7} outages: median {ms:8.1f} ms, {queries:>2} queries, {size:>9} bytes")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[10, 100_000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    main(args.sizes, args.rounds)
