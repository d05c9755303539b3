"""Certificates (per organisation AND environment), reminders sent, and PKI officers."""
import enum

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship
from sqlalchemy.sql import false

from ..core.db import value_enum
from ..core.time import to_london, utcnow
from ..extensions import db

# When a certificate counts as expiring, in one place: the dashboard's two bands and the reminder days.
SOON_DAYS, LATER_DAYS = 30, 90
REMINDER_DAYS = (60, 30, 14, 7, 1, 0)  # days before expiry; 0 is the day it expires


class Kind(str, enum.Enum):
    DIP_TLS = "DIP TLS"
    DIP_JWS = "DIP JWS"
    DCC_CSS = "DCC CSS"
    DCC_DSP = "DCC DSP"


class Status(str, enum.Enum):
    EXPIRED = "expired"
    WITHIN_30 = f"expiring within {SOON_DAYS} days"
    WITHIN_90 = f"expiring within {LATER_DAYS} days"
    VALID = "valid"
    REPLACED = "replaced"


class Certificate(db.Model):
    __tablename__ = "certificates"
    id = Column(Integer, primary_key=True)
    organisation_id = Column(ForeignKey("organisations.id"), nullable=False, index=True)
    environment_id = Column(ForeignKey("environments.id"), nullable=False)
    kind = Column(value_enum(Kind, 10), nullable=False, index=True)
    mpid = Column(String(4), nullable=False, default="")
    market_role_id = Column(ForeignKey("market_roles.id"))
    subject = Column(Text, nullable=False)
    issuer = Column(Text, nullable=False)
    serial = Column(String(80), nullable=False)
    valid_from = Column(DateTime, nullable=False)
    valid_to = Column(DateTime, nullable=False, index=True)
    fingerprint = Column(String(95), nullable=False)  # unique per organisation (below)
    alt_names = Column(Text, nullable=False, default="")
    technical_contact = Column(String(200), nullable=False, default="")
    der = Column(LargeBinary, nullable=False)
    # Renewal: the new certificate names the one it replaces; the old one is then "replaced".
    replaces_id = Column(ForeignKey("certificates.id", ondelete="SET NULL"), unique=True)
    # True while a certificate replaces this one: kept by the services beside replaces_id, so that the dashboard
    # counts and finds current certificates through indexes instead of looking up a replacement for every row.
    replaced = Column(Boolean, nullable=False, default=False, server_default=false())
    uploaded_by_id = Column(ForeignKey("users.id"))
    uploaded_at = Column(DateTime, nullable=False, default=utcnow)

    organisation = relationship("Organisation")
    environment = relationship("Environment")
    market_role = relationship("MarketRole")
    uploaded_by = relationship("User")
    replaces = relationship("Certificate", remote_side=[id], foreign_keys=[replaces_id],
                            backref=db.backref("replaced_by", uselist=False))
    __table_args__ = (
        # The dashboard's counts per status (ranges of valid_to among current or replaced certificates) and the
        # kinds each organisation holds, current and valid, per environment: both read from this index alone.
        Index("ix_certificates_current", "replaced", "valid_to", "environment_id", "organisation_id", "kind"),
        # Which organisations test in which environments, and the DIP certificates one organisation holds current
        # in one environment until when (participants.proving.facts_for: the allocation check's connectivity step),
        # a few rows of this index rather than every current certificate's in ix_certificates_current.
        Index("ix_certificates_held", "environment_id", "organisation_id", "kind", "replaced", "valid_to"),
        # One organisation stores a certificate once; another's copy of the same file never blocks it.
        UniqueConstraint("organisation_id", "fingerprint", name="uq_certificates_organisation_fingerprint"),
    )

    def days_left(self, today):
        """Whole days from today (a Europe/London date) to the London date the certificate expires on."""
        return (to_london(self.valid_to).date() - today).days


class ReminderSent(db.Model):
    """One row per certificate and threshold (days before expiry; 0 = on expiry) already dealt with."""

    __tablename__ = "certificate_reminders"
    id = Column(Integer, primary_key=True)
    certificate_id = Column(ForeignKey("certificates.id", ondelete="CASCADE"), nullable=False)
    threshold = Column(Integer, nullable=False)
    sent_on = Column(DateTime, nullable=False, default=utcnow)
    __table_args__ = (UniqueConstraint("certificate_id", "threshold", name="uq_certificate_reminders_threshold"),)


class OfficerRole(str, enum.Enum):
    NOMINATING_OFFICER = "Nominating Officer"
    SRO = "SRO"
    ARO = "ARO"
    TECHNICAL_CONTACT = "Technical Contact"


class Scheme(str, enum.Enum):
    """EAP §10.3.1, Table 10, §11.3.1.1: the registration scheme an officer is appointed for."""
    DIP = "DIP"  # GlobalSign: a Senior Responsible Officer, at most one ARO, Technical Contacts per environment
    DCC_CSS = "DCC CSS"  # DCC's PKI: its Nominating Officer


class PkiOfficer(db.Model):
    """EAP §10.3.1: one Nominating Officer, one SRO, at most one ARO, Technical Contacts per MPID/role/environment."""

    __tablename__ = "pki_officers"
    id = Column(Integer, primary_key=True)
    organisation_id = Column(ForeignKey("organisations.id"), nullable=False, index=True)
    role = Column(value_enum(OfficerRole, 20), nullable=False)
    scheme = Column(value_enum(Scheme, 10), nullable=False, default=Scheme.DIP, server_default="DIP")
    name = Column(String(120), nullable=False)
    email = Column(String(254), nullable=False)
    mpid = Column(String(4))
    market_role_id = Column(ForeignKey("market_roles.id"))
    environment_id = Column(ForeignKey("environments.id"))
    market_role = relationship("MarketRole")
    environment = relationship("Environment")
