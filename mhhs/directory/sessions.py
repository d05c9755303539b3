"""Whether a session cookie is a user's live session: the one rule by which Flask-Login loads the session's user
(auth.views.load_user), and the light check of an answer given before anyone is loaded (the outage board's unchanged
poll). The session names "user id:session token"; a new token ends every session issued before it (logout,
password, deactivation)."""
import hmac
from functools import wraps

from flask import g, session
from sqlalchemy import bindparam, select

from ..extensions import db, login_manager
from .models import User


def session_parts(session_id):
    """(user id, token) that a session id names; (None, None) for one no user could have been given."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or len(user_id) >= 10 or not token:
        return None, None
    return int(user_id), token


def is_live(active, session_token, token):
    """An active user's current session token (compared in constant time)."""
    return bool(active) and hmac.compare_digest(token, session_token)


# What the light check reads of the user: one statement for every request, so SQLAlchemy keys it once.
SESSION_ROLE = select(User.active, User.session_token, User.role).where(User.id == bindparam("user_id"))


def session_role():
    """The role of the user whose live session this request carries, read as columns (no ORM object, no
    organisation); None for nobody: no session, one that fails Flask-Login's session protection (another address or
    browser: it is cleared, as when the user is loaded), an ended session or an inactive user."""
    session_id = session.get("_user_id")
    if session_id is None or login_manager._session_protection_failed():
        return None
    user_id, token = session_parts(session_id)
    row = (db.session.connection().execute(SESSION_ROLE, {"user_id": user_id}).one_or_none()  # Core, no ORM
           if user_id is not None else None)
    if row is None or not is_live(row.active, row.session_token, token):
        return None
    g.session_user_id = user_id  # whose request it is, for what follows (core.security: headers, the log line)
    return row.role


def may_call(view):
    """Whether this request's session is the live one of a user whose role the view (core.permissions.
    role_required) lets through, checked without loading the user."""
    return session_role() in view.access


def user_not_loaded(view):
    """For a view (under role_required) that shows nothing of the user, the same for everyone it lets through (a
    partial): whoever the session check lets through is served without loading the user as an ORM object; anyone
    else goes through the view's own rule (the login page, 403)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        return (view.__wrapped__ if may_call(view) else view)(*args, **kwargs)
    return wrapped
