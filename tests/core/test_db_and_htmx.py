"""Database settings, concurrent writers, the page-or-partial helper and error responses."""
import sqlite3
import threading

import pytest
from sqlalchemy import event, select, text

from mhhs.directory.models import MarketRole
from mhhs.extensions import db


def sqlite_only(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite settings")


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    sqlite_only(app)
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 10000


def test_concurrent_writers_wait_for_each_other_instead_of_failing(app):
    # Outside a request every transaction starts with BEGIN IMMEDIATE; the second writer waits.
    errors, holding = [], threading.Event()

    def writer(code, hold):
        try:
            with app.app_context():
                db.session.scalar(select(MarketRole.id))  # read first, then write: the risky upgrade
                if hold:
                    holding.set()
                    threading.Event().wait(0.3)
                db.session.add(MarketRole(code=code, name=code))
                db.session.commit()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    first = threading.Thread(target=writer, args=("W1", True))
    first.start()
    # The second writer starts only once the first holds its transaction open (every wait has a limit).
    assert holding.wait(timeout=10), "the first writer never began"
    second = threading.Thread(target=writer, args=("W2", False))
    second.start()
    for thread in (first, second):
        thread.join(timeout=30)
        assert not thread.is_alive(), "a writer is still waiting after 30 s"
    assert errors == []
    with app.app_context():
        assert set(db.session.scalars(select(MarketRole.code).where(MarketRole.code.in_(["W1", "W2"])))) == {"W1", "W2"}


def test_boosted_and_history_requests_get_the_whole_page(as_user):
    rm = as_user("rm.sit@demo.test")
    partial = rm.get("/users", htmx=True)
    assert partial.status_code == 200 and "rm.uit@demo.test" in partial.get_data(as_text=True)
    assert "<html" not in partial.get_data(as_text=True)
    boosted = rm.http.get("/users", headers={"HX-Request": "true", "HX-Boosted": "true"})
    restore = rm.http.get("/users", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in boosted.get_data(as_text=True) and "<html" in restore.get_data(as_text=True)


def test_htmx_post_without_csrf_reloads_the_page_with_a_message(as_user):
    rm = as_user("rm.sit@demo.test")
    response = rm.post("/market-roles/new", {"code": "X", "name": "Y"}, htmx=True, csrf=False)
    assert response.status_code == 400 and response.headers["HX-Refresh"] == "true"
    assert "nothing was saved" in rm.get("/").get_data(as_text=True)


def test_forbidden_page_for_the_wrong_role(as_user):
    response = as_user("supplier@demo.test").get("/users")
    assert response.status_code == 403 and "You do not have access" in response.get_data(as_text=True)


def test_front_end_assets_are_served_by_the_app(client):
    for path in ("/static/vendor/htmx.min.js", "/static/vendor/pico.min.css", "/static/css/app.css"):
        assert client.get(path).status_code == 200
    page = client.get("/login").get_data(as_text=True)
    assert "Log in" in page and "/static/vendor/htmx.min.js" in page
    assert "http://" not in page and "https://" not in page


def test_the_migrations_build_exactly_the_models(app):
    # A model changed without a migration would make production differ from the tests.
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context(), db.engine.connect() as connection:
        # The full-text structures (FTS5 table, tsvector column) are the engine's: app.py's autogenerate skips them.
        from mhhs.core.search import included_in_autogenerate
        context = MigrationContext.configure(connection, opts={"include_name": included_in_autogenerate})
        assert compare_metadata(context, db.metadata) == []


def test_csv_and_scripts_are_compressed_and_pages_are_not(as_user):
    rm = as_user("rm.sit@demo.test")
    browser = {"Accept-Encoding": "gzip, deflate, br, zstd"}
    for url in ("/static/vendor/htmx.min.js", "/outages/export.csv"):
        assert rm.http.get(url, headers=browser, buffered=True).headers.get("Content-Encoding") in ("zstd", "br"), url
    # A page carries the CSRF token: compressing it would open the BREACH side channel.
    assert "Content-Encoding" not in rm.http.get("/rfcs", headers=browser, buffered=True).headers


def test_a_decision_reads_without_the_write_lock_and_decides_on_what_is_there_under_it(app, as_user):
    """The approval queue's actions read (user, RFC, form) in a plain transaction and take SQLite's write lock only
    for the unit of work, which reads the RFC again under it: a change made in between is seen, never overwritten."""
    sqlite_only(app)
    from mhhs.rfcs.models import Rfc
    from mhhs.rfcs.states import RfcStatus
    from tests.rfcs.factory import make_rfc
    with app.app_context():
        rfc_id = make_rfc()
        engine, path = db.engine, db.engine.url.database
    manager = as_user("rm.sit@demo.test")
    begins, changed = [], []

    def watch(connection, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            begins.append(statement)
        elif not changed and statement.startswith("SELECT rfcs.id") and begins == ["BEGIN"]:
            # Another manager withdraws it between this request's read and its write (WAL lets them).
            changed.append(statement)
            other = sqlite3.connect(path, timeout=5)
            other.execute("UPDATE rfcs SET status = 'withdrawn', row_version = row_version + 1 WHERE id = ?",
                          (rfc_id,))
            other.commit()
            other.close()

    event.listen(engine, "after_cursor_execute", watch)
    try:
        answer = manager.post(f"/rfcs/{rfc_id}/decide", {"decision": "approve", "row_version": "1"})
    finally:
        event.remove(engine, "after_cursor_execute", watch)
    assert changed and begins[:2] == ["BEGIN", "BEGIN IMMEDIATE"], begins
    assert answer.status_code == 303
    assert "changed while you had it open" in manager.get(answer.location).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Rfc, rfc_id).status == RfcStatus.WITHDRAWN


def test_the_write_lock_reads_again_what_the_request_read_but_the_session_user(app):
    """Taking the write lock ends the reading transaction: what it loaded is read again under the lock, except the
    user the session names (checked at the request's start, not read again at every approval); a change made to
    them before is undone, as before."""
    sqlite_only(app)
    from flask import g
    from sqlalchemy import inspect

    from mhhs.core.db import writing
    from mhhs.directory.models import Environment, User
    for change_user in (False, True):
        with app.test_request_context("/rfcs/1/decide", method="POST"):
            g.reads_first = True
            user = db.session.scalar(select(User).where(User.email == "rm.sit@demo.test"))
            environment = db.session.scalar(select(Environment))
            g._login_user, name = user, user.name
            assert g.reading
            if change_user:
                user.name = "Changed while reading"
            with writing():
                assert inspect(environment).expired_attributes  # read again at its next use, under the lock
                assert bool(inspect(user).expired_attributes) == change_user
                assert user in db.session and user.name == name
                assert db.session.scalar(select(MarketRole.id).limit(1)) is not None
                assert not g.reading  # the write lock's transaction
            db.session.rollback()
