"""Downtime and availability per period: outages clipped to the period and to now, overlaps counted once.

availability = 1 - unplanned downtime / elapsed time in the period (SPEC §5)."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ..core.time import london_to_utc, to_london
from .models import Category

ZERO = timedelta(0)


def merged_length(intervals):
    """Total length of the union of (start, end) intervals."""
    total, current_start, current_end = ZERO, None, None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start
    return total


@dataclass
class Figures:
    elapsed: timedelta
    total: timedelta = ZERO
    planned: timedelta = ZERO
    unplanned: timedelta = ZERO
    by_category: dict = field(default_factory=dict)

    @property
    def availability(self):
        if self.elapsed <= ZERO:
            return None
        return 1 - self.unplanned / self.elapsed


def figures(outages, period_start, period_end, now):
    """outages: (planned, category, start, end or None) tuples of one environment; times naive UTC."""
    stop = min(period_end, now)
    result = Figures(elapsed=max(stop - period_start, ZERO))
    clipped = []
    for planned, category, start, end in outages:
        start, end = max(start, period_start), min(end or now, stop)
        if start < end:
            clipped.append((planned, category, start, end))
    result.total = merged_length((s, e) for _, _, s, e in clipped)
    result.planned = merged_length((s, e) for p, _, s, e in clipped if p)
    result.unplanned = merged_length((s, e) for p, _, s, e in clipped if not p)
    for category in Category:
        length = merged_length((s, e) for _, c, s, e in clipped if c == category)
        if length:
            result.by_category[category] = length
    return result


def _midnight(day):
    return london_to_utc(datetime(day.year, day.month, day.day))


def day_bounds(day):
    """A Europe/London day as (start, end) in naive UTC (23 or 25 hours long when the clocks change)."""
    return _midnight(day), _midnight(day + timedelta(days=1))


def periods(kind, now, count):
    """The last `count` ISO weeks or calendar months up to now (Europe/London boundaries), oldest first:
    [(label, start UTC, end UTC)]."""
    today = to_london(now).date()
    result = []
    if kind == "week":
        monday = today - timedelta(days=today.weekday())
        for i in range(count - 1, -1, -1):
            start = monday - timedelta(weeks=i)
            year, week, _ = start.isocalendar()
            result.append((f"{year}-W{week:02d}", _midnight(start), _midnight(start + timedelta(weeks=1))))
    else:
        first = date(today.year, today.month, 1)
        months = []
        for _ in range(count):
            months.append(first)
            first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
        for start in reversed(months):
            end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
            result.append((start.strftime("%Y-%m"), _midnight(start), _midnight(end)))
    return result
