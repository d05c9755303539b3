"""One row per thing that happened: who, when (UTC), what, to which object."""
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from ..core.time import utcnow
from ..extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    actor_id = Column(ForeignKey("users.id"), index=True)
    action = Column(String(60), nullable=False, index=True)
    object_type = Column(String(40))
    object_id = Column(Integer)
    summary = Column(Text, nullable=False, default="")
    # Where the request came from (client address and browser), when the event happened in a request.
    address = Column(String(64))
    user_agent = Column(String(300))
    # How the change was made when not through the pages: e.g. the API token's name.
    via = Column(String(120))
    actor = relationship("User")

    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)
