"""The availability arithmetic against hand-computed figures."""
from datetime import datetime, timedelta

from mhhs.outages.availability import figures, merged_length, periods
from mhhs.outages.models import Category

H = timedelta(hours=1)
WEEK_START = datetime(2026, 11, 2)  # a Monday, midnight UTC (GMT in November)
WEEK_END = WEEK_START + timedelta(days=7)
AFTER = WEEK_END + timedelta(days=30)  # "now", long after the week
FAIL, SOFT, DEPLOY = Category.INFRASTRUCTURE_FAILURE, Category.SOFTWARE_FAILURE, Category.CODE_DEPLOYMENT


def at(hours):
    return WEEK_START + timedelta(hours=hours)


def test_merged_length_counts_overlaps_once():
    assert merged_length([(at(0), at(2)), (at(1), at(3)), (at(5), at(6)), (at(5), at(5.5))]) == 4 * H
    assert merged_length([]) == timedelta(0)


def test_one_unplanned_outage():
    result = figures([(False, FAIL, at(10), at(16.8))], WEEK_START, WEEK_END, AFTER)
    assert result.elapsed == 168 * H and result.unplanned == 6.8 * H
    assert round(result.availability, 6) == round(1 - 6.8 / 168, 6)  # 0.959524


def test_overlapping_unplanned_outages_are_not_counted_twice():
    outages = [(False, FAIL, at(10), at(14)), (False, SOFT, at(12), at(18))]
    result = figures(outages, WEEK_START, WEEK_END, AFTER)
    assert result.unplanned == 8 * H and result.total == 8 * H
    assert result.by_category == {FAIL: 4 * H, SOFT: 6 * H}
    assert round(result.availability, 6) == round(1 - 8 / 168, 6)


def test_outages_are_clipped_to_the_period():
    outages = [(False, FAIL, at(-10), at(2)),            # began the week before: 2 h inside
               (False, SOFT, at(166), at(180))]          # runs into the next week: 2 h inside
    result = figures(outages, WEEK_START, WEEK_END, AFTER)
    assert result.unplanned == 4 * H


def test_planned_outages_count_as_downtime_but_not_against_availability():
    outages = [(True, DEPLOY, at(20), at(23)), (False, FAIL, at(22), at(24))]
    result = figures(outages, WEEK_START, WEEK_END, AFTER)
    assert (result.planned, result.unplanned, result.total) == (3 * H, 2 * H, 4 * H)
    assert round(result.availability, 6) == round(1 - 2 / 168, 6)


def test_an_ongoing_outage_counts_up_to_now_and_the_period_only_up_to_now():
    now = at(48)
    result = figures([(False, FAIL, at(40), None), (True, DEPLOY, at(60), at(62))], WEEK_START, WEEK_END, now)
    assert result.elapsed == 48 * H and result.unplanned == 8 * H and result.planned == timedelta(0)
    assert round(result.availability, 6) == round(1 - 8 / 48, 6)


def test_a_period_not_yet_begun_has_no_availability():
    result = figures([], WEEK_END, WEEK_END + timedelta(days=7), WEEK_START)
    assert result.availability is None


def test_weeks_and_months_follow_london_boundaries():
    now = datetime(2026, 11, 23, 12)
    weeks = periods("week", now, 2)
    assert [label for label, _, _ in weeks] == ["2026-W47", "2026-W48"]
    assert weeks[-1][1] == datetime(2026, 11, 23)
    months = periods("month", now, 3)
    assert [label for label, _, _ in months] == ["2026-09", "2026-10", "2026-11"]
    # September starts at midnight London time, which is 23:00 UTC the day before (BST).
    assert months[0][1] == datetime(2026, 8, 31, 23) and months[1][2] == datetime(2026, 11, 1)
    january = periods("month", datetime(2027, 1, 10), 2)
    assert [label for label, _, _ in january] == ["2026-12", "2027-01"]
