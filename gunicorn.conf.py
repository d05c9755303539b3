"""Gunicorn settings for Release Desk: `gunicorn app:app` reads this file from the working directory.
Each can be overridden from the environment (or on the command line)."""
import ctypes
import ctypes.util
import gc
import os

from gunicorn import glogging

from mhhs.core.security import masked_path

# The production server makes links only from PUBLIC_URL (e-mails, feeds, the API): it will not start without it.
if not os.environ.get("PUBLIC_URL"):
    raise SystemExit("PUBLIC_URL is not set: it is where people reach Release Desk (https://release-desk.example.org), "
                     "the start of every link in e-mails, calendar feeds and the API. Set it and start again.")

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Two workers per core is gunicorn's usual starting point; SQLite writes wait for each other (BEGIN IMMEDIATE).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A PDF of a long release note takes about two seconds; nothing takes thirty.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so nothing slowly accumulates.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))  # 0: never (benchmarks)
max_requests_jitter = 200
# The app logs one line per request with its id, user, status and duration (mhhs.requests); gunicorn's access
# log adds the client, size and user agent.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


class _MaskingLogger(glogging.Logger):
    """gunicorn's access log, with the secret of a calendar feed URL masked in the request line and path."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U"):
            atoms[key] = masked_path(atoms[key])
        return atoms


logger_class = _MaskingLogger
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'
# Trust X-Forwarded-* only through the app's ProxyFix (PROXY_COUNT), not gunicorn's own list.
forwarded_allow_ips = "127.0.0.1"


# glibc keeps the memory a large request freed (a month's calendar at programme scale: tens of MB, mostly SQLite's and
# the rows') in its heap, so a worker's resident size only ever grows towards its largest request. After a request
# that left the worker TRIM_MEGABYTES larger than after the last trim, malloc_trim hands the free pages back (a few
# ms, after the answer was sent; reading the size is one small read of /proc per request).
TRIM_MEGABYTES = int(os.environ.get("GUNICORN_TRIM_MEGABYTES", "16"))  # 0: never
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
_trimmable = TRIM_MEGABYTES and hasattr(_libc, "malloc_trim") and os.path.exists("/proc/self/statm")  # glibc, Linux
_PAGE = os.sysconf("SC_PAGE_SIZE")
_trimmed_at = {}  # the worker's resident bytes after its last trim (one worker per process: a single entry)


def _resident_bytes():
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * _PAGE


def post_worker_init(worker):
    """The objects the worker made at start (the app's modules, models, routes and templates' environment: some 190,000)
    live as long as it does: moved out of the cyclic garbage collector's reach, so that each of its full collections,
    which stop the worker while they walk every object, has those fewer to walk (measured: 76 ms fewer, of 100-140 ms
    pauses at programme scale)."""
    gc.freeze()


def post_request(worker, req, environ, resp):
    if not _trimmable:
        return
    if _resident_bytes() - _trimmed_at.get("bytes", 0) >= TRIM_MEGABYTES * 1024 * 1024:
        _libc.malloc_trim(0)
        _trimmed_at["bytes"] = _resident_bytes()
