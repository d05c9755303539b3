"""UTC storage, Europe/London display, business days (England & Wales bank holidays)."""
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
# The times a person may give (windows, outages): what the calendar arithmetic (London's offsets, business days)
# reaches with room to spare; year 1 or 9999 would overflow it on every page showing them (issue 23).
EARLIEST_TIME, LATEST_TIME = datetime(2000, 1, 1), datetime(9000, 1, 1)
TIME_RANGE_MESSAGE = "Enter a date and time between the years 2000 and 8999."


def time_range_problem(moment):
    """The message for a naive time outside EARLIEST_TIME..LATEST_TIME, or None."""
    return TIME_RANGE_MESSAGE if moment is not None and not EARLIEST_TIME <= moment < LATEST_TIME else None


def utcnow():
    """Naive UTC, the form every timestamp is stored in."""
    return datetime.now(UTC).replace(tzinfo=None)


def next_change(spans, now):
    """The first start or end of these (start, end) spans (an end None: not ended) to come after `now`, or
    datetime.max: until when a page listing them holds (an outage's End now button comes, or it goes)."""
    return min([start for start, _ in spans if start > now] + [end for _, end in spans if end and end > now],
               default=datetime.max)


def to_london(value):
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LONDON)


def format_london(value, fmt="%d %b %Y %H:%M"):
    local = to_london(value)
    return local.strftime(fmt) if local else ""


def day_span(first, last, joiner="–"):
    """Two days as a range: "07 Nov–16 Jan 2027", the first day's year said too when the years differ
    ("07 Nov 2026–16 Jan 2027")."""
    start = "%d %b" if first.year == last.year else "%d %b %Y"
    return f"{first.strftime(start)}{joiner}{last:%d %b %Y}"


def london_to_utc(local):
    """A naive Europe/London wall-clock time (as typed in a form) to naive UTC for storage."""
    if local is None:
        return None
    return local.replace(tzinfo=LONDON).astimezone(UTC).replace(tzinfo=None)


def utc_to_london_naive(value):
    """Naive UTC to a naive Europe/London wall-clock time (to fill a datetime-local field)."""
    local = to_london(value)
    return local.replace(tzinfo=None) if local else None


@cache
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
