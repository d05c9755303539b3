"""Production safety: the secret key, sessions that end on the server, security headers, the per-address login
limit, unlocking, /healthz, odd query values, and the request log."""
import logging
import threading

import pytest
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select, text

from mhhs import create_app
from mhhs.audit.models import AuditEvent
from mhhs.config import NO_SECRET_KEY, Config, TestConfig
from mhhs.directory.models import User
from mhhs.extensions import db
from tests.conftest import Client
from tests.rfcs.factory import make_rfc


def user_id(app, email):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


# The secret key and sessions ------------------------------------------------------------------

def test_the_app_refuses_to_start_without_a_secret_key():
    class NoKey(Config):
        SECRET_KEY = None

    with pytest.raises(RuntimeError) as refused:
        create_app(NoKey)
    assert str(refused.value) == NO_SECRET_KEY and "export SECRET_KEY=" in NO_SECRET_KEY


def _resign(app, client, secret_key, **changes):
    """The client's session cookie, re-signed with secret_key after changing some of its values."""
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    session = serializer.loads(client.http.get_cookie("session").value)
    session.update(changes)
    forger = type("Forger", (), {"secret_key": secret_key, "config": app.config, "session_interface": None})
    client.http.set_cookie("session", SecureCookieSessionInterface().get_signing_serializer(forger).dumps(session))


def test_a_forged_cookie_does_not_make_a_test_participant_a_release_manager(app, as_user):
    tp = as_user("supplier@demo.test")
    assert tp.get("/users").status_code == 403
    manager = str(user_id(app, "rm.sit@demo.test"))
    # With the old fixed default key the forgery is not even read...
    _resign(app, tp, "dev-only-not-secret", _user_id=manager)
    assert tp.get("/users").status_code == 302
    # ...and with the real key, a user id without that user's current session token finds nobody.
    tp = as_user("supplier@demo.test")
    _resign(app, tp, app.config["SECRET_KEY"], _user_id=manager)
    assert tp.get("/users").status_code == 302
    tp = as_user("supplier@demo.test")
    _resign(app, tp, app.config["SECRET_KEY"], _user_id=f"{manager}:{'0' * 32}")
    response = tp.get("/users")
    assert response.status_code == 302 and "/login" in response.location


def test_a_cookie_replayed_after_logout_goes_to_the_login_page(as_user):
    dip = as_user("dip@demo.test")
    stolen = dip.http.get_cookie("session").value
    assert dip.get("/rfcs").status_code == 200
    assert dip.post("/logout").status_code == 303
    dip.http.set_cookie("session", stolen)
    response = dip.get("/rfcs")
    assert response.status_code == 302 and "/login" in response.location


def test_logging_out_ends_the_users_other_sessions_too(as_user):
    laptop, phone = as_user("dip@demo.test"), as_user("dip@demo.test")
    assert phone.get("/rfcs").status_code == 200
    laptop.post("/logout")
    assert phone.get("/rfcs").status_code == 302


def test_deactivating_a_user_ends_their_sessions(app, as_user):
    helix = as_user("helix@demo.test")
    assert helix.get("/rfcs").status_code == 200
    rm = as_user("rm.sit@demo.test")
    helix_id = user_id(app, "helix@demo.test")
    page = rm.get(f"/users/{helix_id}/edit").get_data(as_text=True)
    organisation = page.split('id="organisation_id"')[1].split('selected value="')[1].split('"')[0] \
        if 'selected value="' in page.split('id="organisation_id"')[1] else None
    with app.app_context():
        user = db.session.get(User, helix_id)
        data = {"email": user.email, "name": user.name, "role": user.role.value,
                "organisation_id": organisation or user.organisation_id}
    assert rm.post(f"/users/{helix_id}/edit", data).status_code == 303  # "active" unticked
    assert helix.get("/rfcs").status_code == 302


# Security headers ----------------------------------------------------------------------------

@pytest.mark.parametrize("path,htmx", [("/rfcs", False), ("/rfcs", True), ("/static/vendor/htmx.min.js", False),
                                       ("/static/css/app.css", False), ("/environments", False)])
def test_every_response_carries_the_security_headers(as_user, path, htmx):
    response = as_user("dip@demo.test").get(path, htmx=htmx)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert len(response.headers["X-Request-ID"]) >= 16
    assert "Strict-Transport-Security" not in response.headers  # plain http here


def test_hsts_is_sent_over_https(client):
    response = client.http.get("/login", base_url="https://localhost")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_favicon_is_served(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page
    assert client.get("/static/favicon.svg").status_code == 200


# Login limits -------------------------------------------------------------------------------

def test_one_address_spraying_many_emails_is_limited_across_server_processes(app):
    class SameDatabase(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        LOGIN_MAX_ADDRESS_FAILURES = 6

    app.config["LOGIN_MAX_ADDRESS_FAILURES"] = 6
    try:
        other = create_app(SameDatabase)
        first, second = Client(app), Client(other)
        # Six different e-mails, one wrong password each: no e-mail reaches its own limit.
        for attempt, email in enumerate(["a@x.test", "b@x.test", "c@x.test", "d@x.test", "e@x.test", "f@x.test"]):
            page = (first if attempt % 2 else second).login(email, "guess").get_data(as_text=True)
            assert "do not match an active account" in page
        # Now even a right password from that address waits; another address is not affected.
        for client in (first, second):
            page = client.login("dip@demo.test").get_data(as_text=True)
            assert "Too many failed logins from your network address" in page
        elsewhere = Client(app)
        elsewhere.http.environ_base["REMOTE_ADDR"] = "192.0.2.7"
        assert elsewhere.login("dip@demo.test").status_code == 303
    finally:
        app.config["LOGIN_MAX_ADDRESS_FAILURES"] = TestConfig.LOGIN_MAX_ADDRESS_FAILURES


def test_a_release_manager_unlocks_a_locked_account(app, client, as_user):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.login("helix@demo.test", "wrong-password")
    assert "Too many failed attempts" in client.login("helix@demo.test").get_data(as_text=True)
    rm = as_user("rm.sit@demo.test")
    helix_id = user_id(app, "helix@demo.test")
    page = rm.get(f"/users/{helix_id}/edit").get_data(as_text=True)
    assert "Locked after repeated failed logins" in page
    response = rm.post(f"/users/{helix_id}/unlock")
    assert response.status_code == 303
    assert "helix@demo.test can log in again." in rm.get(response.location).get_data(as_text=True)
    assert client.login("helix@demo.test").status_code == 303


def test_login_events_carry_the_client_address_and_browser(app, client):
    client.http.environ_base["HTTP_USER_AGENT"] = "Tester/1.0"
    client.login("dip@demo.test", "wrong-password")
    client.login("dip@demo.test")
    with app.app_context():
        events = db.session.execute(select(AuditEvent.action, AuditEvent.address, AuditEvent.user_agent)
                                    .where(AuditEvent.action.like("login%"))).all()
    assert ("login.failed", "127.0.0.1", "Tester/1.0") in events and ("login", "127.0.0.1", "Tester/1.0") in events


# Health, odd input, logs --------------------------------------------------------------------

def test_healthz_answers_200_when_the_database_is_at_head(client, as_user):
    response = client.get("/healthz")
    # Without login: ok or not ok, nothing about the schema (issue 23).
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert as_user("dip@demo.test").get("/healthz").json == {"status": "ok"}
    details = as_user("rm.sit@demo.test").get("/healthz").json
    assert details["status"] == "ok" and details["schema"] and details["database"] == "reachable"


def test_healthz_answers_503_when_migrations_are_behind(app, client, as_user):
    client = as_user("rm.sit@demo.test")
    with app.app_context():
        head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.execute(text("UPDATE alembic_version SET version_num = 'older'"))
        db.session.commit()
    try:
        response = client.get("/healthz")
        assert response.status_code == 503 and "run flask db upgrade" in response.json["schema"]
    finally:
        with app.app_context():
            db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
            db.session.commit()


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    class Gone(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/no/such/dir/db.sqlite"

    response = create_app(Gone).test_client().get("/healthz")
    assert response.status_code == 503 and response.json == {"status": "not ok"}


@pytest.mark.parametrize("url", ["/rfcs?page=99999999999999999999", "/rfcs?environment=99999999999999999999",
                                 "/rfcs/99999999999999999999", "/outages?system=-1&page=-5",
                                 "/certificates?environment=abc", "/outbox?rfc=1e99&page=2"])
def test_odd_numbers_in_urls_never_answer_500(as_user, url):
    response = as_user("rm.sit@demo.test").get(url)
    assert response.status_code in (200, 404)
    assert "Release Desk" in response.get_data(as_text=True)


def test_each_request_is_logged_with_its_id_user_status_and_duration(app, as_user, caplog):
    dip = as_user("dip@demo.test")
    with caplog.at_level(logging.INFO, logger="mhhs.requests"):
        response = dip.http.get("/rfcs", headers={"X-Request-ID": "req-abc-123"})
    line = [r.getMessage() for r in caplog.records if "req-abc-123" in r.getMessage()]
    assert response.headers["X-Request-ID"] == "req-abc-123"
    assert len(line) == 1 and f"user={user_id(app, 'dip@demo.test')} GET /rfcs 200" in line[0]
    assert line[0].endswith("ms")


def test_refused_requests_are_logged(as_user, caplog):
    with caplog.at_level(logging.WARNING, logger="mhhs.errors"):
        assert as_user("supplier@demo.test").get("/users").status_code == 403
    assert any("refused GET /users: 403" in r.getMessage() for r in caplog.records)


# Each of these answered 500 once (found by fuzzing); each now gets a clear answer.
ODD_POSTS = [
    ("dip@demo.test", "/rfcs/new", {"action": "carry:abc"}, 200),
    ("dip@demo.test", "/rfcs/new", {"action": "remove_defect:1:2"}, 200),
    ("dip@demo.test", "/rfcs/new", {"action": "carry:99999999999999999999"}, 200),
    ("dip@demo.test", "/certificates/upload", {"certificate_data": "Zürich", "kind": "DIP TLS"}, 200),
    ("rm.sit@demo.test", "/users/new", {"organisation_id": "99999999999999999999", "email": "new@x.test",
                                        "name": "New", "role": "release_manager", "password": "long-enough"}, 200),
    ("rm.sit@demo.test", "/systems/new", {"organisation_id": "1", "name": "NEW",
                                          "environment_ids": "99999999999999999999"}, 200),
]


@pytest.mark.parametrize("email,url,form,status", ODD_POSTS, ids=[f"{u} {f}"[:60] for _, u, f, _ in ODD_POSTS])
def test_odd_posts_get_a_clear_answer(as_user, email, url, form, status):
    response = as_user(email).post(url, form)
    assert response.status_code == status and "<form" in response.get_data(as_text=True)


def test_a_row_version_that_is_not_a_number_is_a_conflict_not_a_crash(app, as_user):
    with app.app_context():
        rfc_id = make_rfc()
    rm = as_user("rm.sit@demo.test")
    response = rm.post(f"/rfcs/{rfc_id}/decide", {"decision": "approve", "row_version": "reject"})
    assert response.status_code == 303
    assert "changed while you had it open" in rm.get(response.location).get_data(as_text=True)


def test_a_search_of_100_kb_is_cut_not_a_crash(as_user):
    for url in ("/approvals", "/rfcs", "/outages", "/users"):
        response = as_user("rm.sit@demo.test").get(url, query_string={"q": "%_" * 50_000})
        assert response.status_code == 200, url


def test_simultaneous_first_logins_from_one_address_all_succeed(app):
    # Each first login creates the address's throttle row; on PostgreSQL two at once once collided (500).
    results, start = [], threading.Barrier(8)

    def log_in(email):
        client = Client(app)
        client._refresh_token()
        start.wait(timeout=30)
        results.append(client.http.post("/login", data={"email": email, "password": "demo-pass",
                                                        "csrf_token": client.token}).status_code)

    emails = ["rm.sit@demo.test", "rm.uit@demo.test", "dip@demo.test", "mprs@demo.test", "helix@demo.test",
              "supplier@demo.test", "dip@demo.test", "rm.sit@demo.test"]
    threads = [threading.Thread(target=log_in, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [303] * 8


def test_sessions_end_when_idle_or_old_and_logged_in_answers_are_never_cached(app, as_user, client):
    dip = as_user("dip@demo.test")
    page, partial = dip.get("/rfcs"), dip.get("/rfcs", htmx=True)
    csv = dip.get("/outages/export.csv")
    for response in (page, partial, csv):
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert client.get("/login").headers.get("Cache-Control") != "no-store"  # a public page may be cached
    for key, age in (("seen", app.config["SESSION_IDLE_MINUTES"] * 60 + 5),
                     ("started", app.config["SESSION_ABSOLUTE_HOURS"] * 3600 + 5)):
        fresh = as_user("dip@demo.test")
        with fresh.http.session_transaction() as session:
            session[key] = session[key] - age
        assert fresh.get("/rfcs").status_code == 302, key  # back to the login page
    recent = as_user("dip@demo.test")
    with recent.http.session_transaction() as session:
        session["seen"] -= 600
    assert recent.get("/rfcs").status_code == 200


def test_the_session_cookie_is_host_prefixed_over_https():
    import importlib
    import os

    import mhhs.config as config
    os.environ["SESSION_COOKIE_SECURE"] = "1"
    try:
        assert importlib.reload(config).Config.SESSION_COOKIE_NAME == "__Host-session"
    finally:
        del os.environ["SESSION_COOKIE_SECURE"]
        importlib.reload(config)
