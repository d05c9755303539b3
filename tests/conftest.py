"""Shared fixtures: one app per run on a migrated database, reference and demo data reloaded for each test."""
import json
import os
import re
import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from sqlalchemy import event, select, text

from mhhs import create_app
from mhhs.api.permissions import SCOPES
from mhhs.api.services import create_token
from mhhs.config import TestConfig
from mhhs.core import changes
from mhhs.core.time import to_london, utcnow
from mhhs.directory.models import User
from mhhs.directory.seed import seed_demo, seed_reference
from mhhs.extensions import db

DEMO_PASSWORD = "demo-pass"
TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    class Config(TestConfig):
        if not os.environ.get("TEST_DATABASE_URL"):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"

    app = create_app(Config)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()  # the schema comes from the migrations, exactly as in production
    return app


def _empty():
    db.session.remove()
    changes.forget()  # the process's copies of what the rows held (tests also write rows the ORM does not see)
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":  # ids start again at 1, as SQLite's do once a table is empty
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
                              + " RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture(scope="session")
def seeded(app):
    """The reference and demo data, seeded once through the app's own seeding and kept as plain rows, so each test
    starts from them without seeding again (inserting the rows costs a fraction of it)."""
    with app.app_context():
        seed_reference()
        seed_demo()
        with db.engine.connect() as conn:
            rows = [(t, [dict(r._mapping) for r in conn.execute(t.select())]) for t in db.metadata.sorted_tables]
        _empty()
    return [(table, found) for table, found in rows if found]


@pytest.fixture(autouse=True)
def data(app, seeded):
    """Every test starts from the seeded rows, and every table is emptied after it, whatever it did (threads, a live
    server and the SMTP delivery thread included: a rolled-back transaction could not cover those)."""
    with app.app_context():
        with db.engine.begin() as conn:
            for table, rows in seeded:
                conn.execute(table.insert(), rows)
                if db.engine.dialect.name == "postgresql" and "id" in table.c:  # the next id follows the rows
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                                      f"(SELECT max(id) FROM \"{table.name}\"))"))
    yield
    with app.app_context():
        _empty()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


class Client:
    """A test client that logs in like a person and sends the CSRF token the page gave it."""

    def __init__(self, app):
        self.http = app.test_client()
        self.token = None

    def _refresh_token(self, url="/login"):
        page = self.http.get(url, follow_redirects=True).get_data(as_text=True)  # to change a password first, say
        self.token = TOKEN.search(page).group(1)

    def login(self, email, password=DEMO_PASSWORD):
        self._refresh_token()
        response = self.http.post("/login", data={"email": email, "password": password, "csrf_token": self.token})
        self._refresh_token("/" if response.status_code == 303 else "/login")
        return response

    def get(self, url, htmx=False, **kwargs):
        headers = {"HX-Request": "true"} if htmx else {}
        # buffered: the whole body is read and the response closed at once, as a real server does.
        return self.http.get(url, headers=headers, buffered=True, **kwargs)

    def post(self, url, data=None, htmx=False, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token)
        headers = {"HX-Request": "true"} if htmx else {}
        return self.http.post(url, data=data, headers=headers, buffered=True, **kwargs)


@pytest.fixture
def client(app):
    return Client(app)


@pytest.fixture
def as_user(app):
    """as_user("rm.sit@demo.test") gives a client logged in as that demo user."""
    def make(email):
        c = Client(app)
        assert c.login(email).status_code == 303
        return c
    return make


class QueryCounter:
    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _count(self, *args):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)


@pytest.fixture
def make_token(app):
    def make(email="dip@demo.test", scopes=tuple(SCOPES), days=30, name="DIP pipeline"):
        with app.app_context():
            today = to_london(utcnow()).date()  # the token's days are London's
            user = db.session.scalar(select(User).where(User.email == email))
            _token, secret = create_token(user, name, scopes, today + timedelta(days=days), password=DEMO_PASSWORD)
            return secret
    return make


@pytest.fixture
def api(app):
    """Calls the API with a token, JSON in and out."""
    http = app.test_client()

    def call(method, url, secret=None, body=None, headers=None, **kwargs):
        headers = dict(headers or {})
        if secret:
            headers["Authorization"] = f"Bearer {secret}"
        if body is not None:
            kwargs["data"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        return http.open(f"/api/v1{url}", method=method, headers=headers, **kwargs)
    return call


@pytest.fixture
def count_queries(app):
    with app.app_context():
        engine = db.engine
    return lambda: QueryCounter(engine)


class Inbox:
    """What a real SMTP server on loopback received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.messages[-1].envelope_to = list(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    """An aiosmtpd server on a loopback port, configured as the app's MAIL_SERVER for one test."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield inbox
    controller.stop()
    app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
