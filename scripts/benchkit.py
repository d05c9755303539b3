"""What the benchmark scripts share: an app on a throwaway SQLite database with the reference and demo data,
a logged-in client, and a timer that also counts SQL queries."""
import re
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

from mhhs import create_app  # noqa: E402
from mhhs.config import Config  # noqa: E402
from mhhs.directory.seed import seed_demo, seed_reference  # noqa: E402
from mhhs.extensions import db  # noqa: E402


@contextmanager
def bench_app(**settings):
    """A production-configured app (real Argon2 cost) on a fresh SQLite file, migrated and seeded."""
    with tempfile.TemporaryDirectory() as tmp:
        config = type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                                                 "SECRET_KEY": "bench-only",
                                                 "PUBLIC_URL": "http://localhost",  # the test client's host
                                                 **settings})
        app = create_app(config)
        with app.app_context():
            upgrade()
            seed_reference()
            seed_demo()
        yield app


def logged_in(app, email="rm.sit@demo.test", password="demo-pass"):
    client = app.test_client()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 303, "login failed"
    return client


def measure(app, client, url, rounds, headers=None):
    """(median milliseconds, most queries, response bytes) of GET url over some rounds."""
    with app.app_context():
        engine = db.engine
    timings, counts, size = [], [], 0
    for _ in range(rounds):
        count = [0]

        def counter(*args, count=count):  # this round's count
            count[0] += 1
        event.listen(engine, "before_cursor_execute", counter)
        start = time.perf_counter()
        response = client.get(url, headers=headers or {})
        size = len(response.get_data())
        timings.append((time.perf_counter() - start) * 1000)
        event.remove(engine, "before_cursor_execute", counter)
        counts.append(count[0])
        assert response.status_code in (200, 304), f"{url}: {response.status_code}"
    return statistics.median(timings), max(counts), size


def hello_world_ms(rounds=200):
    """The median time of a bare Flask hello-world through the same test client, on this machine, now:
    the yardstick every figure is divided by, so figures from different machines compare."""
    from flask import Flask
    hello = Flask("hello")
    hello.add_url_rule("/", "hello", lambda: "Hello, World!")
    client = hello.test_client()
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        client.get("/").get_data()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def report(app, client, pages, total, noun, rounds):
    """Measures and prints each (label, url[, headers]) page at this many rows, also as a multiple of hello-world."""
    hello = hello_world_ms()
    print(f"{'hello-world (bare Flask)':28} {'':>7} {'':{len(noun)}}  median {hello:8.3f} ms")
    for label, url, *headers in pages:
        ms, queries, size = measure(app, client, url, rounds, headers[0] if headers else None)
        print(f"{label:28} {total:>7} {noun}: median {ms:8.1f} ms = {ms / hello:7.0f} x hello-world, "
              f"{queries:>2} queries, {size:>9} bytes")
