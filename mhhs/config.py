"""Configuration read from environment variables; TestConfig for the test suite."""
import os
from pathlib import Path

INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def database_url(value):
    # Heroku-style URLs name the dialect "postgres"; SQLAlchemy wants the psycopg 3 driver named.
    if value.startswith("postgres://"):
        value = "postgresql://" + value[len("postgres://"):]
    if value.startswith("postgresql://"):
        value = "postgresql+psycopg://" + value[len("postgresql://"):]
    return value


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'release-desk.sqlite'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # A tab left open all day must still be able to post.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # The largest upload is a certificate, a few kilobytes: larger bodies are refused before they are read.
    MAX_CONTENT_LENGTH = 1024 * 1024
    PER_PAGE = 25
    PROGRAMME_NAME = os.environ.get("PROGRAMME_NAME", "Market-wide Half Hourly Settlement (MHHS) Programme")
    # Login throttling: after this many failures for one e-mail, it is locked for a while.
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
    LOGIN_LOCK_MINUTES = int(os.environ.get("LOGIN_LOCK_MINUTES", "15"))
    # Outgoing mail: with no MAIL_SERVER, messages wait in the outbox unsent.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Release Desk <release-desk@localhost>")
    # Argon2id cost (argon2-cffi defaults, RFC 9106 low-memory profile).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("TEST_DATABASE_URL", f"sqlite:///{INSTANCE / 'test.sqlite'}")
    )
    # Cheap hashes keep the suite fast; the algorithm stays Argon2id.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
