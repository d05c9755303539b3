"""Authentication with a per-e-mail lock-out and a per-address limit, all written to the audit trail.
Both counts live in the database, so they hold across every server process."""
from datetime import timedelta

from flask import current_app
from limits import parse
from sqlalchemy import select

from ..audit.services import record
from ..core.db import insert_if_missing
from ..core.passwords import hash_password, needs_rehash, password_problem, verify_password
from ..core.services import Invalid
from ..core.time import format_london, utcnow
from ..directory.models import User
from ..extensions import db
from .models import AddressThrottle, LoginThrottle

REFUSED = "That e-mail and password do not match an active account."
WRONG_PASSWORD = "That is not your password."
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

    by_address.failures += 1
    reason = "inactive account" if matches else "wrong e-mail or password"
    record("login.failed", actor=user, obj=user, summary=f"{email}: {reason}")
    message = _count_failure(throttle, user, now) or REFUSED
    db.session.commit()
    raise LoginRefused(message)


def _count_failure(throttle, user, now):
    """One more failure for the e-mail; at LOGIN_MAX_FAILURES it is locked, and the lock's message is returned."""
    throttle.failures += 1
    if throttle.failures < current_app.config["LOGIN_MAX_FAILURES"]:
        return None
    throttle.failures = 0
    throttle.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    record("login.locked", actor=user, obj=user,
           summary=f"{throttle.email} locked until {throttle.locked_until:%Y-%m-%d %H:%M} UTC")
    return _locked_message(throttle.locked_until)


def check_password(user, password, field="password"):
    """Asks a logged-in person for their password again (to change it, to make an API token): a wrong one counts
    towards the e-mail's lock-out as a failed login does, and is refused by the field; while the e-mail is locked,
    even the right one is refused. The failure is committed before the refusal undoes the rest."""
    now = utcnow()
    insert_if_missing(LoginThrottle, email=user.email, failures=0)
    throttle = db.session.get(LoginThrottle, user.email, with_for_update=True, populate_existing=True)
    if throttle.locked_until and throttle.locked_until > now:
        raise Invalid({field: _locked_message(throttle.locked_until)})
    if verify_password(user.password_hash, password or ""):
        return
    record("password.wrong", actor=user, obj=user)
    message = _count_failure(throttle, user, now) or WRONG_PASSWORD
    db.session.commit()
    raise Invalid({field: message})


def change_password(user, current, new, end_tokens=False):
    """The user's own new password, which clears must_change_password. Every other session of theirs ends (a
    browser left signed in elsewhere must log in with it); their API tokens and calendar feed URLs go on working
    (pipelines and calendars are not people signed in) unless they ask for them to end too."""
    check_password(user, current, "current_password")
    problems = {}
    if password_problem(new):
        problems["new_password"] = password_problem(new)
    elif verify_password(user.password_hash, new):
        problems["new_password"] = "Choose a password other than your current one."
    if problems:
        raise Invalid(problems)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    (user.end_credentials if end_tokens else user.end_sessions)()
    record("user.password_changed", actor=user, obj=user,
           summary="other sessions, API tokens and calendar feed URLs ended" if end_tokens
           else "other sessions ended")
    db.session.commit()


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
