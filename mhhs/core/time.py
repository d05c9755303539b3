"""UTC storage, Europe/London display, business days (England & Wales bank holidays)."""
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


def utcnow():
    """Naive UTC, the form every timestamp is stored in."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_london(value):
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(LONDON)


def format_london(value, fmt="%d %b %Y %H:%M"):
    local = to_london(value)
    return local.strftime(fmt) if local else ""


def london_to_utc(local):
    """A naive Europe/London wall-clock time (as typed in a form) to naive UTC for storage."""
    if local is None:
        return None
    return local.replace(tzinfo=LONDON).astimezone(timezone.utc).replace(tzinfo=None)


def utc_to_london_naive(value):
    """Naive UTC to a naive Europe/London wall-clock time (to fill a datetime-local field)."""
    local = to_london(value)
    return local.replace(tzinfo=None) if local else None


@lru_cache(maxsize=None)
def _bank_holidays(year):
    # England & Wales share their bank holidays; the holidays package keeps them current.
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def bank_holiday(day):
    """The bank holiday's name, or None."""
    return _bank_holidays(day.year).get(day)


def is_business_day(day):
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_business_days(moment, days):
    """The same London wall-clock time `days` business days after `moment` (naive UTC in and out)."""
    local = to_london(moment)
    day = local.date()
    while days > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            days -= 1
    return london_to_utc(local.replace(tzinfo=None, year=day.year, month=day.month, day=day.day))
