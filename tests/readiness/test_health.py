"""The morning health check: its deadline on business days (England & Wales bank holidays), who reports what,
refusals, missing reports after the deadline, compliance and the heat map."""
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import event, insert

from mhhs.core.services import Invalid, Refused
from mhhs.core.time import london_to_utc
from mhhs.extensions import db
from mhhs.readiness import health
from mhhs.readiness.models import Health, HealthCheck
from tests.readiness.factory import environment, report, system, user


@pytest.mark.parametrize("day, due", [
    ("2025-12-24", datetime(2025, 12, 24, 9, 30)),  # Wednesday, GMT: 09:30 London is 09:30 UTC
    ("2025-12-25", None),  # Christmas Day
    ("2025-12-26", None),  # Boxing Day
    ("2025-12-27", None),  # Saturday
    ("2025-12-29", datetime(2025, 12, 29, 9, 30)),
    ("2026-01-01", None),  # New Year's Day
    ("2026-04-03", None),  # Good Friday
    ("2026-04-06", None),  # Easter Monday (England & Wales, not Scotland)
    ("2026-04-07", datetime(2026, 4, 7, 8, 30)),  # BST: 09:30 London is 08:30 UTC
    ("2026-05-04", None),  # Early May bank holiday
    ("2026-08-31", None),  # Summer bank holiday (England & Wales; Scotland's is earlier)
    ("2026-08-03", datetime(2026, 8, 3, 8, 30)),  # Scotland's summer bank holiday is a business day here
])
def test_the_check_is_due_at_the_deadline_on_business_days_only(ctx, day, due):
    assert health.due_at(date.fromisoformat(day)) == due


def test_the_deadline_is_data(ctx):
    health.set_deadline(user("rm.sit@demo.test"), time(10, 15))
    assert health.due_at(date(2026, 4, 7)) == datetime(2026, 4, 7, 9, 15)
    with pytest.raises(Refused):
        health.set_deadline(user("dip@demo.test"), time(11, 0))


def test_nothing_is_expected_on_a_bank_holiday(ctx):
    assert health.expected(date(2025, 12, 25)) == []


def _morning(day, hour, minute=0):
    return london_to_utc(datetime.combine(day, time(hour, minute)))


def _business_day():
    return date(2025, 3, 3)  # a Monday when SIT-A is available in the reference data


def test_missing_reports_count_only_after_the_deadline(ctx):
    day = _business_day()
    before, after = _morning(day, 9, 0), _morning(day, 9, 31)
    report(day=day, now=before)
    assert health.today(before).missing == []
    missing = health.today(after).missing
    assert (system("DIP"), environment("SIT-A")) not in missing
    assert (system("MPRS"), environment("SIT-A")) in missing


def test_compliance_is_reports_on_time_over_expected(ctx):
    day = _business_day()
    report(day=day, now=_morning(day, 9))  # on time
    report(system_name="DIP", environment_name="SIT-B", day=day, now=_morning(day, 10))  # late
    punctual, expected = health.compliance(day, day, now=_morning(day, 12))
    assert punctual == 1
    assert expected == len(health.expected(day))
    # A report again after the deadline keeps the first one's time.
    report(day=day, level="amber", note="Slow acks", now=_morning(day, 11))
    assert health.compliance(day, day, now=_morning(day, 12))[0] == 1


def test_a_report_again_the_same_day_updates_the_check(ctx):
    day = _business_day()
    report(day=day, now=_morning(day, 8))
    [check] = report(day=day, level="red", note="Queue stuck", now=_morning(day, 9))
    assert check.health == Health.RED and check.first_reported_at == _morning(day, 8)
    assert len(health.checks_on(day)) == 1


def test_a_report_at_the_same_moment_as_another_updates_its_check(ctx):
    """A monitor that posts the same check twice at once: the later report updates the check the earlier one made,
    rather than failing on the day's key. Only PostgreSQL lets two writers in at once (SQLite's queue at BEGIN
    IMMEDIATE), so there the other report is committed, on a connection of its own, just as this one writes."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's writers take turns: two reports never write at once")
    day = _business_day()
    other = dict(system_id=system("DIP").id, environment_id=environment("SIT-A").id, day=day, health=Health.GREEN,
                 note="", first_reported_at=_morning(day, 8), reported_at=_morning(day, 8),
                 reported_by_id=user("dip@demo.test").id)
    committed = []

    def the_other_first(_conn, _cursor, statement, *_args):
        if statement.startswith("INSERT INTO health_checks") and not committed:
            committed.append(True)
            with db.engine.begin() as conn:
                conn.execute(insert(HealthCheck).values(**other))

    event.listen(db.engine, "before_cursor_execute", the_other_first)
    try:
        [check] = report(day=day, level="red", note="Queue stuck", now=_morning(day, 9))
    finally:
        event.remove(db.engine, "before_cursor_execute", the_other_first)
    assert committed  # the other report was there first
    assert check.health == Health.RED and check.first_reported_at == _morning(day, 8)
    assert [(c.health, c.note) for c in health.checks_on(day).values()] == [(Health.RED, "Queue stuck")]


def test_a_future_day_is_refused(ctx):
    day = _business_day()
    with pytest.raises(Invalid) as refused:
        report(day=day + timedelta(days=1), now=_morning(day, 9))
    assert "day" in refused.value.problems


def test_a_system_of_another_organisation_is_refused(ctx):
    with pytest.raises(Refused) as refused:
        report(email="mprs@demo.test", system_name="DIP")
    assert refused.value.field == "system"
    assert health.visible_system(user("mprs@demo.test"), system("DIP").id) is None
    assert health.visible_system(user("rm.sit@demo.test"), system("DIP").id) is not None


def test_amber_or_red_needs_a_note(ctx):
    with pytest.raises(Invalid) as refused:
        report(level="amber")
    assert "note" in refused.value.problems


def test_an_environment_the_system_does_not_run_in_is_refused(ctx):
    with pytest.raises(Invalid) as refused:
        report(email="rm.sit@demo.test", system_name="CSS", environment_name="SIT-B")
    assert "environment" in refused.value.problems


def test_the_heat_map_has_a_cell_per_day_with_its_check(ctx):
    report(level="amber", note="Slow acks")
    maps = dict(health.history(system("DIP")))
    weeks = maps[environment("SIT-A")]
    assert len(weeks) == health.HISTORY_WEEKS
    cells = [cell for _, days in weeks for cell in days]
    assert len(cells) == 7 * health.HISTORY_WEEKS
    assert [c.health for _, c, _ in cells if c] == [Health.AMBER]


def test_the_snapshot_section_is_plain_data_of_the_last_checks(ctx):
    report(level="amber", note="Slow acks")
    section = health.snapshot_section(environment("SIT-A"))
    assert section["title"] == "Last health checks in SIT-A"
    rows = [(system, level, note) for system, _day, level, note, _at in section["rows"]]
    assert rows == [("DIP", "Amber", "Slow acks")]


def test_nothing_is_expected_before_the_health_check_began(ctx):
    monday = _business_day()
    assert health.compliance(monday, monday + timedelta(days=4), now=_morning(monday + timedelta(days=7), 9)) \
        == (0, 0)  # no check ever reported: the practice has not begun
    wednesday = monday + timedelta(days=2)
    report(day=wednesday, now=_morning(wednesday, 9))
    on_time, expected = health.compliance(monday, monday + timedelta(days=4),
                                          now=_morning(monday + timedelta(days=7), 9))
    assert (on_time, expected) == (1, 3 * len(health.expected(wednesday)))  # Wednesday to Friday


def test_the_heat_map_reads_today_not_yet_until_the_deadline(ctx):
    day = _business_day()
    report(system_name="DIP", day=day - timedelta(days=3), now=_morning(day, 8))  # the practice began the Friday before
    states = {}
    for now in (_morning(day, 9, 0), _morning(day, 9, 31)):
        weeks = dict(health.history(system("DIP"), now=now))[environment("SIT-A")]
        states[now.time()] = {d: state for _, days in weeks for d, _, state in days}[day]
    assert list(states.values()) == [health.NOT_YET, health.MISSING]
