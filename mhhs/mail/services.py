"""Queue messages in the outbox (inside the caller's transaction) and deliver them through SMTP.

Delivery claims each message first (pending/failed -> sending), so a cron run and a background
thread never send the same message twice."""
import smtplib
import threading
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app, g, has_request_context, render_template
from sqlalchemy import bindparam, inspect, or_, select, update

from ..core import registry
from ..core.db import writing
from ..core.time import utcnow
from ..core.urls import public_url
from ..extensions import db
from .models import OutboxMessage

# A message claimed this long ago by a process that then died is taken up again.
STALE_CLAIM = timedelta(minutes=10)


def attachment_hook(kind):
    """Attachments are made when they are first needed (delivery, or a download from the outbox), not in the request
    that queued the message: by the function(message) -> bytes that the package owning the kind registers under
    this hook in create_app."""
    return f"mail.attachment.{kind}"


# The outbox's kinds of message in words (its Kind column and filter, an RFC's communications); every kind the
# services queue is here.
KIND_WORDS = {
    "release": "Release communication",
    "closure": "Closure communication",
    "notify:rfc_submitted": "RFC submitted, to its approvers",
    "notify:rfc_decided": "Decision on an RFC",
    "notify:rfc_consulted": "RFC shared for consultation before approval",
    "notify:rfc_objection": "Objection to an RFC, to its approvers",
    "notify:release_communicated": "Release communicated, to followers",
    "notify:outage_planned": "Planned outage, to followers",
    "notify:outage_update": "Outage update, to followers",
    "notify:weekly_report": "Weekly report",
    "notify:participant_refresh": "Participant's data refresh, to the connected Central Parties",
    "notify:health_check_missing": "Morning health check missing, to its Central Party",
    "notify:health_check_summary": "Morning health checks missing, to the Release Managers",
    "acknowledgement_reminder": "Reminder to read the release note",
    "certificate reminder": "Certificate expiry reminder",
    "weekly_report": "Weekly report",
    "notice": "Notice",
    "readiness_decision": "GO / NO-GO decision",
    "ewg_agenda": "EWG agenda",
    "ewg_minutes": "EWG minutes",
}


def kind_words(kind):
    """What a person calls a kind of message, never its key (notify:rfc_submitted)."""
    return KIND_WORDS.get(kind) or kind.removeprefix("notify:").replace("_", " ").capitalize()


def counted(number, one, many):
    """"1 message", "4 messages": a count in words, never "message(s)"."""
    return f"{number:,} {one if number == 1 else many}"


# The outbox's states in words (its State filter).
STATE_WORDS = {OutboxMessage.PENDING: "Waiting to be sent", OutboxMessage.SENDING: "Being sent",
               OutboxMessage.SENT: "Sent", OutboxMessage.FAILED: "Failed"}


def outbox_query(rfc_id=None, kind=None, state=None, recipient=None):
    """The outbox, filtered: by RFC, kind, state and any part of a recipient's address."""
    query = select(OutboxMessage)
    if rfc_id:
        query = query.where(OutboxMessage.object_type == "rfcs", OutboxMessage.object_id == rfc_id)
    if kind in KIND_WORDS:
        query = query.where(OutboxMessage.kind == kind)
    if state in STATE_WORDS:
        query = query.where(OutboxMessage.status == state)
    if recipient:
        query = query.where(OutboxMessage.recipients.ilike(f"%{recipient}%"))
    return query


def queue(recipients, subject, body, kind="notice", attachment=None, about=None, created_by=None,
          unsubscribe_url=None):
    """Adds a message to the outbox; the caller's commit makes it permanent, and a request's messages are sent
    in the background once it has answered (deliver_queued). attachment: (filename, bytes), or (filename, None)
    for one that the attachment hook of its kind makes later."""
    message = OutboxMessage(recipients=", ".join(sorted(set(recipients))), subject=subject, body=body, kind=kind,
                            object_type=about.__tablename__ if about is not None else None,
                            object_id=about.id if about is not None else None,
                            created_by_id=getattr(created_by, "id", None),
                            unsubscribe_url=unsubscribe_url)
    if attachment:
        message.attachment_name, message.attachment = attachment
    db.session.add(message)
    if has_request_context():
        g.setdefault("queued", []).append(message)
    return message


def deliver_queued():
    """After a request: sends in the background what it queued and committed (a rolled-back message has no
    identity, and is not sent)."""
    ids = [identity[0] for identity in (inspect(m).identity for m in g.pop("queued", [])) if identity]
    deliver_in_background(ids)


def absolute_url(endpoint, **values):
    """A link for an e-mail: from PUBLIC_URL, in a request or outside one (cron, seeding), never the Host header."""
    return public_url(endpoint, **values)


def email_text(template, **context):
    """(subject, body) of an e-mail template: its first line is "Subject: …", then a blank line, then the body."""
    subject, _, body = render_template(template, **context).partition("\n\n")
    return subject.removeprefix("Subject: ").strip(), body


_ABOUT = (select(OutboxMessage).where(OutboxMessage.object_type == bindparam("object_type"),
                                      OutboxMessage.object_id == bindparam("object_id"))
          .order_by(OutboxMessage.id))  # built once, the object bound at execution


def messages_about(obj):
    """The messages sent (or waiting) about one object (an RFC's communications), oldest first."""
    return db.session.scalars(_ABOUT, {"object_type": obj.__tablename__, "object_id": obj.id}).all()


def attachment_of(message):
    """The message's attachment bytes, made (and kept) by its kind's renderer the first time they are needed."""
    if message.attachment_name and message.attachment is None:
        made = registry.call_one(attachment_hook(message.kind), message)
        # Kept under the write lock taken afresh (SQLite: a reading transaction cannot become a writing one once
        # another connection has committed, as the PDF's rate count just did).
        with writing():
            if message.attachment is None:
                message.attachment = made
            db.session.commit()
    return message.attachment


def mail_configured():
    return bool(current_app.config.get("MAIL_SERVER"))


def _deliverable():
    """Pending or failed messages, and any whose sender died mid-way (claimed long ago)."""
    return or_(OutboxMessage.status.in_([OutboxMessage.PENDING, OutboxMessage.FAILED]),
               (OutboxMessage.status == OutboxMessage.SENDING) & (OutboxMessage.claimed_at < utcnow() - STALE_CLAIM))


def deliver_pending():
    """Sends every pending or failed message (cron); returns (sent, failed). Without MAIL_SERVER, sends nothing."""
    ids = db.session.scalars(select(OutboxMessage.id).where(_deliverable()).order_by(OutboxMessage.id)).all()
    return deliver(ids)


def deliver(ids):
    if not mail_configured():
        return 0, 0
    sent = failed = 0
    for message_id in ids:
        message = _claim(message_id)
        if message is None:
            continue
        try:
            attachment_of(message)
            _send(current_app.config, message)
        except ValueError as error:  # a message that cannot be written (a line break in a header): never sendable
            message.status, message.error = OutboxMessage.FAILED, f"This message cannot be sent: {error}"
            failed += 1
        except (OSError, smtplib.SMTPException) as error:
            message.status, message.error = OutboxMessage.FAILED, str(error) or error.__class__.__name__
            failed += 1
        else:
            message.status, message.sent_at, message.error = OutboxMessage.SENT, utcnow(), None
            sent += 1
        db.session.commit()  # one message at a time: a later failure never un-records a delivery
    return sent, failed


def deliver_in_background(ids):
    """Delivers after the response has gone: the page shows the outbox rows, which poll for their status."""
    if not ids or not mail_configured():
        return None
    app = current_app._get_current_object()

    def run():
        with app.app_context():
            deliver(ids)
            db.session.remove()

    thread = threading.Thread(target=run, name="outbox-delivery", daemon=True)
    thread.start()
    return thread


def retry(message):
    if message.status not in (OutboxMessage.FAILED, OutboxMessage.PENDING):
        return False
    message.status, message.error = OutboxMessage.PENDING, None
    db.session.commit()
    return True


def _claim(message_id):
    claimed = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id, _deliverable())
        .values(status=OutboxMessage.SENDING, claimed_at=utcnow()))
    db.session.commit()
    return db.session.get(OutboxMessage, message_id) if claimed.rowcount == 1 else None


def _send(config, message):
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.recipients
    email["Subject"] = message.subject
    if message.unsubscribe_url:
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
    email.set_content(message.body)
    if message.attachment_name:
        email.add_attachment(message.attachment, maintype="application", subtype="pdf",
                             filename=message.attachment_name)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)
