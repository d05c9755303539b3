"""Every message the app sends is first an outbox row, so nothing is lost when SMTP is down."""
from sqlalchemy import Column, DateTime, Integer, String, Text

from ..core.time import utcnow
from ..extensions import db


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    PENDING, SENT, FAILED = "pending", "sent", "failed"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    recipients = Column(Text, nullable=False)  # comma-separated addresses
    subject = Column(String(300), nullable=False)
    body = Column(Text, nullable=False)
    status = Column(String(10), nullable=False, default=PENDING, index=True)
    sent_at = Column(DateTime)
    error = Column(Text)
