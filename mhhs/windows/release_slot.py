"""The weekly release slot (RCM Table 3, §7.4): weekly Minor releases, indicatively Monday afternoon. Release
Managers keep it (default Monday 13:00–17:00); "Suggest a window" offers it first for Minor and Patch releases, and
the calendar shows it."""
from datetime import datetime, time, timedelta

from sqlalchemy import select

from ..audit.services import record
from ..core.permissions import is_manager
from ..core.services import Invalid, Refused
from ..core.time import london_to_utc
from ..extensions import db
from .models import ReleaseSlot

DEFAULT = (0, time(13), time(17))
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FIELDS = ["weekday", "start", "end"]


def weekly_slot():
    """The slot row (the default one if an installation has none yet, unsaved)."""
    slot = db.session.scalar(select(ReleaseSlot).order_by(ReleaseSlot.id).limit(1))
    if slot is None:
        weekday, start, end = DEFAULT
        slot = ReleaseSlot(weekday=weekday, start=start, end=end)
    return slot


def slot_text(slot):
    return f"{DAY_NAMES[slot.weekday]} {slot.start:%H:%M}–{slot.end:%H:%M}"


def slot_spans(first_day, last_day, slot=None):
    """[(start, end)] in naive UTC of each occurrence of the slot from first_day to last_day (London dates)."""
    slot = slot or weekly_slot()
    day = first_day + timedelta(days=(slot.weekday - first_day.weekday()) % 7)
    spans = []
    while day <= last_day:
        spans.append((london_to_utc(datetime.combine(day, slot.start)), london_to_utc(datetime.combine(day, slot.end))))
        day += timedelta(days=7)
    return spans


def save_slot(user, values):
    if not is_manager(user):
        raise Refused("Only a Release Manager keeps the weekly release slot.")
    if values["end"] <= values["start"]:
        raise Invalid({"end": "The slot must end after it starts."})
    slot = weekly_slot()
    slot.weekday, slot.start, slot.end = values["weekday"], values["start"], values["end"]
    db.session.add(slot)
    db.session.flush()
    record("release_slot.updated", actor=user, obj=slot, summary=slot_text(slot))
    db.session.commit()
    return slot


def seed_slot():
    """The default slot (RCM Table 3: Monday afternoon) when an installation has none; registered in create_app to run
    with the reference seed (directory/seed.py: SEED_REFERENCE)."""
    if db.session.scalar(select(ReleaseSlot.id).limit(1)) is not None:
        return 0
    weekday, start, end = DEFAULT
    db.session.add(ReleaseSlot(weekday=weekday, start=start, end=end))
    db.session.commit()
    return 1
