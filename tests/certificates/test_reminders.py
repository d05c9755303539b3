"""`flask certificates remind`, run day by day with a frozen clock, checked at a real SMTP server."""
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from mhhs.certificates.models import Certificate, Kind, OfficerRole
from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from tests.certificates.factory import make_certificate, make_officer

ISSUED = datetime(2026, 1, 1, tzinfo=UTC)
EXPIRY = date(2026, 3, 12)  # a certificate issued on ISSUED for 70 days


def subject(message):
    return str(message["Subject"]).strip()  # a long subject is folded onto a new line


def certificate(app, days=70, environment="SIT-A", kind=Kind.DIP_TLS):
    with app.app_context():
        return make_certificate("Northwold Energy", environment, days=days, kind=kind, valid_from=ISSUED).id


def remind(app, day):
    result = app.test_cli_runner().invoke(args=["certificates", "remind", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_daily_runs_send_each_threshold_once(app, smtp_server):
    certificate(app)
    day = EXPIRY - timedelta(days=65)
    while day <= EXPIRY + timedelta(days=3):
        remind(app, day)
        day += timedelta(days=1)
    subjects = [subject(m) for m in smtp_server.messages]
    assert [s.split(":")[0] for s in subjects] == [
        "Expires in 60 days", "Expires in 30 days", "Expires in 14 days", "Expires in 7 days", "Expires in 1 day",
        "EXPIRED"]
    assert all("DIP TLS certificate for NWEN in SIT-A (Northwold Energy)" in s for s in subjects)


def test_a_second_run_the_same_day_sends_nothing(app, smtp_server):
    certificate(app)
    assert "1 reminder(s) queued; 1 message(s) sent" in remind(app, EXPIRY - timedelta(days=30))
    assert "0 reminder(s) queued; 0 message(s) sent" in remind(app, EXPIRY - timedelta(days=30))
    assert len(smtp_server.messages) == 1


def test_a_missed_week_catches_up_with_the_most_urgent_threshold_only(app, smtp_server):
    certificate(app)
    remind(app, EXPIRY - timedelta(days=20))          # 30-day reminder (60 was never sent: caught up in it)
    remind(app, EXPIRY)                               # 14, 7 and 1 were missed: only the expiry notice goes
    remind(app, EXPIRY + timedelta(days=1))
    assert [subject(m).split(":")[0] for m in smtp_server.messages] == ["Expires in 20 days", "EXPIRED"]


def test_replaced_certificates_get_no_reminders(app, smtp_server):
    old = certificate(app)
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A", days=400).replaces_id = old
        db.session.get(Certificate, old).replaced = True
        db.session.commit()
    remind(app, EXPIRY - timedelta(days=7))
    assert smtp_server.messages == []


def test_recipients_are_the_organisation_its_technical_contacts_and_the_managers(app, smtp_server):
    certificate(app)
    with app.app_context():
        make_officer("Northwold Energy", OfficerRole.TECHNICAL_CONTACT, "Tom Tech", "tom@northwold.test")
        make_officer("Avanade", OfficerRole.TECHNICAL_CONTACT, "Other", "other@avanade.test")
    remind(app, EXPIRY - timedelta(days=14))
    (message,) = smtp_server.messages
    assert sorted(message.envelope_to) == ["rm.sit@demo.test", "rm.uit@demo.test", "supplier@demo.test",
                                           "tom@northwold.test"]
    assert "SHA-256" in message.get_content() and "renewal" in message.get_content()


def test_smtp_down_keeps_the_message_and_send_pending_delivers_it_later(app, smtp_server):
    certificate(app)
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # nothing listens there
    result = app.test_cli_runner().invoke(args=["certificates", "remind", "--today", EXPIRY.isoformat()])
    assert result.exit_code == 1 and "1 failed" in result.output
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert message.status == OutboxMessage.FAILED and message.error
    app.config["MAIL_PORT"] = port
    assert "1 message(s) sent" in app.test_cli_runner().invoke(args=["mail", "send-pending"]).output
    assert len(smtp_server.messages) == 1 and subject(smtp_server.messages[0]).startswith("EXPIRED")


def test_without_a_mail_server_reminders_wait_in_the_outbox(app):
    certificate(app)
    assert "1 reminder(s) queued; 0 message(s) sent" in remind(app, EXPIRY - timedelta(days=1))
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.status)) == OutboxMessage.PENDING


def test_days_left_count_london_dates_around_midnight_in_summer(app, smtp_server):
    # Expires at 23:30 UTC on 9 July, which is 00:30 on 10 July in London (BST): on 9 July, London time,
    # that is 1 day left, not 0 (a UTC date taken for a London one would say "EXPIRED" a day early).
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A", days=1,
                         valid_from=datetime(2026, 7, 8, 23, 30, tzinfo=UTC))
    remind(app, date(2026, 7, 9))
    assert [subject(m).split(":")[0] for m in smtp_server.messages] == ["Expires in 1 day"]
