"""Who a request acts as: the bearer token's user (never the session cookie), held to the token's scopes and to the
role rule of what it does, read from the domain's own predicate (`can_raise_rfc`), not restated here."""
import math
import time
from datetime import UTC, datetime
from functools import wraps

from flask import abort, g, request
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from ..auth.services import address_failure_limit
from ..core.permissions import roles_allowed
from ..core.time import format_london
from ..extensions import db, limiter
from .blueprint import bp
from .services import token_for

# Requests without a valid token, counted per client address in the limiter's storage (every worker shares it).
FAILED = "api-authentication-failed"
ADDRESS_LIMITED = ("Too many requests without a valid API token from your network address. Try again after {until}, "
                   "or ask a Release Manager.")


def _refuse_a_guessing_address(address):
    """An address that sent LOGIN_MAX_ADDRESS_FAILURES invalid tokens in the window is refused before its token is
    read, a valid one too (as the login form refuses it): 429 with Retry-After. Other addresses go on."""
    limit = address_failure_limit()
    if limiter.limiter.test(limit, FAILED, address):
        return
    reset_at = limiter.limiter.get_window_stats(limit, FAILED, address).reset_time
    until = datetime.fromtimestamp(reset_at, UTC).replace(tzinfo=None)
    raise TooManyRequests(ADDRESS_LIMITED.format(until=format_london(until, "%H:%M")),
                          retry_after=max(1, math.ceil(reset_at - time.time())))


@bp.before_request
def authenticate():
    """The bearer token, never the session cookie: the request acts as the token's user."""
    address = request.remote_addr or "unknown"
    _refuse_a_guessing_address(address)
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    token = token_for(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        db.session.rollback()  # it wrote nothing; SQLite: a writing request's lock is let go before the count takes it
        limiter.limiter.hit(address_failure_limit(), FAILED, address)
        abort(401, "Send a valid API token as Authorization: Bearer rd_…. Tokens are made on the API tokens page; "
                   "an expired or revoked token, or one of a deactivated user, no longer works.")
    g._login_user, g.api_token = token.user, token  # flask-login's current user for this request only
    g.audit_via = f"the API (token “{token.name}”)"
    if request.method in ("POST", "PATCH") and request.get_data(cache=True) and not request.is_json:
        abort(415, "Send JSON with Content-Type: application/json.")


def api_access(scope, rule=None):
    """Marks an API view with the scope a token needs and the rule by role its user must pass (403 otherwise):
    `rule` is the domain's predicate (e.g. rfcs.permissions.can_raise_rfc), or None for every role."""
    allowed = roles_allowed(rule)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if scope not in g.api_token.scope_set:
                abort(403, f"This token lacks the “{scope}” scope: make a token with it on the API tokens page.")
            if current_user.role not in allowed:
                abort(403, f"A {current_user.role.label} may not do this.")
            return view(*args, **kwargs)

        wrapped.access = allowed
        wrapped.scope = scope
        return wrapped

    return decorator
