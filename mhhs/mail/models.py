"""Every message the app sends is first an outbox row, so nothing is lost when SMTP is down."""
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import deferred, relationship

from ..core.time import utcnow
from ..extensions import db


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    kind = Column(String(30), nullable=False, default="notice", server_default="notice")
    # What the message is about, named as the audit trail names objects (e.g. "rfcs", 12); no foreign key, as the
    # outbox sits below the packages whose objects it carries.
    object_type = Column(String(40))
    object_id = Column(Integer)
    created_by_id = Column(ForeignKey("users.id"))
    recipients = Column(Text, nullable=False)  # comma-separated addresses
    subject = Column(String(300), nullable=False)
    body = Column(Text, nullable=False)
    attachment_name = Column(String(200))
    # Notifications: where the recipient turns them off (sent as the List-Unsubscribe header).
    unsubscribe_url = Column(String(500))
    # Deferred: lists of messages never load the PDFs.
    attachment = deferred(Column(LargeBinary))
    status = Column(String(10), nullable=False, default=PENDING, index=True)
    claimed_at = Column(DateTime)
    sent_at = Column(DateTime)
    error = Column(Text)
    created_by = relationship("User")
    __table_args__ = (Index("ix_outbox_messages_object", "object_type", "object_id"),)

    @property
    def rfc_id(self):
        """The RFC the message is about, if it is about one."""
        return self.object_id if self.object_type == "rfcs" else None

    @property
    def recipient_count(self):
        return len([r for r in self.recipients.split(",") if r.strip()])
