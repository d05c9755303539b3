"""Organisations, users, systems, environments, market roles and the major-release roadmap."""
import enum
import re
import secrets
from datetime import datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, Date, DateTime, Enum, ForeignKey, Integer, Numeric, String, Table, Text, Time
from sqlalchemy.orm import relationship
from sqlalchemy.sql import false

from ..core.permissions import Role
from ..core.time import london_to_utc, utcnow
from ..extensions import db


class Phase(str, enum.Enum):
    SIT = "SIT"
    UIT = "UIT"


environment_systems = Table(
    "environment_systems",
    db.metadata,
    Column("environment_id", ForeignKey("environments.id", ondelete="CASCADE"), primary_key=True),
    Column("system_id", ForeignKey("systems.id", ondelete="CASCADE"), primary_key=True),
)

# RCM §14: the environments an organisation tests in (kept by Release Managers); its users retest defects found there.
organisation_environments = Table(
    "organisation_environments",
    db.metadata,
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
    Column("environment_id", ForeignKey("environments.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class OrgKind:
    PROGRAMME = "programme"
    CENTRAL_PARTY = "central_party"
    TEST_PARTICIPANT = "test_participant"
    CHOICES = [
        (PROGRAMME, "Programme"),
        (CENTRAL_PARTY, "Central Party"),
        (TEST_PARTICIPANT, "Test Participant"),
    ]


# A Market Participant Id (an organisation's, and the one a certificate is for): four letters or digits.
MPID = re.compile(r"[A-Z0-9]{4}")


class SupportKind:
    """How a system's support hours are given (windows/support.py reads them)."""
    HOURS = "hours"
    ALWAYS = "24/7"
    TBC = "tbc"
    CHOICES = [(HOURS, "Set days and hours"), (ALWAYS, "24/7"), (TBC, "To be confirmed")]


DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class Organisation(db.Model):
    __tablename__ = "organisations"
    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False, unique=True)
    kind = Column(String(20), nullable=False, index=True)
    # RCM §12.10: fix-forward organisations supply no rollback plan.
    fix_forward = Column(Boolean, nullable=False, default=False)
    # Market participant IDs the organisation holds, space-separated (e.g. "NWEN NWE2").
    mpids = Column(String(200), nullable=False, default="", server_default="")
    systems = relationship("System", back_populates="organisation", order_by="System.name")
    users = relationship("User", back_populates="organisation")
    tests_in = relationship("Environment", secondary=organisation_environments, order_by="Environment.position")

    @property
    def mpid_list(self):
        return self.mpids.split()

    @property
    def kind_label(self):
        return dict(OrgKind.CHOICES).get(self.kind, self.kind)


class System(db.Model):
    __tablename__ = "systems"
    id = Column(Integer, primary_key=True)
    name = Column(String(80), nullable=False, unique=True)
    organisation_id = Column(ForeignKey("organisations.id"), nullable=False, index=True)
    support_hours = Column(Text, nullable=False, default="")  # notes beside the hours below
    # EAP §12.7 as data (windows/support.py reads it): SupportKind, the weekdays (0 = Monday) and the hours in
    # Europe/London, and the time a window must end by on each day (St Clements' gate closure).
    support_kind = Column(String(5), nullable=False, default="tbc", server_default="tbc")
    support_days = Column(String(7), nullable=False, default="01234", server_default="01234")
    support_start = Column(Time)
    support_end = Column(Time)
    gate_closure = Column(Time)
    backup_regime = Column(Text, nullable=False, default="")
    # EAP §12.7: operable hours (when the system runs: 24/7 or set days and hours) are not its support hours (when
    # its desk is open); the 24/7 availability figure is counted in the former, "within support hours" in the latter.
    operable_kind = Column(String(5), nullable=False, default="tbc", server_default="tbc")
    operable_days = Column(String(7), nullable=False, default="01234", server_default="01234")
    operable_start = Column(Time)
    operable_end = Column(Time)
    # EAP §12.7.4: a daily batch that a window or an outage meeting it disturbs (St Clements' end of day, 15:15).
    end_of_day_batch = Column(Time)
    monitoring = Column(Text, nullable=False, default="", server_default="")  # what monitors it and who is alerted
    organisation = relationship("Organisation", back_populates="systems")
    environments = relationship(
        "Environment", secondary=environment_systems, back_populates="systems", order_by="Environment.position"
    )


class Environment(db.Model):
    __tablename__ = "environments"
    id = Column(Integer, primary_key=True)
    name = Column(String(40), nullable=False, unique=True)
    phase = Column(Enum(Phase, native_enum=False, length=3), nullable=False)
    purpose = Column(Text, nullable=False, default="")
    available_from = Column(Date)
    available_to = Column(Date)
    # The availability the programme expects, in percent (the weekly report marks a week below it); empty: none.
    availability_target = Column(Numeric(5, 2))
    position = Column(Integer, nullable=False, default=0)
    systems = relationship(
        "System", secondary=environment_systems, back_populates="environments", order_by="System.name"
    )

    def is_available_on(self, day):
        return (self.available_from is None or day >= self.available_from) and (
            self.available_to is None or day <= self.available_to
        )


class MarketRole(db.Model):
    __tablename__ = "market_roles"
    id = Column(Integer, primary_key=True)
    code = Column(String(40), nullable=False, unique=True)
    name = Column(String(120), nullable=False)
    central = Column(Boolean, nullable=False, default=False)


class MajorRelease(db.Model):
    """A line of the major-release roadmap (RCM Table 1)."""

    __tablename__ = "major_releases"
    id = Column(Integer, primary_key=True)
    name = Column(String(40), nullable=False, unique=True)
    planned_date = Column(Date)
    date_confirmed = Column(Boolean, nullable=False, default=True)
    purpose = Column(Text, nullable=False, default="")


def london_day_start(day):
    """The moment (naive UTC) a Europe/London day begins."""
    return london_to_utc(datetime.combine(day, datetime.min.time()))


class DayPeriod:
    """Whole Europe/London days from first_day to last_day inclusive, as an interval [starts, ends) in UTC."""

    @property
    def starts(self):
        return london_day_start(self.first_day)

    @property
    def ends(self):
        return london_day_start(self.last_day + timedelta(days=1))


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    email = Column(String(254), nullable=False, unique=True)
    name = Column(String(120), nullable=False)
    password_hash = Column(String(255), nullable=False)
    role = Column(Enum(Role, native_enum=False, length=20), nullable=False, index=True)
    organisation_id = Column(ForeignKey("organisations.id"), nullable=False, index=True)
    # Release Managers only: which phases' approval queues they act on.
    scope_sit = Column(Boolean, nullable=False, default=False)
    scope_uit = Column(Boolean, nullable=False, default=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    # Part of every session cookie: a new token ends all of this user's sessions (logout, password, deactivation).
    session_token = Column(String(64), nullable=False, default=lambda: secrets.token_hex(16), server_default="")
    # SHA-256 of the secret part of the user's calendar feed URLs (the secret is shown once); a new one makes the
    # old URLs answer 404.
    calendar_token = Column(String(64), unique=True)
    # Credentials issued before this moment (API tokens) no longer work: set by a password reset, a deactivation
    # and the user's own "sign out everywhere", so reactivating a user brings no old token back.
    credentials_since = Column(DateTime)
    # Set when a Release Manager sets the password: the user must choose their own before anything else.
    must_change_password = Column(Boolean, nullable=False, default=False, server_default=false())
    organisation = relationship("Organisation", back_populates="users")

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return f"{self.id}:{self.session_token}"

    def end_sessions(self):
        """Every session cookie issued so far stops working at the next request."""
        self.session_token = secrets.token_hex(16)

    def end_credentials(self):
        """Every session, API token and calendar feed URL issued so far stops working at once."""
        self.end_sessions()
        self.calendar_token = None
        self.credentials_since = utcnow()

    @property
    def phases(self):
        if self.role != Role.RELEASE_MANAGER:
            return set()
        return {p for p, on in ((Phase.SIT, self.scope_sit), (Phase.UIT, self.scope_uit)) if on}

    @property
    def scope_label(self):
        return " + ".join(sorted(p.value for p in self.phases))


