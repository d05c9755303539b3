"""Utilisation per environment and week (hours allocated ÷ hours open outside outages and freezes) and the week's
slots per participant, in the weekly report."""
from datetime import timedelta

import pytest

from mhhs.allocation import utilisation
from mhhs.schedule.services import add_freeze
from tests.allocation.factory import at, book, environment, make_participant, next_monday, user


def _row(rows, name):
    return next(r for r in rows if r.environment.name == name)


def test_utilisation_counts_allocated_hours_over_open_hours_outside_freezes(ctx):
    monday = next_monday()
    rows, _ = utilisation.week(monday)
    open_hours = _row(rows, "SIT-A").open_hours
    assert open_hours > 0 and _row(rows, "SIT-A").allocated_hours == 0
    northwold = make_participant()
    book([northwold], at(monday, 10), at(monday, 12))
    book([northwold], at(monday + timedelta(days=1), 10), at(monday + timedelta(days=1), 11), )
    rows, per = utilisation.week(monday)
    assert _row(rows, "SIT-A").allocated_hours == pytest.approx(3)
    assert _row(rows, "SIT-A").ratio == pytest.approx(3 / open_hours)
    assert per == {"Northwold Energy": [2, pytest.approx(3)]}
    add_freeze(user(), environment().id, monday + timedelta(days=1), monday + timedelta(days=1), "Runs")
    rows, _ = utilisation.week(monday)
    assert _row(rows, "SIT-A").open_hours < open_hours and _row(rows, "SIT-A").allocated_hours == pytest.approx(2)


def test_the_weekly_report_shows_utilisation_and_slots_per_participant(app, as_user):
    with app.app_context():
        monday = next_monday(0)  # this week's (booked a fortnight ago, with notice)
        book([make_participant()], at(monday + timedelta(days=1), 10), at(monday + timedelta(days=1), 12),
             now=at(monday, 9) - timedelta(days=14))
        week = monday.isocalendar()
    page = as_user("rm.sit@demo.test").get(f"/reports/weekly?week={week[0]}-W{week[1]:02d}").get_data(as_text=True)
    assert "Environment utilisation" in page and "Northwold Energy: 1 slot, 2.0 h" in page
