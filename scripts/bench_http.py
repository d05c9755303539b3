"""The heavy pages over HTTP, side by side with a hello-world: both served by gunicorn (2 workers) on loopback,
both driven by wrk (8 connections) in the same run. Prints p50, p95 and requests/s of every page and its ratio to
the hello-world (pages as a Release Manager unless named; the API with a token), at a small database and at the
large one, then approvals/s committed by 10 concurrent writers.

    .venv/bin/python scripts/bench_http.py                 # SQLite: 1,000 RFCs, then 50,000 / 100,000 / 10,000
    .venv/bin/python scripts/bench_http.py --postgres      # the same on a throwaway PostgreSQL server
    .venv/bin/python scripts/bench_http.py --seconds 10 --sizes 1000 50000
    .venv/bin/python scripts/bench_http.py --only Participants Allocation   # those pages alone, no writers
    .venv/bin/python scripts/bench_http.py --only writers --postgres        # the 10 writers alone (no pages)

Needs wrk (Debian package `wrk`; `make bench` installs it).
"""
import argparse
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
ROOT = SCRIPTS.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(SCRIPTS))

import bench_allocation  # noqa: E402
import bench_certificates  # noqa: E402
import bench_outages  # noqa: E402
import bench_participants  # noqa: E402
import bench_readiness  # noqa: E402
import bench_rfcs  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from mhhs import create_app  # noqa: E402
from mhhs.api.services import create_token  # noqa: E402
from mhhs.baseline.versions import sort_key  # noqa: E402
from mhhs.config import Config  # noqa: E402
from mhhs.core.changes import WINDOWS, bump  # noqa: E402
from mhhs.core.time import utcnow  # noqa: E402
from mhhs.directory.models import Environment, System, User  # noqa: E402
from mhhs.directory.reference_data import DEMO_PASSWORD  # noqa: E402
from mhhs.directory.seed import seed_demo, seed_reference  # noqa: E402
from mhhs.extensions import db  # noqa: E402
from mhhs.rfcs.models import Approval, ControlPoint, Rfc, rfc_environments  # noqa: E402
from mhhs.rfcs.services import rebuild_pending  # noqa: E402
from mhhs.rfcs.states import ReleaseType, RfcStatus  # noqa: E402

TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
BENCH_LINE = re.compile(r"BENCH p50=(\d+) p95=(\d+) requests=(\d+) seconds=([\d.]+) non2xx=(\d+) errors=(\d+)")
MANAGER, CENTRAL_PARTY, PARTICIPANT = "rm.sit@demo.test", "dip@demo.test", "supplier@demo.test"
API = None  # no session: the API, with a Central Party's token
# Every page measured: (who opens it, the URL, the label). A URL may name the fill's objects in braces ({rfc},
# {environment} and {sit_a}, {system}, {participant}, {checked_name} and {checked_at}: see `fill`); a label with
# "(304)" is asked with the ETag it was last given; a URL "POST path body" posts the JSON body with every request.
# Another domain's pages are a row each.
PAGES = [
    (MANAGER, "/outages/categories", "Floor: page with no data"),  # session, header, layout: every page's share
    (MANAGER, "/", "Home, Release Manager"), (CENTRAL_PARTY, "/", "Home, Central Party"),
    (PARTICIPANT, "/", "Home, Test Participant"),
    (MANAGER, "/rfcs", "RFC list, page 1"), (MANAGER, "/rfcs?last=1", "RFC list, last page"),
    (CENTRAL_PARTY, "/rfcs", "RFC list, Central Party"), (PARTICIPANT, "/rfcs", "RFC list, Test Participant"),
    (MANAGER, "/rfcs/{rfc}", "RFC page"), (MANAGER, "/approvals", "Approvals queue"),
    (MANAGER, "/outages", "Outages page (board + log)"), (MANAGER, "/outages?last=1", "Outages page, last page"),
    (MANAGER, "/outages/board", "Board poll, unchanged (304)"),
    (MANAGER, "/certificates", "Certificates dashboard"), (MANAGER, "/certificates?last=1", "Certificates, last page"),
    (MANAGER, "/outages/availability", "Availability, 8 weeks"),
    (MANAGER, "/outages/availability?period=month&count=12", "Availability, 12 months"),
    (MANAGER, "/baseline", "Baseline grid"), (MANAGER, "/baseline/{environment}/{system}", "Baseline cell history"),
    (MANAGER, "/calendar", "Calendar, month"), (MANAGER, "/calendar?view=week", "Calendar, week"),
    (MANAGER, "/plan", "Plan"), (MANAGER, "/reports/weekly", "Weekly report"),
    (MANAGER, "/reports/weekly.pdf", "Weekly report PDF (req/s)"),
    (CENTRAL_PARTY, "/retests", "Retests"), (MANAGER, "/environments", "Environments"),
    (MANAGER, "/search?q=Release+42", "Search"),
    (API, "/api/v1/rfcs", "API: RFC list"), (API, "/api/v1/rfcs/{rfc}", "API: one RFC (poll)"),
    (API, "/api/v1/baseline", "API: baseline"), (API, "/api/v1/outages", "API: outages"),
    (API, "/api/v1/certificates", "API: certificates"),
    (MANAGER, "/participants/proving?environment={sit_a}", "Participants: proving matrix"),
    (MANAGER, "/participants/{participant}", "Participants: a participant"),
    (MANAGER, "/participants", "Participants: register"),
    (MANAGER, "/allocation/timeline?view=month", "Allocation timeline, month"),
    (API, "/api/v1/allocation/check?participant={checked_name}&environment=SIT-A&at={checked_at}",
     "API: allocation check"),
    (MANAGER, "/readiness", "Readiness matrix"), (MANAGER, "/readiness/health", "Health checks page"),
    (API, 'POST /api/v1/health-checks {"system": "DIP", "environment": "SIT-A", "health": "green"}',
     "API: health-check POST"),
]
# What the database holds at a size (the number of RFCs): (what, how many, the function that adds them).
# Another domain's data is a row each.
FILLS = [
    ("RFCs", lambda rfcs: rfcs, bench_rfcs.fill),
    ("outages", lambda rfcs: 100_000 if rfcs >= 50_000 else rfcs * 2, bench_outages.fill),
    ("certificates", lambda rfcs: 10_000 if rfcs >= 50_000 else rfcs // 5, bench_certificates.fill),
    ("participants", lambda rfcs: 500 if rfcs >= 50_000 else rfcs // 100, bench_participants.fill),
    ("slots", lambda rfcs: 10_000 if rfcs >= 50_000 else rfcs // 5, bench_allocation.fill),  # of the participants
    ("days of health checks", lambda rfcs: 365 if rfcs >= 50_000 else rfcs * 14 // 1000, bench_readiness.fill),
]
USER_AGENT = "release-desk-bench"
WRITERS = 10
WRITER_RFCS = 8000


def app_for(url):
    config = type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-only"})
    return create_app(config)


def fill(url, rfcs):
    """A fresh database at the size (`FILLS`), plus RFCs waiting for the SIT approval with control points 1-6 met,
    for the concurrent writers. Returns the writers' RFC ids, an API token's secret and the objects the URLs name."""
    app = app_for(url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        seed_reference()
        seed_demo()
        for _what, size, add in FILLS:
            add(size(rfcs))
        first = db.session.scalar(select(func.max(Rfc.id))) + 1
        author = db.session.scalar(select(User.id).where(User.email == "dip@demo.test"))
        system = db.session.scalar(select(System).where(System.name == "DIP"))
        sit_a = db.session.scalar(select(Environment.id).where(Environment.name == "SIT-A"))
        now = utcnow()
        ids = list(range(first, first + WRITER_RFCS))

        def start(i):  # one after the other, three hours apart from a month ahead: no two clash
            return now + timedelta(days=30, hours=3 * (i - first))
        db.session.execute(insert(Rfc), [dict(
            id=i, organisation_id=system.organisation_id, system_id=system.id, release_type=ReleaseType.MINOR,
            version=f"900.{i}.0.0", title=f"Writer {i}", reason="Bench", window_start=start(i),
            version_key=sort_key(f"900.{i}.0.0"),
            window_end=start(i) + timedelta(hours=2), window_minutes=121, expected_downtime=0,
            status=RfcStatus.SUBMITTED, revision=1, created_by_id=author, created_at=now, updated_at=now,
            submitted_at=now, row_version=1, implementation_plan="", rollback_plan="", stakeholders_impacted="",
            known_issues="", installation_instructions="") for i in ids])
        db.session.execute(insert(rfc_environments), [{"rfc_id": i, "environment_id": sit_a} for i in ids])
        db.session.execute(insert(ControlPoint), [dict(rfc_id=i, number=n, note="bench", at=now)
                                                  for i in ids for n in (1, 3, 4, 5, 6)])
        bump(WINDOWS)  # RFCs added beside the ORM: the schedule (core/changes.py)
        db.session.commit()
        rebuild_pending()
        # A Central Party's pipeline and monitor: reads, asks the allocation, posts the morning health check.
        _token, secret = create_token(db.session.get(User, author), "bench", ["read", "allocation", "readiness"],
                                      date.today() + timedelta(days=2), password=DEMO_PASSWORD)
        # The allocation check's participant: proven and signed off in SIT-A, asked about a time inside its own
        # allocated slot there, so that the check walks the whole rule (the gate, its slot, the clashes).
        participant, name, at = bench_allocation.check_target()
        names = dict(rfc=db.session.scalar(select(func.max(Rfc.id)).where(Rfc.status == RfcStatus.APPROVED)),
                     environment=sit_a, sit_a=sit_a, system=system.id, participant=participant,
                     checked_name=urllib.parse.quote_plus(name), checked_at=urllib.parse.quote(f"{at.isoformat()}Z"))
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does to a table that has settled: statistics, and the visibility map that lets an
            # index answer alone (a freshly loaded table has none, so every index-only scan would visit the heap).
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
    return ids, secret, names


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(target, env, log_path, cwd=ROOT):
    port = free_port()
    log = open(log_path, "w")
    process = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), target, "-c", str(ROOT / "gunicorn.conf.py"),
                                "--bind", f"127.0.0.1:{port}", "--chdir", str(cwd)],
                               env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.terminate()
                raise SystemExit(f"gunicorn did not answer in 30 s; see {log_path}") from None
            time.sleep(0.2)
    return process, base


class Session:
    """A logged-in person: the session cookie wrk sends, and a CSRF token for the writers' posts."""

    def __init__(self, base, email="rm.sit@demo.test"):
        self.base, self.jar = base, http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        self.opener.addheaders = [("User-Agent", USER_AGENT)]  # the session is bound to it ("strong" protection)
        self.token = TOKEN.search(self.get("/login")).group(1)
        self.post("/login", {"email": email, "password": "demo-pass"})
        self.token = TOKEN.search(self.get("/")).group(1)

    def get(self, path):
        return self.opener.open(self.base + path, timeout=30).read().decode()

    def etag(self, path, headers=()):
        request = urllib.request.Request(self.base + path, headers=dict(h.split(": ", 1) for h in headers))
        with self.opener.open(request, timeout=30) as response:
            return response.headers.get("ETag")

    def post(self, path, data):
        body = urllib.parse.urlencode({**data, "csrf_token": self.token}).encode()
        try:
            return self.opener.open(self.base + path, body, timeout=30).status
        except urllib.error.HTTPError as error:
            return error.code

    @property
    def cookie(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def api_answer(url, secret):
    """The status and body of one API GET with the token (the body shortened)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {secret}", "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return f"{response.status} {response.read().decode()[:300]}"
    except urllib.error.HTTPError as error:
        return f"{error.code} {error.read().decode()[:300]}"
    except OSError as error:
        return f"no answer in 30 s ({error})"


def wrk(url, seconds, cookie=None, headers=(), body=None):
    script = "wrk_post.lua" if body else "wrk_report.lua"
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "20s", "-s", str(SCRIPTS / script), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}", "-H", f"User-Agent: {USER_AGENT}"]
    for header in headers:
        command[1:1] = ["-H", header]
    env = {**os.environ, "WRK_REPORT": str(SCRIPTS / "wrk_report.lua"), "WRK_BODY": body or ""}
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, env=env).stdout
    found = BENCH_LINE.search(output)
    if not found:
        raise SystemExit(f"wrk printed no figures for {url}:\n{output}")
    p50, p95, requests, elapsed, non2xx, errors = found.groups()
    return int(p50) / 1000, int(p95) / 1000, int(requests) / float(elapsed), int(non2xx) + int(errors)


def writers(base, first_id, seconds, cookie, token):
    """10 connections (one Release Manager's session) approving distinct waiting RFCs as fast as they can, driven by
    wrk like the pages; returns the non-2xx/3xx count (the committed approvals are counted in the database)."""
    env = {**os.environ, "WRK_REPORT": str(SCRIPTS / "wrk_report.lua"), "FIRST_RFC": str(first_id),
           "WRK_THREADS": "2", "CSRF_TOKEN": token}
    command = ["wrk", "-t2", f"-c{WRITERS}", f"-d{seconds}s", "--timeout", "20s", "-H", f"Cookie: {cookie}",
               "-H", f"User-Agent: {USER_AGENT}", "-s", str(SCRIPTS / "wrk_approve.lua"), base + "/"]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, env=env).stdout
    found = BENCH_LINE.search(output)
    if not found:
        raise SystemExit(f"wrk printed no figures for the writers:\n{output}")
    return float(found.group(4)), int(found.group(5)) + int(found.group(6))


def resident_megabytes(master):
    """The resident memory of each of gunicorn's workers (the master's children), from /proc."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
    return sizes


def run(postgres_url, sizes, seconds, tmp, pages=PAGES, approvals=True):
    env = {**os.environ, "SECRET_KEY": "bench-only", "PUBLIC_URL": "http://127.0.0.1", "WEB_CONCURRENCY": "2",
           "GUNICORN_ACCESS_LOG": "",
           "GUNICORN_MAX_REQUESTS": "0",  # no worker recycled in the middle of a measurement
           "LOG_LEVEL": "warning", "API_RATE_LIMIT": "1000000 per minute",
           "PDF_RATE_LIMIT": "1000000 per minute",  # the PDF row measures the rendering, not the per-person limit
           "PYTHONPATH": str(ROOT)}  # gunicorn.conf.py imports the app's package, also for the hello-world
    hello, hello_base = serve("hello_world:app", env, tmp / "hello.log", cwd=SCRIPTS)
    try:
        for rfcs in sizes:
            url = postgres_url or f"sqlite:///{tmp}/bench-{rfcs}.sqlite"
            env["DATABASE_URL"] = url
            started = time.monotonic()
            writer_ids, secret, names = fill(url, rfcs)
            print("\n" + ", ".join(f"{size(rfcs):,} {what}" for what, size, _add in FILLS)
                  + f" (filled in {time.monotonic() - started:.0f} s); wrk -t2 -c8 -d{seconds}s")
            app, base = serve("app:app", env, tmp / f"app-{rfcs}.log")
            try:
                sessions = {email: Session(base, email) for email in (MANAGER, CENTRAL_PARTY, PARTICIPANT)}
                session = sessions[MANAGER]
                h50, h95, hps, _ = wrk(hello_base + "/", seconds)
                print(f"{'hello-world':30} p50 {h50:7.1f} ms  p95 {h95:7.1f} ms  {hps:8.0f} req/s")
                for email, path, label in pages:
                    if path.startswith("POST "):
                        _post, path, body = path.split(" ", 2)
                    else:
                        body = None
                    url_path = path.format(**names)
                    if email is API:
                        if "/allocation/check" in url_path:  # what the pipeline is told, once: allowed or wait
                            print(f"{label:30} {api_answer(base + url_path, secret)}")
                        p50, p95, rps, bad = wrk(base + url_path, seconds, headers=[f"Authorization: Bearer {secret}"],
                                                 body=body)
                    else:
                        # An open tab's poll: htmx's header, and the ETag it was last given.
                        polled = ["HX-Request: true"] if "(304)" in label else []
                        try:
                            etag = sessions[email].etag(url_path, polled)  # a 200 for this session, not the login
                        except OSError as error:  # a page slower than the time limit: said, and the run goes on
                            print(f"{label:30} no answer in 30 s ({error})")
                            continue
                        conditional = polled + [f"If-None-Match: {etag}"] if polled else []
                        p50, p95, rps, bad = wrk(base + url_path, seconds, sessions[email].cookie, conditional)
                    print(f"{label:30} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {rps:8.1f} req/s   "
                          f"p95 {p95 / h95:6.1f} x hello-world, throughput 1/{hps / max(rps, 0.01):.0f}"
                          + (f"   {bad} non-2xx or errors" if bad else ""))
                if approvals:
                    elapsed, bad = writers(base, writer_ids[0], seconds, session.cookie, session.token)
                print(f"{'resident memory per worker':30} "
                      + ", ".join(f"{mb:.0f} MB" for mb in resident_megabytes(app.pid)))
            finally:
                app.terminate()
                app.wait(timeout=30)
            if not approvals:
                continue
            with app_for(url).app_context():
                committed = db.session.scalar(select(func.count()).select_from(Approval))
            locked = (tmp / f"app-{rfcs}.log").read_text().count("database is locked")
            print(f"{'approvals, 10 writers':30} {committed / elapsed:7.1f} committed/s "
                  f"({committed} in {elapsed:.1f} s, "
                  f"{bad} 4xx/5xx or errors, {locked} 'database is locked')")
    finally:
        hello.terminate()
        hello.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="*", type=int, default=[1000, 50_000], help="numbers of RFCs")
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per page")
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL server")
    parser.add_argument("--only", nargs="*", metavar="LABEL",
                        help="only the pages whose label holds one of these (and the writers if one is 'writers')")
    args = parser.parse_args()
    words = [word.lower() for word in args.only or ()]
    pages = [page for page in PAGES if not words or any(word in page[2].lower() for word in words)]
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (Debian package wrk).")
    if args.postgres and not os.environ.get("TEST_DATABASE_URL"):
        os.execv(str(SCRIPTS / "with-postgres.sh"), [str(SCRIPTS / "with-postgres.sh"), sys.executable, *sys.argv])
    tmp = Path(tempfile.mkdtemp(prefix="release-desk-bench-"))
    print(f"{'PostgreSQL' if args.postgres else 'SQLite'}; gunicorn 2 workers for the app and for the hello-world")
    run(os.environ["TEST_DATABASE_URL"] if args.postgres else None, args.sizes, args.seconds, tmp, pages,
        approvals=not words or "writers" in words)


if __name__ == "__main__":
    main()
