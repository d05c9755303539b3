"""Communicate release / closure: messages per organisation, the PDF attached, the outbox, SMTP failures, Retry."""
import io

from pypdf import PdfReader
from sqlalchemy import select

from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from mhhs.mail.services import queue
from mhhs.rfcs.states import RfcStatus
from tests.helpers import approved_rfc, communicate, org_ids, statuses, wait_until_settled
from tests.rfcs.factory import approved_earlier, deploy


def test_release_communication_arrives_with_the_release_note_attached(app, as_user, smtp_server):
    rfc_id = approved_rfc(app)
    rm = as_user("rm.sit@demo.test")
    page = rm.get(f"/rfcs/{rfc_id}/communicate/release").get_data(as_text=True)
    # Every organisation by default, no distribution list (a list is chosen on purpose).
    assert page.count('name="organisation_ids" type="checkbox"') == page.count("checked") > 0
    assert 'name="list_ids" type="checkbox"' in page
    response = communicate(rm, rfc_id, org_ids(app, "Northwold Energy", "Avanade"))
    assert response.status_code == 303 and response.location == f"/outbox?rfc={rfc_id}"
    wait_until_settled(app)
    assert statuses(app) == ["sent", "sent"]
    by_recipient = {tuple(m.envelope_to): m for m in smtp_server.messages}
    assert set(by_recipient) == {("supplier@demo.test",), ("dip@demo.test",)}
    message = by_recipient[("supplier@demo.test",)]
    assert str(message["Subject"]).strip() == f"RFC-{rfc_id:06d} DIP 1.1.0.0: release note"
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"RFC-{rfc_id:06d}-release-note.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(attachment.get_content())).pages)
    for expected in (f"RFC-{rfc_id:06d}", "1.1.0.0", "DEF-501", "DEF-502", "DEF-503"):
        assert expected in text
    page = rm.get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    assert f"E-mails about RFC-{rfc_id:06d}: Release communication to 2 people, sent" in page
    assert "recipient(s)" not in page and "notify:" not in page


def test_without_a_mail_server_messages_wait_in_the_outbox(app, as_user):
    rfc_id = approved_rfc(app)
    rm = as_user("rm.sit@demo.test")
    communicate(rm, rfc_id, org_ids(app, "Northwold Energy"))
    assert statuses(app) == ["pending"]
    page = rm.get("/outbox").get_data(as_text=True)
    assert "not sent" in page and "No mail server is configured" in page
    with app.app_context():
        message_id = db.session.scalar(select(OutboxMessage.id))
    attachment = rm.get(f"/outbox/{message_id}/attachment")
    assert attachment.mimetype == "application/pdf" and attachment.data.startswith(b"%PDF")


def test_smtp_down_then_retry(app, as_user, smtp_server):
    rfc_id = approved_rfc(app)
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # nothing listens there
    rm = as_user("rm.sit@demo.test")
    communicate(rm, rfc_id, org_ids(app, "Northwold Energy"))
    wait_until_settled(app)
    assert statuses(app) == ["failed"]
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert message.error
    assert "failed" in rm.get("/outbox").get_data(as_text=True) and "Retry" in rm.get("/outbox").get_data(as_text=True)
    app.config["MAIL_PORT"] = port
    row = rm.post(f"/outbox/{message.id}/retry", htmx=True).get_data(as_text=True)
    assert row.lstrip().startswith(f'<tr id="message-{message.id}"')
    wait_until_settled(app)
    assert statuses(app) == ["sent"] and len(smtp_server.messages) == 1
    assert ">sent<" in rm.get(f"/outbox/{message.id}/row").get_data(as_text=True)


def test_send_pending_command_delivers_what_waits(app, as_user, smtp_server):
    rfc_id = approved_rfc(app)
    server = app.config["MAIL_SERVER"]
    app.config["MAIL_SERVER"] = None
    rm = as_user("rm.sit@demo.test")
    response = communicate(rm, rfc_id, org_ids(app, "Northwold Energy", "Fenland Networks"))
    # An organisation without users is named, not dropped silently.
    assert "Not sent to Fenland Networks: no active users." in rm.get(response.location).get_data(as_text=True)
    with app.app_context():  # the request only queued it: the release note is rendered at delivery
        assert db.session.scalar(select(OutboxMessage.attachment)) is None
    app.config["MAIL_SERVER"] = server
    result = app.test_cli_runner().invoke(args=["mail", "send-pending"])
    assert "1 message(s) sent, 0 failed" in result.output  # Fenland has no users: no message for it
    assert len(smtp_server.messages) == 1


def test_closure_is_communicated_only_once_closed(app, as_user):
    rfc_id = approved_rfc(app)
    rm = as_user("rm.sit@demo.test")
    response = rm.get(f"/rfcs/{rfc_id}/communicate/closure")
    assert "there is no closure to communicate yet" in rm.get(response.location).get_data(as_text=True)
    with app.app_context():
        approved_earlier(rfc_id)
        deploy(rfc_id, "SIT-A", RfcStatus.DEPLOYED)
    release = rm.get(f"/rfcs/{rfc_id}/communicate/release").get_data(as_text=True)
    assert ": deployed in SIT-A.\n- SIT-A: deployed" in release and "is approved for" not in release
    rm.post(f"/rfcs/{rfc_id}/close", {"action": "close", "rollout_report": "Deployed in the window"})
    page = rm.get(f"/rfcs/{rfc_id}/communicate/closure").get_data(as_text=True)
    assert f"RFC-{rfc_id:06d} DIP 1.1.0.0: release closed" in page
    communicate(rm, rfc_id, org_ids(app, "Northwold Energy"), kind="closure")
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.kind)) == "closure"


def test_choosing_no_organisation_is_refused_and_others_may_not_communicate(app, as_user):
    rfc_id = approved_rfc(app)
    rm = as_user("rm.sit@demo.test")
    page = rm.post(f"/rfcs/{rfc_id}/communicate/release", {"subject": "S", "body": "B"}).get_data(as_text=True)
    assert "Choose at least one organisation or distribution list." in page
    page = rm.post(f"/rfcs/{rfc_id}/communicate/release", {"organisation_ids": org_ids(app, "Fenland Networks"),
                                                           "subject": "S", "body": "B"}).get_data(as_text=True)
    assert "None of the chosen organisations or lists has an active user" in page
    assert as_user("dip@demo.test").get(f"/rfcs/{rfc_id}/communicate/release").status_code == 403
    assert as_user("dip@demo.test").get("/outbox").status_code == 403
    assert statuses(app) == []


def test_outbox_queries_do_not_grow_with_messages(app, as_user, count_queries):
    rm = as_user("rm.sit@demo.test")
    with app.app_context():
        queue(["a@example.test"], "Oldest message", "Body")
        db.session.commit()
    with count_queries() as few:
        rm.get("/outbox")
    with app.app_context():
        for i in range(60):
            queue([f"r{i}@example.test"], f"Bulk {i}", "Body")
        db.session.commit()
    with count_queries() as many:
        page = rm.get("/outbox").get_data(as_text=True)
    assert "Bulk 59" in page and "Oldest message" not in page and ">Next</a>" in page and many.count == few.count
    with count_queries() as last:
        page = rm.get("/outbox?last=1").get_data(as_text=True)
    assert "Oldest message" in page and "Bulk 59" not in page and last.count == few.count


def test_a_subject_with_a_line_break_is_refused_and_an_unsendable_message_never_stalls_the_rest(app, as_user,
                                                                                                 smtp_server):
    rfc_id = approved_rfc(app)
    rm = as_user("rm.sit@demo.test")
    response = communicate(rm, rfc_id, org_ids(app, "Northwold Energy"), subject="Release\r\nBcc: all@evil.test")
    assert response.status_code == 200
    assert "Keep this to one line" in response.get_data(as_text=True)
    # One that an older release (or a script) queued anyway, before two good ones.
    server = app.config["MAIL_SERVER"]
    app.config["MAIL_SERVER"] = None
    with app.app_context():
        queue(["a@demo.test"], "Release\r\nBcc: all@evil.test", "Body")
        queue(["b@demo.test"], "Second", "Body")
        queue(["c@demo.test"], "Third", "Body")
        db.session.commit()
    app.config["MAIL_SERVER"] = server
    result = app.test_cli_runner().invoke(args=["mail", "send-pending"])
    assert "2 message(s) sent, 1 failed" in result.output  # (and exit status 1, for cron to tell)
    assert sorted(str(m["Subject"]) for m in smtp_server.messages) == ["Second", "Third"]
    with app.app_context():
        bad = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipients == "a@demo.test"))
        assert bad.status == OutboxMessage.FAILED and "cannot be sent" in bad.error
