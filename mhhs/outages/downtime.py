"""Downtime per environment and Europe/London day, stored once each day has ended, so that the availability of a
year reads a few thousand rows instead of every outage. The days up to DowntimeState.complete_through have rows;
later days (today at least) are computed from the outages as they are read.

Kept true by the outage services: a change to an outage recomputes the days its old and new times touch; the days
that end as time goes on are added by the next write (or `flask outages rebuild-downtime`, which a daily cron can
run). Every figure is the union of the outages' intervals, so the sum of the days is the period's figure. Each month's
days are also kept added up (DowntimeMonth), so that a year reads a few hundred rows: whole months from those,
the days of a month not complete yet from the days."""
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import Date, bindparam, case, delete, func, insert, literal, select, union_all

from ..core import changes
from ..core.db import insert_if_missing, longest
from ..core.time import to_london
from ..extensions import db
from .availability import day_bounds, figures
from .models import DowntimeDay, DowntimeMonth, DowntimeState, Outage

# A write adds the days that have ended since the last one; a longer gap is left to the command (it may be long).
CATCH_UP_DAYS = 62
MICROSECOND = timedelta(microseconds=1)


def lengths(result):
    """{kind: timedelta} of Figures, the kinds with any downtime only: total, planned, unplanned, categories."""
    found = {"total": result.total, "planned": result.planned, "unplanned": result.unplanned,
             **{category.value: length for category, length in result.by_category.items()}}
    return {kind: length for kind, length in found.items() if length}


def outages_between(first, last, environment_ids=None):
    """{environment id: [(planned, category, start, end)]} of the outages overlapping [first, last)."""
    columns = Outage.__table__.c
    query = select(columns.environment_id, columns.planned, columns.category, columns.start, columns.end) \
        .where(overlapping(first, last))
    if environment_ids is not None:
        query = query.where(columns.environment_id.in_(environment_ids))
    found = {}
    for environment_id, *outage in db.session.connection().execute(query):
        found.setdefault(environment_id, []).append(tuple(outage))
    return found


def _longest_outage():
    """The longest ended outage's length, kept per process while no outage changes (core/changes.py)."""
    columns = Outage.__table__.c
    return longest(columns.start, columns.end)


def overlapping(first, last):
    """The condition for outages overlapping [first, last), its values in it (overlapping_bound)."""
    condition, values = overlapping_bound(first, last)
    return condition.params(values)


def overlapping_bound(first, last):
    """(the condition for outages overlapping [first, last) with its values as parameters, built once per process,
    those values): a statement built once around it is keyed once by SQLAlchemy. The outages still open (through the
    index on end), and those that ended after first, read through the index on start from first less the longest
    ended outage's length (no ended outage overlapping [first, …) starts before that; the end is tested row by row,
    coalesce keeping the planner off its index, which would read every outage ending after first, the future's
    included)."""
    longest_outage = changes.cached(_longest_outage, changes.OUTAGES)
    if longest_outage is None:
        return _overlapping(False), {"last": last}
    return _overlapping(True), {"first": first, "last": last, "earliest": first - longest_outage}


@lru_cache(maxsize=2)
def _overlapping(with_ended):
    columns = Outage.__table__.c
    still_open = select(columns.id).where(columns.end.is_(None), columns.start < bindparam("last"))
    if not with_ended:
        return columns.id.in_(still_open)
    ended = select(columns.id).where(columns.start >= bindparam("earliest"), columns.start < bindparam("last"),
                                     func.coalesce(columns.end, columns.end) > bindparam("first"))
    return columns.id.in_(union_all(still_open, ended))


def stored(period_days, through):
    """{(environment id, period index): {kind: timedelta}}: the stored days up to `through`, added up in the
    database per period; a period that is a whole calendar month ended by `through` is read from its month's row.
    period_days: each period's (first day, last day), in order."""
    if not period_days or through < period_days[0][0]:
        return {}
    months = {first: index for index, (first, last) in enumerate(period_days)
              if first.day == 1 and last == _month_end(first) and last <= through}
    found = {}
    if months:
        for environment_id, month, kind, length in db.session.execute(
                select(DowntimeMonth.environment_id, DowntimeMonth.month, DowntimeMonth.kind,
                       DowntimeMonth.microseconds).where(DowntimeMonth.month.in_(months))):
            found.setdefault((environment_id, months[month]), {})[kind] = length * MICROSECOND
    rest = [(index, first, min(last, through)) for index, (first, last) in enumerate(period_days)
            if first not in months and first <= through]
    if rest:
        period = case(*((DowntimeDay.day.between(first, last), index) for index, first, last in rest))
        for environment_id, index, kind, length in db.session.execute(
                select(DowntimeDay.environment_id, period, DowntimeDay.kind, func.sum(DowntimeDay.microseconds))
                .where(DowntimeDay.day >= rest[0][1], DowntimeDay.day <= rest[-1][2])
                .group_by(DowntimeDay.environment_id, period, DowntimeDay.kind)):
            if index is not None:  # not a day of a month read from its row
                found.setdefault((environment_id, index), {})[kind] = int(length) * MICROSECOND
    return found


def _month_end(first):
    return (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)


def complete_through():
    state = db.session.get(DowntimeState, 1)
    return state.complete_through if state else None


def _state():
    """The one state row, locked: two writers catching up at once take turns (and neither fails creating it)."""
    insert_if_missing(DowntimeState, id=1)
    return db.session.get(DowntimeState, 1, with_for_update=True, populate_existing=True)


def compute_days(first_day, last_day, environment_ids=None):
    """Replaces the rows of the days first_day..last_day (of these environments, or all)."""
    if last_day < first_day:
        return
    query = delete(DowntimeDay).where(DowntimeDay.day >= first_day, DowntimeDay.day <= last_day)
    if environment_ids is not None:
        query = query.where(DowntimeDay.environment_id.in_(environment_ids))
    db.session.execute(query)
    start, end = day_bounds(first_day)[0], day_bounds(last_day)[1]
    outages = outages_between(start, end, environment_ids)
    rows, day = [], first_day
    while day <= last_day:
        day_start, day_end = day_bounds(day)
        for environment_id, mine in outages.items():
            touching = [o for o in mine if o[2] < day_end and (o[3] is None or o[3] > day_start)]
            if touching:
                rows += [dict(environment_id=environment_id, day=day, kind=kind, microseconds=length // MICROSECOND)
                         for kind, length in lengths(figures(touching, day_start, day_end, day_end)).items()]
        day += timedelta(days=1)
    for chunk in range(0, len(rows), 5000):
        db.session.execute(insert(DowntimeDay), rows[chunk:chunk + 5000])
    _add_up_months(first_day, last_day, environment_ids)


def _add_up_months(first_day, last_day, environment_ids):
    """The month rows of the months first_day..last_day touch, added up again from their days."""
    month = first_day.replace(day=1)
    while month <= last_day:
        end = _month_end(month)
        query = delete(DowntimeMonth).where(DowntimeMonth.month == month)
        days = select(DowntimeDay.environment_id, literal(month, Date), DowntimeDay.kind,
                      func.sum(DowntimeDay.microseconds)).where(DowntimeDay.day >= month, DowntimeDay.day <= end)
        if environment_ids is not None:
            query = query.where(DowntimeMonth.environment_id.in_(environment_ids))
            days = days.where(DowntimeDay.environment_id.in_(environment_ids))
        db.session.execute(query)
        db.session.execute(insert(DowntimeMonth).from_select(
            ["environment_id", "month", "kind", "microseconds"],
            days.group_by(DowntimeDay.environment_id, DowntimeDay.kind)))
        month = end + timedelta(days=1)


def catch_up(now, limit=CATCH_UP_DAYS):
    """Adds the days that have ended since the rows were last complete; False when the gap is over `limit` days
    (or nothing was ever computed while outages exist), which the command then does."""
    state = _state()
    yesterday = to_london(now).date() - timedelta(days=1)
    if state.complete_through is None:
        earliest = db.session.scalar(select(Outage.start).order_by(Outage.start).limit(1))
        first = to_london(earliest).date() if earliest else yesterday + timedelta(days=1)
    else:
        first = state.complete_through + timedelta(days=1)
    if limit is not None and (yesterday - first).days > limit:
        return False
    compute_days(first, yesterday)
    state.complete_through = max(yesterday, state.complete_through or yesterday)
    return True


def touched(environment_id, start, end, now):
    """Recomputes the stored days an outage's interval touches (call with its times before and after a change)."""
    state = db.session.get(DowntimeState, 1)
    if state is None or state.complete_through is None or start is None:
        return
    first = to_london(start).date()
    last = min(to_london(end or now).date(), state.complete_through)
    compute_days(first, last, [environment_id])


def rebuild(now):
    """Every row made again from the outages; returns how many."""
    db.session.execute(delete(DowntimeDay))
    db.session.execute(delete(DowntimeMonth))
    _state().complete_through = None
    catch_up(now, limit=None)
    db.session.commit()
    return db.session.query(DowntimeDay).count()
