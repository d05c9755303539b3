"""E-mail reminders of the morning health checks still missing after the deadline (EAP §12.2, §12.4): only on
business days (England & Wales) after the deadline, London time in summer and winter; once per organisation and day;
each Central Party told of its own systems only; the Release Managers one summary; real outbox rows."""
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from mhhs.core.time import london_to_utc
from mhhs.directory.models import User
from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from mhhs.readiness import health
from tests.readiness.factory import report, user

MONDAY = date(2025, 3, 3)  # GMT; SIT-A, SIT-B and UIT are all available
SUMMER = date(2024, 6, 3)  # a Monday in British Summer Time: 09:30 London is 08:30 UTC


def _at(day, hour, minute=0):
    return london_to_utc(datetime.combine(day, time(hour, minute)))


def _messages(kind):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == f"notify:{kind}")
                              .order_by(OutboxMessage.id)).all()


def _to(email, kind="health_check_missing"):
    return [m for m in _messages(kind) if m.recipients == email]


@pytest.mark.parametrize("day, hour, minute, reminded", [
    (MONDAY, 9, 29, False),  # before the deadline
    (MONDAY, 9, 31, True),  # after it
    (MONDAY, 23, 59, True),  # still the same London day
    (MONDAY + timedelta(days=1), 0, 1, False),  # the next day, before its deadline
    (SUMMER, 9, 29, False),  # 08:29 UTC: before the deadline in summer time
    (SUMMER, 9, 31, True),  # 08:31 UTC: after it (a UTC clock would wait another hour)
    (date(2025, 3, 8), 12, 0, False),  # Saturday
    (date(2024, 8, 26), 12, 0, False),  # Summer bank holiday (England & Wales)
    (date(2024, 12, 25), 12, 0, False),  # Christmas Day
    (date(2025, 4, 18), 12, 0, False),  # Good Friday
])
def test_reminders_go_only_after_the_deadline_of_a_business_day(ctx, day, hour, minute, reminded):
    queued = health.send_reminders(_at(day, hour, minute))
    assert (queued > 0) is reminded
    assert bool(_to("dip@demo.test")) is reminded
    assert bool(_messages("health_check_summary")) is reminded


def test_the_deadline_a_release_manager_moved_is_the_one_reminders_wait_for(ctx):
    health.set_deadline(user("rm.sit@demo.test"), time(10, 15))
    assert health.send_reminders(_at(MONDAY, 10, 0)) == 0
    assert health.send_reminders(_at(MONDAY, 10, 16)) > 0


def test_each_central_party_is_told_of_its_own_missing_systems_only(ctx):
    report("dip@demo.test", "DIP", "SIT-A", day=MONDAY, now=_at(MONDAY, 9))
    health.send_reminders(_at(MONDAY, 9, 45))
    [dip] = _to("dip@demo.test")
    assert "Avanade" in dip.subject and "DIP in SIT-B" in dip.body and "DIP in UIT" in dip.body
    assert "DIP in SIT-A" not in dip.body  # reported on time
    assert "MPRS" not in dip.body and "LSS" not in dip.body  # another organisation's systems: not a word of them
    assert f"/readiness/health/report?day={MONDAY.isoformat()}" in dip.body
    [mprs] = _to("mprs@demo.test")
    assert "MPRS in SIT-A" in mprs.body and "DIP" not in mprs.body
    # Only the owning organisation's people receive its reminder; a Test Participant receives nothing.
    for message in _messages("health_check_missing"):
        addressee = db.session.scalar(select(User).where(User.email == message.recipients))
        assert addressee.organisation.name in message.subject
    assert not [m for m in db.session.scalars(select(OutboxMessage)) if "supplier@demo.test" in m.recipients]


def test_the_release_managers_get_one_summary_of_every_missing_check(ctx):
    report("dip@demo.test", "DIP", "SIT-A", day=MONDAY, now=_at(MONDAY, 9))
    health.send_reminders(_at(MONDAY, 9, 45))
    summaries = _messages("health_check_summary")
    assert sorted(m.recipients for m in summaries) == ["rm.sit@demo.test", "rm.uit@demo.test"]
    body = summaries[0].body
    assert "St Clements:" in body and "MPRS in SIT-A" in body and "DIP in SIT-B" in body
    assert "DIP in SIT-A" not in body
    assert "/readiness/health" in body
    missing = len(health.today(_at(MONDAY, 9, 45)).missing)
    assert f"{missing} reports missing" in summaries[0].subject


def test_a_second_run_the_same_day_sends_nothing_again_and_the_next_day_reminds_again(ctx):
    first = health.send_reminders(_at(MONDAY, 9, 45))
    assert first > 0
    assert health.send_reminders(_at(MONDAY, 11, 0)) == 0
    assert len(_to("dip@demo.test")) == 1 and len(_to("rm.sit@demo.test", "health_check_summary")) == 1
    tuesday = MONDAY + timedelta(days=1)
    assert health.send_reminders(_at(tuesday, 9, 45)) == first
    assert len(_to("dip@demo.test")) == 2


def test_an_organisation_that_reported_everything_is_not_reminded(ctx):
    moment = _at(MONDAY, 9, 45)
    entries = [health.Entry(s, e, "green", "") for s, e in health.today(moment).missing if s.name == "DIP"]
    health.report(user("dip@demo.test"), MONDAY, entries, now=_at(MONDAY, 9))
    health.send_reminders(moment)
    assert _to("dip@demo.test") == [] and _to("mprs@demo.test")


def test_nothing_missing_sends_nothing(ctx):
    moment = _at(MONDAY, 9, 45)
    manager = user("rm.sit@demo.test")
    entries = [health.Entry(s, e, "green", "") for s, e in health.today(moment).missing]
    health.report(manager, MONDAY, entries, now=_at(MONDAY, 9))
    assert health.send_reminders(moment) == 0 and _messages("health_check_summary") == []


def test_the_command_reminds_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["readiness", "remind", "--at", "2025-03-03 09:45"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith(tuple("123456789"))
    again = runner.invoke(args=["readiness", "remind", "--at", "2025-03-03 10:45"])
    assert again.output.startswith("0 reminder(s) queued")
