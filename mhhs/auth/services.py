"""Authentication with a per-e-mail lock-out and a per-address limit, all written to the audit trail.
Both counts live in the database, so they hold across every server process."""
from datetime import timedelta

from flask import current_app
from limits import parse
from sqlalchemy import select

from ..audit.services import record
from ..core.db import insert_if_missing
from ..core.passwords import hash_password, needs_rehash, verify_password
from ..core.time import format_london, utcnow
from ..directory.models import User
from ..extensions import db
from .models import AddressThrottle, LoginThrottle

REFUSED = "That e-mail and password do not match an active account."
LOCKED = "Too many failed attempts for this e-mail. Try again after {until}."
ADDRESS_LIMITED = ("Too many failed logins from your network address. Try again after {until}, or ask a Release "
                   "Manager.")


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


def _address_throttle(address, now):
    """The address's failure count in the current window (a window older than the lock time starts afresh)."""
    insert_if_missing(AddressThrottle, address=address, window_start=now, failures=0)
    throttle = db.session.get(AddressThrottle, address, with_for_update=True, populate_existing=True)
    window = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    if throttle.window_start + window <= now:
        throttle.window_start, throttle.failures = now, 0
    return throttle, throttle.window_start + window


def address_failure_limit():
    """How many failed authentications one network address may make in a window (login form and API tokens alike):
    LOGIN_MAX_ADDRESS_FAILURES per LOGIN_LOCK_MINUTES, as a `limits` rate."""
    config = current_app.config
    return parse(f"{config['LOGIN_MAX_ADDRESS_FAILURES']} per {config['LOGIN_LOCK_MINUTES']} minutes")


def authenticate(email, password, address="unknown"):
    """Returns the user for a correct e-mail and password, or raises LoginRefused with the message to show.
    address: the client's network address (one address may fail LOGIN_MAX_ADDRESS_FAILURES times a window)."""
    email = normalise_email(email)
    now = utcnow()
    by_address, address_until = _address_throttle(address[:64], now)
    if by_address.failures >= current_app.config["LOGIN_MAX_ADDRESS_FAILURES"]:
        record("login.refused_address", summary=f"{email} from {address}")
        db.session.commit()
        raise LoginRefused(ADDRESS_LIMITED.format(until=format_london(address_until, "%H:%M")))
    insert_if_missing(LoginThrottle, email=email, failures=0)
    throttle = db.session.get(LoginThrottle, email, with_for_update=True, populate_existing=True)
    if throttle.locked_until and throttle.locked_until > now:
        record("login.refused_locked", summary=email)
        db.session.commit()
        raise LoginRefused(_locked_message(throttle.locked_until))

    user = db.session.scalar(select(User).where(User.email == email))
    matches = verify_password(user.password_hash if user else _dummy_hash(), password)
    if matches and user.active:
        db.session.delete(throttle)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        record("login", actor=user, obj=user)
        db.session.commit()
        return user

    throttle.failures += 1
    by_address.failures += 1
    reason = "inactive account" if matches else "wrong e-mail or password"
    record("login.failed", actor=user, obj=user, summary=f"{email}: {reason}")
    message = REFUSED
    if throttle.failures >= current_app.config["LOGIN_MAX_FAILURES"]:
        throttle.failures = 0
        throttle.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        record("login.locked", actor=user, obj=user,
               summary=f"{email} locked until {throttle.locked_until:%Y-%m-%d %H:%M} UTC")
        message = _locked_message(throttle.locked_until)
    db.session.commit()
    raise LoginRefused(message)


def locked_until(email):
    """When the lock on this e-mail ends, or None when it may log in."""
    throttle = db.session.get(LoginThrottle, normalise_email(email))
    return throttle.locked_until if throttle and throttle.locked_until and throttle.locked_until > utcnow() else None


def unlock(by, user):
    """A Release Manager lifts the lock on a user's e-mail (someone else may have typed it on purpose)."""
    throttle = db.session.get(LoginThrottle, user.email)
    if throttle is not None:
        db.session.delete(throttle)
    record("login.unlocked", actor=by, obj=user, summary=user.email)
    db.session.commit()


def sign_out_everywhere(user):
    """The user's own "sign out everywhere": every session, API token and calendar feed URL of theirs ends."""
    user.end_credentials()
    record("logout.everywhere", actor=user, obj=user, summary="sessions, API tokens and calendar feed URLs ended")
    db.session.commit()


def log_out(user):
    """Ends every session of this user (a copied cookie stops working too) and records it."""
    user.end_sessions()
    record("logout", actor=user, obj=user)
    db.session.commit()
