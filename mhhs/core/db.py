"""SQLite pragmas and BEGIN IMMEDIATE for writes, so concurrent writers wait instead of failing; views that read
first (@reads_first) take the write lock only in their units of work (writing)."""
import time
from contextlib import contextmanager
from datetime import timedelta
from functools import wraps

from flask import g, has_request_context, request
from sqlalchemy import Enum, Float, event, func, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..extensions import db

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
LOCK_WAIT_SECONDS = 10  # how long a request waits for SQLite's write lock before "database is locked"
# Execution options of a connection beside the request's session (the rate-limit counts). ONE_STATEMENT: each of its
# statements is a transaction of its own (SQLite: no BEGIN is sent), so a read never asks for the write lock, which
# the request's own session may hold. WRITES: it takes the write lock at BEGIN (SQLite), whatever the request is.
ONE_STATEMENT = "one_statement"
WRITES = "writes"


def _wants_write():
    # A request that may write takes the write lock at BEGIN; a read-then-write upgrade in a deferred transaction
    # would fail at once with "database is locked" whenever another request had written since the read began.
    if not has_request_context() or g.get("writing"):
        return True
    return request.method not in SAFE_METHODS and not g.get("reads_first")


@contextmanager
def writing():
    """The transactions begun within take the write lock at BEGIN (SQLite), as a writing request's do. A reading
    transaction still open is ended first (rolled back, so what it loaded is read again under the lock, all but the
    session's user: _end_reading)."""
    outer = g.get("writing", False)
    if not outer and g.get("reading") and db.session().in_transaction():
        _end_reading()
    g.writing = True
    try:
        yield
    finally:
        g.writing = outer


def _end_reading():
    """Rolls the request's reading transaction back, keeping the session's user as it was read: read and checked
    at the start of this request (flask_login), it is not read again under the lock for every write (the other
    objects are, as a rollback expires them)."""
    state = inspect(g.get("_login_user"), raiseerr=False)
    user = state.obj() if state is not None and state.persistent and not state.modified \
        and state.session_id == db.session().hash_key else None  # (a change to it is undone, as before)
    if user is not None:
        db.session.expunge(user)
    db.session.rollback()
    if user is not None:
        db.session.add(user)


def reads_first(view):
    """Marks a view that only writes through services in @unit_of_work: its reads (the user, the object, the form)
    run without SQLite's write lock, which each unit of work takes for its own writes only. Where several people
    act at once (the approval queue), they then wait for each other only while they write."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        g.reads_first = True
        return view(*args, **kwargs)
    return wrapped


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
        cursor.execute(f"PRAGMA busy_timeout={LOCK_WAIT_SECONDS * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        options = connection.get_execution_options()
        if options.get(ONE_STATEMENT):
            return  # pysqlite without its own BEGIN (isolation_level None): every statement commits alone
        if options.get(WRITES):
            _begin_immediate(connection)  # not the request's transaction: its `reading` flag stays as it is
            return
        write = _wants_write()
        if has_request_context():
            g.reading = not write
        if write:
            _begin_immediate(connection)
        else:
            connection.exec_driver_sql("BEGIN")


def _begin_immediate(connection):
    """BEGIN IMMEDIATE, asked again every fraction of a millisecond while another request holds the write lock.
    SQLite's own busy handler sleeps 1, 2, 5, 10, 15… ms between tries, which leaves the lock idle between the short
    write transactions of several requests (measured: 50-70 approvals/s committed by 10 writers, 80-120 with this)."""
    raw = connection.connection.dbapi_connection
    raw.execute("PRAGMA busy_timeout=0")
    try:
        pause, deadline = 0.0002, time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.0005)
    finally:
        raw.execute(f"PRAGMA busy_timeout={LOCK_WAIT_SECONDS * 1000}")


def value_enum(cls, length):
    """An enum column that stores the members' values (the words users read), not their names."""
    return Enum(cls, native_enum=False, length=length, values_callable=lambda members: [m.value for m in members])


def insert_if_missing(model, **values):
    """INSERT … ON CONFLICT DO NOTHING: two requests creating the same row at once both go on, no error.
    Then lock the row (`db.session.get(..., with_for_update=True)`) to change it."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(model).values(**values).on_conflict_do_nothing())


class seconds_between(FunctionElement):  # noqa: N801 (used as an SQL function)
    """The seconds from the first DateTime expression to the second, in SQL (SQLite and PostgreSQL): what bounds a
    range query by its rows' longest length (`longest`)."""
    name = "seconds_between"
    type = Float()
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_between_postgresql(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


def longest(start, end, *where):
    """The longest [start, end) of the rows (those `where` holds), a second over (SQLite's julianday rounds), or None
    when there is none: a row overlapping [first, …) then starts after first less this, so a range query on the
    index on start finds it."""
    seconds = db.session.scalar(select(func.max(seconds_between(start, end))).where(end.is_not(None), *where))
    return None if seconds is None else timedelta(seconds=float(seconds) + 1)
