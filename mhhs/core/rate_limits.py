"""Rate-limit counts in the app's own database ("database://", the default RATELIMIT_STORAGE_URI), so every
server process counts against one limit: a `limits` storage (subclass of `limits.storage.Storage`, registered by
its STORAGE_SCHEME when this module is imported, which create_app does before the limiter starts). It keeps fixed
windows, flask-limiter's default strategy: one row per key, its count and when its window ends.

Each count is one statement on a connection of its own, committed at once, so it never joins (or waits for) the
request's own transaction, and a refused request still counts. On SQLite that statement needs the write lock, so
a request counts before its first query (the API, in before_request) or while it only reads (a PDF), never while
its own session holds the lock."""
import hashlib
from datetime import UTC, timedelta

from limits.storage import Storage
from sqlalchemy import Column, DateTime, Integer, String, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from .db import READ_ONLY
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


def _epoch(moment):
    return moment.replace(tzinfo=UTC).timestamp()


class DatabaseStorage(Storage):
    """Counts in the `rate_limit_counts` table of the app's database (SQLite or PostgreSQL), which every worker
    shares. Used inside an app context (every request is one)."""

    STORAGE_SCHEME = ["database"]

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key, expiry, amount=1):
        """Adds amount to the key's count in its window, starting a new window of `expiry` seconds when the last one
        has ended; returns the count. One INSERT … ON CONFLICT DO UPDATE, atomic on both databases."""
        table, now = RateLimitCount.__table__, utcnow()
        ends = now + timedelta(seconds=expiry)
        with db.engine.begin() as connection:
            dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
            statement = dialect.insert(table).values(key=_key(key), count=amount, expires_at=ends)
            ended = table.c.expires_at <= now
            statement = statement.on_conflict_do_update(index_elements=[table.c.key], set_={
                "count": case((ended, amount), else_=table.c.count + amount),
                "expires_at": case((ended, ends), else_=table.c.expires_at),
            }).returning(table.c.count)
            count = connection.execute(statement).scalar_one()
            if count == amount:  # a new window: windows that have ended are deleted, so the table stays small
                connection.execute(delete(table).where(ended))
        return count

    def _row(self, key):
        with db.engine.connect().execution_options(**{READ_ONLY: True}) as connection:
            table = RateLimitCount.__table__
            return connection.execute(select(table.c.count, table.c.expires_at)
                                      .where(table.c.key == _key(key), table.c.expires_at > utcnow())).first()

    def get(self, key):
        row = self._row(key)
        return row.count if row else 0

    def get_expiry(self, key):
        row = self._row(key)
        return _epoch(row.expires_at if row else utcnow())

    def check(self):
        try:
            with db.engine.connect().execution_options(**{READ_ONLY: True}) as connection:
                connection.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self):
        with db.engine.begin() as connection:
            return connection.execute(delete(RateLimitCount.__table__)).rowcount

    def clear(self, key):
        with db.engine.begin() as connection:
            connection.execute(delete(RateLimitCount.__table__).where(RateLimitCount.key == _key(key)))
