"""What a token may do: its scopes, never more than its user's own role allows (the role rules stay the views')."""
from functools import wraps

from flask import abort, g
from flask_login import current_user

from ..core.permissions import Role

# Scope: what it lets a pipeline do (the words on the "API tokens" page).
SCOPES = {
    "read": "Read RFCs and their approvals, the baseline, outages and certificates",
    "rfcs": "Raise, change, submit and withdraw RFCs",
    "deployments": "Record deployment outcomes",
    "outages": "Log and end outages",
    "certificates": "Upload certificates",
}
MAX_DAYS = 366  # a token expires within a year


def can_manage_token(user, token):
    return token.user_id == user.id


def api_access(scope, *roles):
    """Marks an API view with the scope a token needs and the roles its user must have (403 otherwise)."""
    allowed = frozenset(roles or Role)

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
