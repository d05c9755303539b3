"""Who a request acts as: the bearer token's user (never the session cookie), held to the token's scopes and to the
role rule of what it does, read from the domain's own predicate (`can_raise_rfc`), not restated here."""
from functools import wraps

from flask import abort, g, request
from flask_login import current_user

from ..core.permissions import roles_allowed
from .blueprint import bp
from .services import token_for


@bp.before_request
def authenticate():
    """The bearer token, never the session cookie: the request acts as the token's user."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    token = token_for(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
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
