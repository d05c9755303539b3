"""Load and soak: N minutes of mixed reads and writes from several simulated users against Release Desk under
gunicorn (2 workers, gunicorn.conf.py) on loopback, on SQLite or PostgreSQL. Prints requests/s, p50/p95 per
kind, the 5xx count and the "database is locked" count, then checks that every write the app said it made is
in the database.

    .venv/bin/python scripts/load.py --minutes 10                       # a fresh SQLite database
    .venv/bin/python scripts/load.py --minutes 10 --database-url postgresql://…/release_desk_load
    scripts/with-postgres.sh sh -c '.venv/bin/python scripts/load.py --minutes 10 --database-url "$TEST_DATABASE_URL"'
"""
import argparse
import base64
import http.cookiejar
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402
from sqlalchemy import select  # noqa: E402

TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
KEY = ec.generate_private_key(ec.SECP256R1())


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class User:
    """One simulated person: a cookie jar, the CSRF token, and timings per kind of request."""

    def __init__(self, base, email, stats):
        self.base, self.email, self.stats = base, email, stats
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        self.token = None

    def request(self, kind, path, data=None):
        body = urllib.parse.urlencode({**data, "csrf_token": self.token}, doseq=True).encode() if data is not None \
            else None
        started = time.perf_counter()
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                status, text, location = response.status, response.read(), response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            status, text, location = error.code, error.read(), error.headers.get("Location", "")
        self.stats.add(kind, status, (time.perf_counter() - started) * 1000)
        return status, text.decode("utf-8", "replace") if b"%PDF" not in text[:8] else "", location

    def log_in(self):
        _, page, _ = self.request("login page", "/login")
        self.token = TOKEN.search(page).group(1)
        status, _, _ = self.request("log in", "/login", {"email": self.email, "password": "demo-pass"})
        assert status == 303, f"{self.email} could not log in ({status})"
        _, page, _ = self.request("home", "/")
        self.token = TOKEN.search(page).group(1)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.statuses = defaultdict(int)
        self.written = defaultdict(set)  # what the app said it stored: kind -> ids

    def add(self, kind, status, ms):
        with self.lock:
            self.times[kind].append(ms)
            self.statuses[status] += 1

    def wrote(self, kind, object_id):
        with self.lock:
            self.written[kind].add(int(object_id))


def certificate_der(common_name):
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Northwold Energy")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(KEY.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=random.randint(5, 400))).sign(KEY, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def london(moment):
    from mhhs.core.time import utc_to_london_naive
    return utc_to_london_naive(moment).strftime("%Y-%m-%dT%H:%M")


# The mix: what each kind of user does, with weights ------------------------------------------------------

VERSIONS = defaultdict(int)
VERSION_LOCK = threading.Lock()


def next_minor(system):
    with VERSION_LOCK:
        VERSIONS[system] += 1
        return f"7.{VERSIONS[system]}.0.0"


def raise_rfc(user, ids, stats):
    system = ids["systems"][user.email]
    start = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=8, minutes=random.randint(0, 5000))
    form = {"system_id": ids["system_ids"][system], "release_type": "Minor", "version": next_minor(system),
            "title": f"Load test release {random.randint(1, 10**6)}", "reason": "Soak test",
            "environment_ids": [ids["environments"]["SIT-A"]], "window_start": london(start),
            "window_end": london(start + timedelta(hours=1)), "expected_downtime": "15",
            "implementation_plan": "Pipeline", "rollback_plan": "Switch back", "stakeholders_impacted": "SIT",
            "known_issues": "", "installation_instructions": "Run it", "action": "submit"}
    status, _, location = user.request("RFC submit", "/rfcs/new", form)
    match = re.search(r"/rfcs/(\d+)$", location)
    if status == 303 and match:
        stats.wrote("rfc submitted", match.group(1))


def approve_first(user, ids, stats):
    _, page, _ = user.request("approvals queue", "/approvals")
    row = re.search(r'id="queue-rfc-(\d+)".*?name="row_version" value="(\d+)"', page, re.S)
    if row:
        status, _, location = user.request("approve", f"/rfcs/{row.group(1)}/decide",
                                           {"decision": "approve", "row_version": row.group(2), "comment": ""})
        if status == 303:
            page = user.request("after approve", location.replace(user.base, ""))[1] if location else ""
            if "approved." in page:
                stats.wrote("approval", row.group(1))


def log_and_end_outage(user, ids, stats):
    system = ids["systems"][user.email]
    form = {"environment_id": ids["environments"]["SIT-A"], "system_ids": [ids["system_ids"][system]],
            "category": "software failure", "start": london(datetime.now(UTC) - timedelta(minutes=30)),
            "end": "", "description": "Load test outage", "impact": "None", "defect_reference": "", "root_cause": ""}
    status, _, location = user.request("outage logged", "/outages/new", form)
    match = re.search(r"/outages/(\d+)$", location)
    if status == 303 and match:
        stats.wrote("outage", match.group(1))
        if user.request("outage ended", f"/outages/{match.group(1)}/end", {})[0] == 303:
            stats.wrote("outage ended", match.group(1))


def upload_certificate(user, ids, stats):
    der = certificate_der(f"load-{random.randint(1, 10**9)}.nwen.test")
    form = {"certificate_data": base64.b64encode(der).decode(), "environment_id": ids["environments"]["SIT-A"],
            "kind": "DIP TLS", "mpid": "NWEN", "market_role_id": "", "technical_contact": "ops@nwen.test",
            "confirm": "yes"}
    status, _, location = user.request("certificate upload", "/certificates/upload", form)
    match = re.search(r"/certificates/(\d+)$", location)
    if status == 303 and match:
        stats.wrote("certificate", match.group(1))


def read_pdf(user, ids, stats):
    user.request("release-note PDF", f"/rfcs/{random.choice(ids['public_rfcs'])}/release-note.pdf")


READS = [("RFC list", "/rfcs"), ("outages page", "/outages"), ("certificates", "/certificates"),
         ("environments", "/environments"), ("home", "/"), ("availability", "/outages/availability")]
WRITES = {
    "rm": [(approve_first, 3)],
    "cp": [(raise_rfc, 2), (log_and_end_outage, 1)],
    "tp": [(upload_certificate, 1)],
}
PEOPLE = [("rm.sit@demo.test", "rm"), ("rm.uit@demo.test", "rm"), ("dip@demo.test", "cp"),
          ("mprs@demo.test", "cp"), ("helix@demo.test", "cp"), ("supplier@demo.test", "tp")]


def simulate(user, role, ids, stats, until):
    user.log_in()
    writes = WRITES[role]
    while time.monotonic() < until:
        roll = random.random()
        if roll < 0.55:
            kind, path = random.choice(READS)
            user.request(kind, path)
        elif roll < 0.62:
            read_pdf(user, ids, stats)
        else:
            action = random.choices([w for w, _ in writes], [n for _, n in writes])[0]
            action(user, ids, stats)


# Setting up and checking ---------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_for(url):
    from mhhs import create_app
    from mhhs.config import Config, database_url
    return create_app(type("LoadConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": database_url(url),
                                                     "SECRET_KEY": "load-test-only"}))


def reference_ids(app):
    from mhhs.directory.models import Environment, System, User
    from mhhs.extensions import db
    from mhhs.rfcs.models import Rfc
    from mhhs.rfcs.states import PUBLIC_STATUSES
    with app.app_context():
        systems = {u.email: u.organisation.systems[0].name for u in db.session.scalars(select(User))
                   if u.organisation.systems}
        return {"environments": dict(db.session.execute(select(Environment.name, Environment.id)).all()),
                "system_ids": dict(db.session.execute(select(System.name, System.id)).all()),
                "systems": systems,
                "public_rfcs": list(db.session.scalars(select(Rfc.id).where(Rfc.status.in_(PUBLIC_STATUSES))))}


def verify(app, written):
    """Every write the app answered as done is in the database: [(what, missing ids)]."""
    from mhhs.certificates.models import Certificate
    from mhhs.extensions import db
    from mhhs.outages.models import Outage
    from mhhs.rfcs.models import Approval, Rfc
    from mhhs.rfcs.states import RfcStatus
    checks = {
        "rfc submitted": select(Rfc.id).where(Rfc.submitted_at.is_not(None), Rfc.status != RfcStatus.DRAFT),
        "approval": select(Approval.rfc_id).where(Approval.decision == "approved"),
        "outage": select(Outage.id),
        "outage ended": select(Outage.id).where(Outage.end.is_not(None)),
        "certificate": select(Certificate.id),
    }
    with app.app_context():
        return [(what, sorted(ids - set(db.session.scalars(checks[what])))) for what, ids in written.items()]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--users", type=int, default=12, help="simulated people (cycling through the demo roles)")
    parser.add_argument("--database-url", help="an empty database to fill (default: a fresh SQLite file)")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="release-desk-load-")
    url = args.database_url or f"sqlite:///{tmp}/load.sqlite"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "load-test-only", "PUBLIC_URL": "http://127.0.0.1",
           "FLASK_APP": "app.py",
           "WEB_CONCURRENCY": "2", "GUNICORN_ACCESS_LOG": "", "LOG_LEVEL": "warning"}
    flask = [str(ROOT / ".venv/bin/flask")]
    subprocess.run(flask + ["db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run(flask + ["seed", "--demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    app = app_for(url)
    ids = reference_ids(app)

    port = free_port()
    log_path = Path(tmp) / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "app:app", "--bind", f"127.0.0.1:{port}"],
                                  env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if urllib.request.urlopen(base + "/healthz", timeout=2).status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn did not answer /healthz in 30 s; see {log_path}") from None
                time.sleep(0.2)
        stats = Stats()
        until = time.monotonic() + args.minutes * 60
        threads = [threading.Thread(target=simulate, args=(User(base, email, stats), role, ids, stats, until))
                   for email, role in (PEOPLE[i % len(PEOPLE)] for i in range(args.users))]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.minutes * 60 + 120)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    total = sum(len(t) for t in stats.times.values())
    errors = sum(n for status, n in stats.statuses.items() if status >= 500)
    locked = log_path.read_text().count("database is locked")
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"{database}, gunicorn 2 workers, {args.users} simulated users, {elapsed / 60:.1f} min: {total} requests, "
          f"{total / elapsed:.1f} requests/s; 5xx: {errors}; 'database is locked': {locked}")
    print(f"{'kind':24} {'count':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for kind, times in sorted(stats.times.items()):
        times = sorted(times)
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(f"{kind:24} {len(times):7d} {statistics.median(times):8.1f} {p95:8.1f}")
    print("statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(stats.statuses.items())))
    missing = verify(app, stats.written)
    for what, ids_missing in missing:
        print(f"{what}: {len(stats.written[what])} written, {len(ids_missing)} missing from the database")
    if errors or any(m for _, m in missing):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
