"""Support hours as data (EAP §12.7) and freezes: when a deployment window may run for a system and environment."""
from datetime import datetime, timedelta

from sqlalchemy import bindparam, or_, select

from ..core.time import bank_holiday, london_to_utc, to_london
from ..directory.models import DAY_NAMES, SupportKind
from ..extensions import db
from .models import Freeze


def _days_text(days):
    if days == "01234":
        return "weekdays"
    if days == "0123456":
        return "every day"
    return ", ".join(DAY_NAMES[int(d)][:3] for d in days)


def _usable(kind, days, start, end):
    """Set days and hours that can be used: a row a migration or an older release left with "hours" but no days,
    start or end (or an end not after the start) reads as "to be confirmed"."""
    return (kind == SupportKind.HOURS and bool(days) and set(days) <= set("0123456")
            and start is not None and end is not None and end > start)


def set_hours(system):
    """Whether the system has support days and hours that can be used (no system has none)."""
    return system is not None and _usable(system.support_kind, system.support_days, system.support_start,
                                          system.support_end)


def operable_set(system):
    """Whether the system runs on set days and hours (EAP §12.7: operable hours, not its support hours)."""
    return _usable(system.operable_kind, system.operable_days, system.operable_start, system.operable_end)


def _words(kind, usable, days, start, end):
    if kind == SupportKind.ALWAYS:
        return "24/7"
    return f"{_days_text(days)} {start:%H:%M}–{end:%H:%M}" if usable else "to be confirmed"


def describe(system):
    """The support hours in words, e.g. "weekdays 09:00–17:00 (gate closure 15:00)"."""
    text = _words(system.support_kind, set_hours(system), system.support_days, system.support_start,
                  system.support_end)
    return text + (f" (gate closure {system.gate_closure:%H:%M})" if set_hours(system) and system.gate_closure else "")


def describe_operable(system):
    """The operable hours in words, e.g. "24/7" or "weekdays 09:00–17:00"."""
    return _words(system.operable_kind, operable_set(system), system.operable_days, system.operable_start,
                  system.operable_end)


def deploy_until(system):
    """The wall-clock time a window must end by on a support day: the gate closure if there is one."""
    return min(system.support_end, system.gate_closure) if system.gate_closure else system.support_end


def _spans(days, start, until, first_day, last_day):
    """[(start, end)] in naive UTC of these weekdays' hours from first_day to last_day; bank holidays are closed."""
    spans, day = [], first_day
    while day <= last_day:
        if str(day.weekday()) in days and not bank_holiday(day):
            spans.append((london_to_utc(datetime.combine(day, start)), london_to_utc(datetime.combine(day, until))))
        day += timedelta(days=1)
    return [(a, b) for a, b in spans if b > a]


def support_days_between(system, first_day, last_day, deploying=True):
    """[(start, end)] in naive UTC: the periods from first_day to last_day (Europe/London days) in which a window of
    this system may run (deploying: up to the gate closure; otherwise, as for a test slot, to the end of support);
    None when any time will do (24/7, or hours not yet confirmed). Bank holidays are closed."""
    if not set_hours(system):
        return None
    return _spans(system.support_days, system.support_start, deploy_until(system) if deploying else system.support_end,
                  first_day, last_day)


def operable_between(system, first_day, last_day):
    """[(start, end)] in naive UTC: the periods the system runs from first_day to last_day; None when it runs
    round the clock (24/7, or hours not yet confirmed)."""
    if not operable_set(system):
        return None
    return _spans(system.operable_days, system.operable_start, system.operable_end, first_day, last_day)


def batch_problem(system, start, end):
    """EAP §12.7.4: the days a window or an outage [start, end) (naive UTC) meets the system's end-of-day batch
    (St Clements' at 15:15), in words; None when it meets none."""
    if system.end_of_day_batch is None or end is None:
        return None
    first, last = to_london(start).date(), to_london(end).date()
    met = [day for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
           if start <= london_to_utc(datetime.combine(day, system.end_of_day_batch)) < end]
    if not met:
        return None
    days = ", ".join(f"{day:%a %d %b}" for day in met[:3]) + (f" and {len(met) - 3} more days" if len(met) > 3 else "")
    return f"meets {system.name}'s end-of-day batch at {system.end_of_day_batch:%H:%M} ({days})"


def support_problem(system, start, end, deploying=True):
    """Why the window [start, end) (naive UTC) is outside the system's support hours, or None (deploying: the gate
    closure counts)."""
    spans = support_days_between(system, to_london(start).date(), to_london(start).date(), deploying)
    if spans is None or any(a <= start and end <= b for a, b in spans):
        return None
    # The day and times first, so that the warning says which day it means ("Saturday 12 Dec 10:00–11:00 is …").
    when = f"{to_london(start):%A %d %b %H:%M}–{to_london(end):%H:%M}"
    if deploying and spans and system.gate_closure and spans[0][0] <= start < spans[0][1] < end:
        return (f"{when} runs into {system.name}'s gate closure at {system.gate_closure:%H:%M} "
                f"(support {describe(system)})")
    return f"{when} is outside {system.name}'s support hours ({describe(system)})"


# Built once, its days and environments bound at each read (SQLAlchemy keys it once, not at every clash check).
_FREEZES = (select(Freeze).where(Freeze.first_day <= bindparam("last"), Freeze.last_day >= bindparam("first"),
                                 or_(Freeze.environment_id.is_(None),
                                     Freeze.environment_id.in_(bindparam("environments", expanding=True))))
            .order_by(Freeze.first_day))


def freezes_between(environment_ids, start, end):
    """The freezes of these environments (or of every environment) that overlap [start, end), naive UTC."""
    asked = {"first": to_london(start).date(), "last": to_london(end).date(), "environments": list(environment_ids)}
    return [f for f in db.session.scalars(_FREEZES, asked) if f.starts < end and start < f.ends]


def freeze_text(freeze):
    return (f"{freeze.scope} is frozen from {freeze.first_day:%d %b} to "
            f"{freeze.last_day:%d %b %Y} ({freeze.reason})")
