"""Times one login request (Argon2id at the production cost) through the real app; prints figures.

Usage: .venv/bin/python scripts/bench_login.py [rounds]
"""
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from mhhs import create_app  # noqa: E402
from mhhs.config import Config  # noqa: E402
from mhhs.directory.seed import seed_demo, seed_reference  # noqa: E402


def main(rounds):
    with tempfile.TemporaryDirectory() as tmp:
        class BenchConfig(Config):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.sqlite"
            LOGIN_MAX_FAILURES = 10**9

        app = create_app(BenchConfig)
        with app.app_context():
            upgrade()
            seed_reference()
            seed_demo()
        timings = []
        for _ in range(rounds):
            client = app.test_client()
            token = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
            start = time.perf_counter()
            response = client.post("/login", data={"email": "rm.sit@demo.test", "password": "demo-pass",
                                                   "csrf_token": token})
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 303
        cost = f"time_cost={Config.ARGON2_TIME_COST}, memory_cost={Config.ARGON2_MEMORY_COST} KiB"
        print(f"login POST (Argon2id {cost}), {rounds} rounds: "
              f"median {statistics.median(timings):.1f} ms, min {min(timings):.1f} ms, max {max(timings):.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
