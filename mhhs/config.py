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
    # Signs the session cookie: no default, create_app refuses to start without one.
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'release-desk.sqlite'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # A tab left open all day must still be able to post.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    # Over HTTPS the cookie is "__Host-session": only this host, path /, Secure (a subdomain cannot plant one).
    SESSION_COOKIE_NAME = "__Host-session" if SESSION_COOKIE_SECURE else "session"
    # A session ends after this long without a request, and this long after login whatever happens (ASVS 7.3).
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", str(8 * 60)))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", str(7 * 24)))
    # Strict-Transport-Security when served over HTTPS (0 turns it off).
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000"))
    # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto/-Host (0: none, trust no header).
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # The largest upload is a certificate, a few kilobytes: larger bodies are refused before they are read.
    MAX_CONTENT_LENGTH = 1024 * 1024
    PER_PAGE = 25
    # Compressed where it pays and leaks nothing: CSV exports, scripts, styles. Not HTML, whose CSRF token beside
    # text a visitor can make a page reflect is what a compression side channel (BREACH) reads.
    COMPRESS_MIMETYPES = ["text/csv", "text/css", "text/javascript", "application/javascript", "application/json"]
    # Azure DevOps links (RCM Table 3, EAP §12.1.1): defect and work-item IDs become links; empty: plain text.
    DEFECT_URL_TEMPLATE = os.environ.get("DEFECT_URL_TEMPLATE", "")
    PROGRAMME_NAME = os.environ.get("PROGRAMME_NAME", "Market-wide Half Hourly Settlement (MHHS) Programme")
    # Login throttling: after this many failures for one e-mail, it is locked for a while.
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
    LOGIN_LOCK_MINUTES = int(os.environ.get("LOGIN_LOCK_MINUTES", "15"))
    # ...and one network address may fail this many times (over any e-mails) in that many minutes; the same number
    # of API requests without a valid token from one address in that time, and the address gets 429 until it ends.
    LOGIN_MAX_ADDRESS_FAILURES = int(os.environ.get("LOGIN_MAX_ADDRESS_FAILURES", "30"))
    # Outgoing mail: with no MAIL_SERVER, messages wait in the outbox unsent.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Release Desk <release-desk@localhost>")
    # Where people reach Release Desk: every link in e-mails, calendar feeds and API bodies starts with it (never
    # with the Host a request names). gunicorn.conf.py refuses to serve without it; the development server and the
    # command line default to the development address.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    # The hosts requests may name (comma-separated, ".example.org" for its subdomains); others get 400.
    # Unset: PUBLIC_URL's host alone.
    ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "")
    # The API (/api/v1): requests per token, counted in RATELIMIT_STORAGE_URI: "database://" (the app's own database,
    # core/rate_limits.py) counts across every server process; "redis://…" or "memcached://…" would too, "memory://"
    # per process only. 429 with Retry-After beyond it.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "database://")
    RATELIMIT_HEADERS_ENABLED = True
    # PDFs one person may have rendered (pages, downloads, attachments), counted in the same storage.
    PDF_RATE_LIMIT = os.environ.get("PDF_RATE_LIMIT", "12 per minute")
    # Business days of notice a participant gives before a data refresh of its own environment (EAP §12.6).
    PARTICIPANT_REFRESH_NOTICE_DAYS = int(os.environ.get("PARTICIPANT_REFRESH_NOTICE_DAYS", "2"))
    API_TITLE = "Release Desk API"
    API_VERSION = "1"
    OPENAPI_VERSION = "3.1.0"
    # Argon2id cost (argon2-cffi defaults, RFC 9106 low-memory profile).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536


NO_SECRET_KEY = ("SECRET_KEY is not set, so sessions could be forged; Release Desk will not start without it. "
                 "Set it once per installation and keep it: "
                 "export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')")


class TestConfig(Config):
    TESTING = True
    PUBLIC_URL = "http://localhost"
    ALLOWED_HOSTS = "localhost,127.0.0.1"
    PDF_RATE_LIMIT = "1000 per minute"  # tests/exports/test_pdf.py sets its own
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("TEST_DATABASE_URL", f"sqlite:///{INSTANCE / 'test.sqlite'}")
    )
    # Cheap hashes keep the suite fast; the algorithm stays Argon2id.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
