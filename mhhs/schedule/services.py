"""Writes of the schedule: freezes, test phases and calendar feed tokens; each one unit of work, audited."""
import secrets

from ..audit.services import record
from ..core.permissions import can_keep_schedule, require
from ..windows.models import Freeze
from .models import TestPhase
from ..extensions import db


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


def add_test_phase(by, name, environment_id, first_day, last_day):
    require(can_keep_schedule(by), "Only a Release Manager keeps freezes and the test-phase plan.")
    phase = TestPhase(name=name, environment_id=environment_id, first_day=first_day, last_day=last_day)
    db.session.add(phase)
    db.session.flush()
    record("test_phase.added", actor=by, obj=phase, summary=f"{name} {first_day}–{last_day}")
    db.session.commit()
    return phase


def remove_test_phase(by, phase):
    require(can_keep_schedule(by), "Only a Release Manager keeps freezes and the test-phase plan.")
    record("test_phase.removed", actor=by, obj=phase, summary=phase.name)
    db.session.delete(phase)
    db.session.commit()


def feed_token(user):
    """The user's calendar feed token, made on first use."""
    if not user.calendar_token:
        new_feed_token(user)
    return user.calendar_token


def new_feed_token(user):
    """A new token: the feed URLs given out so far answer 404 from now on."""
    user.calendar_token = secrets.token_urlsafe(32)
    record("user.calendar_token", actor=user, obj=user, summary="new calendar feed URLs")
    db.session.commit()
    return user.calendar_token
