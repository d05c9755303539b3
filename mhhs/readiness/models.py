"""Entry criteria and where each participant stands on them (EAP §12.2), and the daily morning health check of the
central systems (EAP §12.2, §12.4)."""
import enum
from datetime import time

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from ..core.db import value_enum
from ..extensions import db
from ..participants.models import ParticipantKind, Route


class Derived(str, enum.Enum):
    """A criterion the data keeps true or false by itself: nobody ticks it (EAP §7.1–§7.2, §10, §11.3)."""
    CONNECTIVITY = "connectivity"
    CERTIFICATES = "certificates"
    PKI_OFFICERS = "pki_officers"
    ENVIRONMENT_MANAGER = "environment_manager"
    OWN_ENVIRONMENT = "own_environment"
    STANDING_DATA = "standing_data"

    @property
    def label(self):
        return DERIVED_LABELS[self]

    @property
    def needs_environment(self):
        """Whether it is about one central environment (the criterion names which)."""
        return self in (Derived.CONNECTIVITY, Derived.CERTIFICATES)


DERIVED_LABELS = {
    Derived.CONNECTIVITY: "Connectivity signed off",
    Derived.CERTIFICATES: "DIP certificates (TLS and JWS) valid",
    Derived.PKI_OFFICERS: "PKI officers complete",
    Derived.ENVIRONMENT_MANAGER: "Environment Manager named",
    Derived.OWN_ENVIRONMENT: "Own test environment ready",
    Derived.STANDING_DATA: "Industry Standing Data loaded",
}


class EntryCriterion(db.Model):
    """An entry criterion of a test phase (SIT, Qualification, E2E Sandbox), kept by Release Managers. It applies to
    the phase's participants (those on that route), narrowed to a kind or a market role when one is given."""
    __tablename__ = "entry_criteria"
    id = Column(Integer, primary_key=True)
    phase = Column(Enum(Route, native_enum=False, length=30), nullable=False, index=True)
    text = Column(Text, nullable=False)
    kind = Column(Enum(ParticipantKind, native_enum=False, length=30))  # empty: every kind
    market_role_id = Column(ForeignKey("market_roles.id"))  # empty: any market role
    evidence_required = Column(Boolean, nullable=False, default=False)
    derived = Column(value_enum(Derived, 30))  # empty: met by the participant, by hand
    environment_id = Column(ForeignKey("environments.id"))  # the central environment a derived one is about
    position = Column(Integer, nullable=False, default=0)
    market_role = relationship("MarketRole")
    environment = relationship("Environment")

    @property
    def applies_to(self):
        """Who it applies to, in words."""
        parts = [self.kind.label if self.kind else "", self.market_role.code if self.market_role else ""]
        return ", ".join(p for p in parts if p) or "Everyone"


class Mark(str, enum.Enum):
    MET = "met"
    WAIVED = "waived"


class CriterionMark(db.Model):
    """A participant's criterion met (with evidence) or waived (reason, by whom, until a date); no row: open."""
    __tablename__ = "criterion_marks"
    __table_args__ = (UniqueConstraint("criterion_id", "participant_id"),)
    id = Column(Integer, primary_key=True)
    criterion_id = Column(ForeignKey("entry_criteria.id", ondelete="CASCADE"), nullable=False)
    participant_id = Column(ForeignKey("participants.id", ondelete="CASCADE"), nullable=False, index=True)
    mark = Column(value_enum(Mark, 10), nullable=False)
    note = Column(Text, nullable=False, default="")  # the evidence, or the waiver's reason
    file_name = Column(String(200))
    file_type = Column(String(100))
    file_data = Column(LargeBinary)
    waived_until = Column(Date)
    by_id = Column(ForeignKey("users.id"), nullable=False)
    at = Column(DateTime, nullable=False)
    criterion = relationship("EntryCriterion")
    by = relationship("User")


class Health(str, enum.Enum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def label(self):
        return self.value.capitalize()


class HealthCheck(db.Model):
    """A Central Party's morning report of one of its systems in one environment for one London day (EAP §12.4).
    Reported again the same day, it is updated; whether it was on time stays with the first report."""
    __tablename__ = "health_checks"
    __table_args__ = (UniqueConstraint("system_id", "environment_id", "day"),)
    id = Column(Integer, primary_key=True)
    system_id = Column(ForeignKey("systems.id", ondelete="CASCADE"), nullable=False)
    environment_id = Column(ForeignKey("environments.id", ondelete="CASCADE"), nullable=False, index=True)
    day = Column(Date, nullable=False, index=True)
    health = Column(value_enum(Health, 10), nullable=False)
    note = Column(Text, nullable=False, default="")
    first_reported_at = Column(DateTime, nullable=False)
    reported_at = Column(DateTime, nullable=False)
    reported_by_id = Column(ForeignKey("users.id"), nullable=False)
    system = relationship("System")
    environment = relationship("Environment")
    reported_by = relationship("User")


DEFAULT_DEADLINE = time(9, 30)


class HealthCheckDeadline(db.Model):
    """When the morning health check is due on a business day, Europe/London (one row, kept by Release Managers)."""
    __tablename__ = "health_check_deadlines"
    id = Column(Integer, primary_key=True)
    due = Column(Time, nullable=False, default=DEFAULT_DEADLINE)
