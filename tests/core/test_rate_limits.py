"""Rate-limit counts kept in the database (core/rate_limits.py): every server process counts against one limit."""
import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from limits import parse
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import select, update

from mhhs.core.rate_limits import DatabaseStorage, RateLimitCount
from mhhs.core.time import utcnow
from mhhs.extensions import db, limiter

ROOT = Path(__file__).resolve().parents[2]

# Another server process: its own interpreter, app, engine and limiter, on the same database.
OTHER_WORKER = """
import json, sys
from mhhs import create_app
from mhhs.config import TestConfig

class SameDatabase(TestConfig):
    SQLALCHEMY_DATABASE_URI = sys.argv[1]
    API_RATE_LIMIT = "3 per minute"

client = create_app(SameDatabase).test_client()
headers = {"Authorization": "Bearer " + sys.argv[2]}
print(json.dumps([client.get("/api/v1/baseline", headers=headers).status_code for _ in range(2)]))
"""


def test_the_app_counts_in_the_database_by_default(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == "database://"
    assert isinstance(limiter.storage, DatabaseStorage)


def test_two_server_processes_count_a_token_against_one_limit(app, api, make_token):
    """gunicorn runs several workers: a per-process count (memory://) would let each of them allow the whole rate."""
    secret = make_token()
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        other = subprocess.run([sys.executable, "-c", OTHER_WORKER, app.config["SQLALCHEMY_DATABASE_URI"], secret],
                               cwd=ROOT, capture_output=True, text=True, timeout=90,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert other.returncode == 0, other.stderr[-2000:]
        answers = [api("GET", "/baseline", secret) for _ in range(2)]
    finally:
        app.config["API_RATE_LIMIT"] = "300 per minute"
    assert json.loads(other.stdout.strip().splitlines()[-1]) == [200, 200]
    # The third request in the minute is the last one allowed, whichever process serves it; its headers say so (the
    # count its own increment returned, both processes' requests in it).
    assert [a.status_code for a in answers] == [200, 429]
    assert answers[0].headers["X-RateLimit-Limit"] == "3" and answers[0].headers["X-RateLimit-Remaining"] == "0"


def test_the_headers_show_each_request_its_own_count(app, api, make_token):
    secret = make_token()
    remaining = [int(api("GET", "/baseline", secret).headers["X-RateLimit-Remaining"]) for _ in range(3)]
    assert remaining[1] == remaining[0] - 1 and remaining[2] == remaining[0] - 2


def test_the_storage_counts_in_windows_that_end(ctx):
    storage = DatabaseStorage("database://")
    assert storage.incr("k", 60) == 1 and storage.incr("k", 60, amount=2) == 3 and storage.get("k") == 3
    assert 50 < storage.get_expiry("k") - time.time() <= 60  # an epoch time, as `limits` reads it
    # Its window ended: the count starts again, and ended windows of other keys are deleted with it.
    storage.incr("other", 60)
    db.session.execute(update(RateLimitCount).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert storage.get("k") == 0 and storage.incr("k", 60) == 1
    assert db.session.scalars(select(RateLimitCount.key)).all() == ["k"]
    db.session.commit()  # outside a request the session writes (SQLite: holds the write lock) until it ends
    storage.clear("k")
    assert storage.get("k") == 0 and storage.check()


def test_two_connections_share_one_limit_and_long_keys_are_kept_as_digests(ctx):
    """Two storages (as two workers hold) on the database: a limit of 2 allows 2 hits in all, not 2 each."""
    first, second = FixedWindowRateLimiter(DatabaseStorage()), FixedWindowRateLimiter(DatabaseStorage())
    limit, key = parse("2 per minute"), "x" * 500
    assert [first.hit(limit, key), second.hit(limit, key), first.hit(limit, key)] == [True, True, False]
    assert not second.test(limit, key)
    assert all(len(k) <= 200 for k in db.session.scalars(select(RateLimitCount.key)))
