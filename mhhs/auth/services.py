"""Authentication with a per-e-mail lock-out after repeated failures, all written to the audit trail."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..audit.services import record
from ..core.time import format_london, utcnow
from ..directory.models import User
from ..extensions import db
from .models import LoginThrottle
from ..core.passwords import hash_password, needs_rehash, verify_password

REFUSED = "That e-mail and password do not match an active account."
LOCKED = "Too many failed attempts for this e-mail. Try again after {until}."


class LoginRefused(Exception):
    pass


def normalise_email(email):
    return (email or "").strip().lower()


def _dummy_hash():
    # Verifying against a real hash when no account exists keeps the timing the same.
    key = "_dummy_password_hash"
    if key not in current_app.extensions:
        current_app.extensions[key] = hash_password("no account has this password")
    return current_app.extensions[key]


def _locked_message(until):
    return LOCKED.format(until=format_london(until, "%H:%M"))


def authenticate(email, password):
    """Returns the user for a correct e-mail and password, or raises LoginRefused with the message to show."""
    email = normalise_email(email)
    now = utcnow()
    throttle = db.session.get(LoginThrottle, email, with_for_update=True)
    if throttle and throttle.locked_until and throttle.locked_until > now:
        record("login.refused_locked", summary=email)
        db.session.commit()
        raise LoginRefused(_locked_message(throttle.locked_until))

    user = db.session.scalar(select(User).where(User.email == email))
    matches = verify_password(user.password_hash if user else _dummy_hash(), password)
    if matches and user.active:
        if throttle:
            db.session.delete(throttle)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        record("login", actor=user, obj=user)
        db.session.commit()
        return user

    if throttle is None:
        throttle = LoginThrottle(email=email, failures=0)
        db.session.add(throttle)
    throttle.failures += 1
    reason = "inactive account" if matches else "wrong e-mail or password"
    record("login.failed", actor=user, obj=user, summary=f"{email}: {reason}")
    message = REFUSED
    if throttle.failures >= current_app.config["LOGIN_MAX_FAILURES"]:
        throttle.failures = 0
        throttle.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        record("login.locked", actor=user, obj=user, summary=f"{email} locked until {throttle.locked_until:%Y-%m-%d %H:%M} UTC")
        message = _locked_message(throttle.locked_until)
    db.session.commit()
    raise LoginRefused(message)


def log_logout(user):
    record("logout", actor=user, obj=user)
    db.session.commit()
