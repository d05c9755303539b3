"""Writes of the schedule: freezes, test phases and calendar feed tokens; each one unit of work, audited."""
import hashlib
import secrets

from sqlalchemy import select

from ..audit.services import record
from ..core.permissions import can_keep_schedule, require
from ..directory.models import User
from ..extensions import db
from ..windows.models import Freeze


def add_freeze(by, environment_id, first_day, last_day, reason):
    require(can_keep_schedule(by), "Only a Release Manager keeps freezes and the test-phase plan.")
    freeze = Freeze(environment_id=environment_id, first_day=first_day, last_day=last_day, reason=reason,
                    created_by_id=by.id)
    db.session.add(freeze)
    db.session.flush()
    record("freeze.declared", actor=by, obj=freeze, summary=f"{freeze.scope} {first_day}–{last_day}: {reason}")
    db.session.commit()
    return freeze


def lift_freeze(by, freeze):
    require(can_keep_schedule(by), "Only a Release Manager keeps freezes and the test-phase plan.")
    record("freeze.lifted", actor=by, obj=freeze, summary=f"{freeze.scope} {freeze.first_day}–{freeze.last_day}")
    db.session.delete(freeze)
    db.session.commit()


def remove_test_phase(by, phase):
    require(can_keep_schedule(by), "Only a Release Manager keeps freezes and the test-phase plan.")
    record("test_phase.removed", actor=by, obj=phase, summary=phase.name)
    db.session.delete(phase)
    db.session.commit()


def feed_digest(secret):
    """What is stored of a feed URL's secret: its SHA-256 (the secret has 256 random bits)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_feed_token(user):
    """A new secret, returned to be shown once (only its digest is kept): the feed URLs given out so far answer
    404 from now on."""
    secret = secrets.token_urlsafe(32)
    user.calendar_token = feed_digest(secret)
    record("user.calendar_token", actor=user, obj=user, summary="new calendar feed URLs")
    db.session.commit()
    return secret


feed_token = new_feed_token  # scripts and tests: a working secret for this user


def feed_user(secret):
    """The active user whose feed URLs hold this secret, or None."""
    if len(secret) >= 100:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token == feed_digest(secret)))
    return user if user is not None and user.active else None
