"""Failed-login counts per e-mail, kept in the database so the limit holds across server processes."""
from sqlalchemy import Column, DateTime, Integer, String

from ..extensions import db


class LoginThrottle(db.Model):
    __tablename__ = "login_throttles"
    # Keyed by the e-mail typed, whether or not an account has it, so a lock-out reveals nothing.
    email = Column(String(254), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime)


class AddressThrottle(db.Model):
    """Failed logins per client address in the current window, so spraying many e-mails from one place is
    limited too; kept in the database so the limit holds across server processes."""

    __tablename__ = "login_address_throttles"
    address = Column(String(64), primary_key=True)
    window_start = Column(DateTime, nullable=False)
    failures = Column(Integer, nullable=False, default=0)
