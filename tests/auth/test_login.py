"""Logging in and out: the demo roles, refusals, lock-out, session and cookie hygiene."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mhhs import create_app
from mhhs.audit.models import AuditEvent
from mhhs.auth.models import LoginThrottle
from mhhs.auth.services import REFUSED
from mhhs.config import TestConfig
from mhhs.core.time import utcnow
from mhhs.directory.models import User
from mhhs.extensions import db
from tests.conftest import Client
from tests.nav import MENUS, NAV


def audit_actions(app):
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


@pytest.mark.parametrize("email", sorted(NAV))
def test_each_demo_user_logs_in_and_sees_their_navigation(client, email):
    response = client.login(email)
    assert response.status_code == 303 and response.location == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Log out" in page
    for label in NAV[email]:
        assert f">{label}</a>" in page
    for label in set(NAV["rm.sit@demo.test"]) - set(NAV[email]):
        assert f">{label}</a>" not in page
    for menu in ("Participants", "Directory"):
        assert (f">{menu}</summary>" in page) == (menu in MENUS[email])  # no menu without a link in it


def test_wrong_password_shows_message_and_keeps_email(client, app):
    response = client.login("dip@demo.test", "not-the-password")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert REFUSED in page
    assert 'value="dip@demo.test"' in page
    assert "login.failed" in audit_actions(app)


def test_unknown_email_gets_the_same_message(client):
    page = client.login("nobody@demo.test", "whatever-it-is").get_data(as_text=True)
    assert REFUSED in page


def test_inactive_user_cannot_log_in_and_is_logged_out(app, client, as_user):
    logged_in = as_user("supplier@demo.test")
    with app.app_context():
        db.session.scalar(select(User).filter_by(email="supplier@demo.test")).active = False
        db.session.commit()
    assert REFUSED in client.login("supplier@demo.test").get_data(as_text=True)
    # An existing session ends too: the next page asks for a login.
    assert logged_in.get("/").status_code == 302


def test_login_requires_both_fields(client):
    page = client.login("", "").get_data(as_text=True)
    assert "Enter your e-mail address." in page and "Enter your password." in page


def test_repeated_failures_lock_the_email_even_for_the_right_password(app, client):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.login("dip@demo.test", "wrong-password")
    page = client.login("dip@demo.test").get_data(as_text=True)
    assert "Too many failed attempts" in page
    assert "/" != client.get("/").location  # still not logged in
    actions = audit_actions(app)
    assert "login.locked" in actions and "login.refused_locked" in actions

    with app.app_context():  # the lock runs out
        db.session.get(LoginThrottle, "dip@demo.test").locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.login("dip@demo.test").status_code == 303


def test_unknown_email_locks_the_same_way(app, client):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        page = client.login("nobody@demo.test", "wrong-password").get_data(as_text=True)
    assert "Too many failed attempts" in page


def test_lock_holds_across_server_processes(app):
    # Two app instances share only the database, as two gunicorn workers would.
    class SameDatabase(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]

    other = create_app(SameDatabase)
    first, second = Client(app), Client(other)
    for attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        (first if attempt % 2 else second).login("helix@demo.test", "wrong-password")
    assert "Too many failed attempts" in first.login("helix@demo.test").get_data(as_text=True)
    assert "Too many failed attempts" in second.login("helix@demo.test").get_data(as_text=True)


def test_success_clears_the_failure_count(app, client):
    client.login("mprs@demo.test", "wrong-password")
    assert client.login("mprs@demo.test").status_code == 303
    with app.app_context():
        assert db.session.get(LoginThrottle, "mprs@demo.test") is None


def test_login_starts_a_new_session(client):
    with client.http.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.login("rm.sit@demo.test")
    with client.http.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"]


def test_session_cookie_is_httponly_and_samesite(client):
    response = client.login("rm.sit@demo.test")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_does_not_redirect_to_another_site(client):
    client._refresh_token()
    response = client.http.post("/login?next=//evil.example/x", data={
        "email": "rm.sit@demo.test", "password": "demo-pass", "csrf_token": client.token})
    assert response.location == "/"


def test_login_returns_to_the_page_asked_for(client):
    client._refresh_token()
    response = client.http.post("/login?next=/environments", data={
        "email": "rm.sit@demo.test", "password": "demo-pass", "csrf_token": client.token})
    assert response.location == "/environments"


def test_passwords_are_stored_as_argon2id(app):
    with app.app_context():
        hashes = db.session.scalars(select(User.password_hash)).all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)


def test_logout_is_a_post_and_ends_the_session(app, as_user):
    client = as_user("dip@demo.test")
    assert client.get("/logout").status_code == 200  # the confirmation page; still logged in
    assert client.get("/").status_code == 200
    response = client.post("/logout", htmx=True)
    assert response.headers["HX-Redirect"] == "/login"
    assert client.get("/").status_code == 302
    assert "logout" in audit_actions(app)


def test_login_without_csrf_token_is_refused_with_a_message(client):
    response = client.http.post("/login", data={"email": "rm.sit@demo.test", "password": "demo-pass"})
    assert response.status_code == 400
    assert "nothing was saved" in response.get_data(as_text=True)


def test_pages_need_a_login(client):
    response = client.get("/environments")
    assert response.status_code == 302 and response.location.startswith("/login?next=")


def test_login_audit_has_one_row_per_attempt(app, client):
    client.login("rm.uit@demo.test", "wrong")
    client.login("rm.uit@demo.test")
    with app.app_context():
        counts = dict(db.session.execute(select(AuditEvent.action, func.count()).group_by(AuditEvent.action)).all())
    assert counts == {"login.failed": 1, "login": 1}
