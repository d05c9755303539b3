"""Queue messages in the outbox (inside the caller's transaction) and deliver them through SMTP."""
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from ..core.time import utcnow
from ..extensions import db
from .models import OutboxMessage


def queue(recipients, subject, body):
    """Adds a message to the outbox; the caller's commit makes it permanent."""
    message = OutboxMessage(recipients=", ".join(sorted(set(recipients))), subject=subject, body=body)
    db.session.add(message)
    return message


def deliver_pending():
    """Sends every pending or failed message; returns (sent, failed). Without MAIL_SERVER, sends nothing."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return 0, 0
    messages = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.status.in_([OutboxMessage.PENDING, OutboxMessage.FAILED])).order_by(OutboxMessage.id)).all()
    sent = failed = 0
    for message in messages:
        try:
            _send(config, message)
        except (OSError, smtplib.SMTPException) as error:
            message.status, message.error = OutboxMessage.FAILED, str(error) or error.__class__.__name__
            failed += 1
        else:
            message.status, message.sent_at, message.error = OutboxMessage.SENT, utcnow(), None
            sent += 1
        db.session.commit()  # one message at a time: a later failure never un-records a delivery
    return sent, failed


def _send(config, message):
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.recipients
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)
