"""Personal API tokens (only a hash of the secret is kept) and the Idempotency-Keys of RFCs created through them."""
from datetime import timedelta

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import relationship

from ..core.time import to_london, utcnow
from ..extensions import db


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    id = Column(Integer, primary_key=True)
    user_id = Column(ForeignKey("users.id"), nullable=False, index=True)
    name = Column(String(80), nullable=False)
    scopes = Column(String(200), nullable=False)  # space-separated, from permissions.SCOPES
    secret_hash = Column(String(64), nullable=False, unique=True)  # SHA-256 of the secret, which has 256 random bits
    hint = Column(String(12), nullable=False)  # the secret's first characters, so its owner can tell tokens apart
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    revoked_at = Column(DateTime)
    last_used_at = Column(DateTime)
    user = relationship("User")

    @property
    def last_day(self):
        """The Europe/London day at whose end the token stops working."""
        return to_london(self.expires_at - timedelta(seconds=1)).date()

    @property
    def scope_set(self):
        return frozenset(self.scopes.split())

    def is_usable(self, now):
        ended = self.user.credentials_since is not None and self.created_at <= self.user.credentials_since
        return self.revoked_at is None and self.expires_at > now and self.user.active and not ended


class IdempotencyKey(db.Model):
    """An RFC created with an Idempotency-Key: a retried create with the same key returns it instead of a second."""

    __tablename__ = "api_idempotency_keys"
    id = Column(Integer, primary_key=True)
    user_id = Column(ForeignKey("users.id"), nullable=False)
    key = Column(String(200), nullable=False)
    fingerprint = Column(String(64), nullable=False)  # SHA-256 of the request body: the same key for another is refused
    rfc_id = Column(ForeignKey("rfcs.id", ondelete="CASCADE"), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    rfc = relationship("Rfc")

    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_api_idempotency_keys_user_key"),)
