"""Rate-limit counts in the app's own database ("database://", the default RATELIMIT_STORAGE_URI), so every
server process counts against one limit: a `limits` storage (subclass of `limits.storage.Storage`, registered by
its STORAGE_SCHEME when this module is imported, which create_app does before the limiter starts). It keeps fixed
windows, flask-limiter's default strategy: one row per key, its count and when its window ends.

Each count is one statement on a connection of its own, committed at once, so it never joins (or waits for) the
request's own transaction, and a refused request still counts. On SQLite that statement needs the write lock, so
a request counts before its first query (the API, in before_request) or while it only reads (a PDF), never while
its own session holds the lock.

What one request has counted or read of a key is kept for the rest of that request: the count flask-limiter's
X-RateLimit headers show is the one the request's own increment returned (no second and third read after it).
An API request costs one increment (BEGIN and the UPSERT on SQLite) and one read (the address's failures)."""
import hashlib
from datetime import UTC, timedelta

from flask import g, has_request_context
from limits.storage import Storage
from sqlalchemy import Column, DateTime, Integer, String, bindparam, delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from .db import ONE_STATEMENT, WRITES
from .time import utcnow

KEY_LENGTH = 200


class RateLimitCount(db.Model):
    __tablename__ = "rate_limit_counts"
    key = Column(String(KEY_LENGTH), primary_key=True)
    count = Column(Integer, nullable=False)
    # When the key's window ends (naive UTC): a count past it is 0, and the row is deleted soon after.
    expires_at = Column(DateTime, nullable=False, index=True)


def _key(key):
    # flask-limiter's keys hold the limited value (a token's digest, an address): a longer one is kept as its digest.
    return key if len(key) <= KEY_LENGTH else hashlib.sha256(key.encode()).hexdigest()


def _seen():
    """{key: (count, window end) or None} this request has counted or read; outside a request, nothing is kept."""
    if not has_request_context():
        return {}
    if "_rate_limit_rows" not in g:
        g._rate_limit_rows = {}
    return g._rate_limit_rows


def _epoch(moment):
    return moment.replace(tzinfo=UTC).timestamp()


_TABLE = RateLimitCount.__table__
_ENDED = delete(_TABLE).where(_TABLE.c.expires_at <= bindparam("now", type_=DateTime))
# The count's UPSERT, the same on both databases: a text statement with typed parameters and columns, so that it is
# compiled once (SQLAlchemy does not cache its dialects' ON CONFLICT constructs: built with them, it was compiled
# again on every API request).
_UPSERT = text(
    'INSERT INTO rate_limit_counts ("key", count, expires_at) VALUES (:counted, :amount, :ends) '
    'ON CONFLICT ("key") DO UPDATE SET '
    "count = CASE WHEN rate_limit_counts.expires_at <= :now THEN :amount ELSE rate_limit_counts.count + :amount END, "
    "expires_at = CASE WHEN rate_limit_counts.expires_at <= :now THEN :ends ELSE rate_limit_counts.expires_at END "
    "RETURNING count, expires_at"
).bindparams(bindparam("counted", type_=String), bindparam("amount", type_=Integer),
             bindparam("ends", type_=DateTime), bindparam("now", type_=DateTime)
             ).columns(count=Integer, expires_at=DateTime)


class DatabaseStorage(Storage):
    """Counts in the `rate_limit_counts` table of the app's database (SQLite or PostgreSQL), which every worker
    shares. Used inside an app context (every request is one)."""

    STORAGE_SCHEME = ["database"]

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key, expiry, amount=1):
        """Adds amount to the key's count in its window, starting a new window of `expiry` seconds when the last one
        has ended; returns the count. One INSERT … ON CONFLICT DO UPDATE … RETURNING, atomic on both databases."""
        now, key = utcnow(), _key(key)
        values = {"counted": key, "amount": amount, "ends": now + timedelta(seconds=expiry), "now": now}
        with db.engine.connect().execution_options(**{WRITES: True}) as connection, connection.begin():
            row = connection.execute(_UPSERT, values).one()
            if row.count == amount:  # a new window: windows that have ended are deleted, so the table stays small
                connection.execute(_ENDED, values)
        _seen()[key] = (row.count, row.expires_at)
        return row.count

    def _row(self, key):
        """(count, when its window ends) of the key's current window, or None: as this request last counted or read
        it, else read (a statement of its own, never the write lock)."""
        key, seen = _key(key), _seen()
        if key not in seen:
            with db.engine.connect().execution_options(**{ONE_STATEMENT: True}) as connection:
                table = RateLimitCount.__table__
                found = connection.execute(select(table.c.count, table.c.expires_at)
                                           .where(table.c.key == key, table.c.expires_at > utcnow())).first()
            seen[key] = tuple(found) if found else None
        row = seen[key]
        return row if row and row[1] > utcnow() else None

    def get(self, key):
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key):
        row = self._row(key)
        return _epoch(row[1] if row else utcnow())

    def check(self):
        try:
            with db.engine.connect().execution_options(**{ONE_STATEMENT: True}) as connection:
                connection.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self):
        _seen().clear()
        with db.engine.begin() as connection:
            return connection.execute(delete(RateLimitCount.__table__)).rowcount

    def clear(self, key):
        _seen().pop(_key(key), None)
        with db.engine.begin() as connection:
            connection.execute(delete(RateLimitCount.__table__).where(RateLimitCount.key == _key(key)))
