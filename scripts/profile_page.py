"""Where a page's time goes: cProfile over Flask's test client, logged in, on a fresh database at a size
(scripts/bench_http.py's `FILLS`); prints the queries of one request and the functions that take the most time.

Usage: .venv/bin/python scripts/profile_page.py /outages/categories [--rfcs 0] [--as rm.sit@demo.test]
                                                 [--requests 200] [--sort cumulative] [--top 40]
                                                 [--db /tmp/fill-50000.sqlite]
       .venv/bin/python scripts/profile_page.py /rfcs/{id}/decide --db /tmp/fill-50000.sqlite \
           --post "decision=approve&row_version=1&comment=Approved" --first 50001 --requests 200
With --db, a database already filled there is used as it is (brought to the newest migration), else it is filled
there and kept: one fill at the large size serves many profiles. A URL under /api/ is asked with a token of the
user's (every scope), as a pipeline asks it. With --json, each request POSTs that JSON body to the /api/ URL (with
the token; e.g. the health check's '{"system": "DIP", "environment": "SIT-A", "health": "green"}'). With --post,
each request POSTs the form (with the session's CSRF
token) to the URL with {id} the next id from --first: the writers' approvals, one request at a time (each id
once, so a filled database serves one run; copy it first), with one session cookie, as wrk does.
"""
import argparse
import cProfile
import os
import pstats
import re
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.update(PUBLIC_URL="http://localhost", LOG_LEVEL="warning")  # the test client's host; no request lines
# As the benchmark: an /api/ URL asked hundreds of times is measured, not answered 429 past the per-token limit.
os.environ.setdefault("API_RATE_LIMIT", "1000000 per minute")

from bench_http import FILLS, app_for, fill  # noqa: E402
from benchkit import logged_in  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from mhhs.api.permissions import SCOPES  # noqa: E402
from mhhs.api.services import create_token  # noqa: E402
from mhhs.core.time import to_london, utcnow  # noqa: E402
from mhhs.directory.models import User  # noqa: E402
from mhhs.directory.reference_data import DEMO_PASSWORD  # noqa: E402
from mhhs.extensions import db  # noqa: E402


def token_headers(app, email):
    """The Authorization header of a fresh token of the user's with every scope (the API takes no session)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        _token, secret = create_token(user, "profile", list(SCOPES), to_london(utcnow()).date() + timedelta(days=2),
                                      password=DEMO_PASSWORD)
    return {"Authorization": f"Bearer {secret}"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--rfcs", type=int, default=100, help=f"the fill's size ({', '.join(f[0] for f in FILLS)})")
    parser.add_argument("--as", dest="email", default="rm.sit@demo.test")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--db", type=Path, help="a SQLite file to fill once and reuse")
    parser.add_argument("--post", help="a form to POST (url-encoded) instead of a GET")
    parser.add_argument("--json", help="a JSON body to POST to an /api/ URL (with the token) instead of a GET")
    parser.add_argument("--dump", type=Path, help="also save the profile there (pstats)")
    parser.add_argument("--first", type=int, default=0, help="the first {id} of the URL (--post)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "profile.sqlite"
        url = f"sqlite:///{path.resolve()}"
        if path.exists():
            app = app_for(url)
            with app.app_context():
                upgrade()
        else:
            fill(url, args.rfcs)
            app = app_for(url)
        client = logged_in(app, args.email)
        headers = token_headers(app, args.email) if args.url.startswith("/api/") else {}
        ids = iter(range(args.first, args.first + 2 * args.requests + 2))
        if args.post:
            token = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
            form = f"{args.post}&csrf_token={token}"
            # As wrk posts: the same session cookie every time, whatever the answers set (a flash each, unread).
            cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
            poster, headers = app.test_client(use_cookies=False), {"Cookie": f"{cookie.key}={cookie.value}"}

        def ask():
            if args.json:
                return client.post(args.url, data=args.json, headers=headers, content_type="application/json")
            if args.post:
                return poster.post(args.url.format(id=next(ids)), data=form, headers=headers,
                                   content_type="application/x-www-form-urlencoded")
            return client.get(args.url, headers=headers)
        ask()  # warm: templates compiled, statements cached
        with app.app_context():
            engine = db.engine
        statements = []

        def started(_connection, _cursor, statement, *_args):
            statements.append([statement, time.perf_counter()])

        def finished(*_args):
            statements[-1][1] = time.perf_counter() - statements[-1][1]
        event.listen(engine, "before_cursor_execute", started)
        event.listen(engine, "after_cursor_execute", finished)
        response = ask()
        status = response.status_code
        event.remove(engine, "before_cursor_execute", started)
        event.remove(engine, "after_cursor_execute", finished)
        print(f"{args.url}: {status}, {len(statements)} queries (ms to execute, rows fetched later)")
        if response.is_json:
            print(f"  {response.get_data(as_text=True)[:300]}")
        for statement, seconds in statements:
            print(f"  {seconds * 1000:7.1f}", " ".join(statement.split())[:int(os.environ.get("SQL_WIDTH", "150"))])
        begun, cpu = time.perf_counter(), time.process_time()  # CPU time: what other processes take does not count
        for _ in range(args.requests):
            ask().get_data()
        print(f"{(time.perf_counter() - begun) * 1000 / args.requests:.2f} ms a request, "
              f"{(time.process_time() - cpu) * 1000 / args.requests:.2f} ms of CPU (not profiled)")
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.requests):
            ask().get_data()
        profile.disable()
        if args.dump:
            profile.dump_stats(args.dump)
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
