"""SQLite pragmas and BEGIN IMMEDIATE for writes, so concurrent writers wait instead of failing."""
from contextlib import contextmanager

from flask import g, has_request_context, request
from sqlalchemy import Enum, event
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _wants_write():
    # A request that may write takes the write lock at BEGIN; a read-then-write upgrade
    # in a deferred transaction would fail at once with "database is locked".
    return not has_request_context() or request.method not in SAFE_METHODS or g.get("writing", False)


@contextmanager
def writing():
    """A write inside a reading request (GET): the transactions begun within take the write lock at BEGIN, as a
    writing request's do. End the reading transaction first (commit or rollback)."""
    g.writing = True
    try:
        yield
    finally:
        g.writing = False


def configure_engine(engine):
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred only).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write() else "BEGIN")


def value_enum(cls, length):
    """An enum column that stores the members' values (the words users read), not their names."""
    return Enum(cls, native_enum=False, length=length, values_callable=lambda members: [m.value for m in members])


def insert_if_missing(model, **values):
    """INSERT … ON CONFLICT DO NOTHING: two requests creating the same row at once both go on, no error.
    Then lock the row (`db.session.get(..., with_for_update=True)`) to change it."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(model).values(**values).on_conflict_do_nothing())
