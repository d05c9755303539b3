"""Times the certificate dashboard and its CSV export over many certificates; prints figures.

Usage: .venv/bin/python scripts/bench_certificates.py [certificates] [rounds]
"""
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
from mhhs.certificates.models import Certificate, Kind  # noqa: E402
from mhhs.config import Config  # noqa: E402
from mhhs.core.time import utcnow  # noqa: E402
from mhhs.directory.models import Environment, Organisation  # noqa: E402
from mhhs.directory.seed import seed_demo, seed_reference  # noqa: E402
from mhhs.extensions import db  # noqa: E402


def timed(client, url, rounds, engine):
    timings, queries = [], []
    for _ in range(rounds):
        count = [0]

        def counter(*args):
            count[0] += 1
        event.listen(engine, "before_cursor_execute", counter)
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        event.remove(engine, "before_cursor_execute", counter)
        queries.append(count[0])
        assert response.status_code == 200
    return statistics.median(timings), max(queries), len(response.data)


def main(total, rounds):
    with tempfile.TemporaryDirectory() as tmp:
        class BenchConfig(Config):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.sqlite"

        app = create_app(BenchConfig)
        with app.app_context():
            upgrade()
            seed_reference()
            seed_demo()
            organisations = db.session.scalars(select(Organisation.id)).all()
            environments = db.session.scalars(select(Environment.id)).all()
            now, rng = utcnow(), random.Random(7)
            rows = [dict(organisation_id=rng.choice(organisations), environment_id=rng.choice(environments),
                         kind=rng.choice(list(Kind)), mpid="", subject=f"CN=bench-{i}.test", issuer="CN=Bench CA",
                         serial=format(i, "X"), valid_from=now - timedelta(days=300),
                         valid_to=now + timedelta(days=rng.randint(-60, 700)),
                         fingerprint=f"{i:064X}", alt_names="", technical_contact="", der=b"\x30\x00",
                         uploaded_at=now) for i in range(total)]
            db.session.execute(insert(Certificate), rows)
            db.session.commit()
            engine = db.engine
        client = app.test_client()
        token = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
        client.post("/login", data={"email": "rm.sit@demo.test", "password": "demo-pass", "csrf_token": token})
        for label, url in (("dashboard page 1", "/certificates"),
                           ("dashboard, status filter", "/certificates?status=expiring+within+30+days"),
                           ("dashboard page 200", "/certificates?page=200"),
                           ("CSV export (all)", "/certificates/export.csv")):
            ms, queries, size = timed(client, url, rounds, engine)
            print(f"{label:28} {total:>6} certificates: median {ms:8.1f} ms, {queries} queries, {size:>9} bytes")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, int(sys.argv[2]) if len(sys.argv) > 2 else 5)
