"""Who was sent an RFC's release note, and who has read it as it stands."""
from sqlalchemy import Column, DateTime, ForeignKey, String
from sqlalchemy.orm import relationship

from ..core.time import utcnow
from ..extensions import db


class ReleaseAudience(db.Model):
    """An organisation sent an RFC's release communication (RCM §12.11): its users are asked to acknowledge the
    release note."""

    __tablename__ = "rfc_release_audiences"
    rfc_id = Column(ForeignKey("rfcs.id", ondelete="CASCADE"), primary_key=True)
    organisation_id = Column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True)
    communicated_at = Column(DateTime, nullable=False, default=utcnow)
    organisation = relationship("Organisation")


class Acknowledgement(db.Model):
    """A user has read an RFC's release note as it stood then (note_hash): once the note changes, it asks again."""

    __tablename__ = "rfc_acknowledgements"
    rfc_id = Column(ForeignKey("rfcs.id", ondelete="CASCADE"), primary_key=True)
    user_id = Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    note_hash = Column(String(64), nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow)
    user = relationship("User")
