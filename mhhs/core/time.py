"""UTC storage, Europe/London display."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

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
