"""Entry criteria and where each participant stands on them (EAP §12.2), and the daily morning health check of the
central systems (EAP §12.2, §12.4)."""
import enum
from datetime import time

from sqlalchemy import (
    JSON,
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

from ..allocation.models import TestPhase
from ..core.db import value_enum
from ..core.time import utcnow
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


class HealthCheckReminder(db.Model):
    """A reminder of the day's missing health checks, sent once per day: to a Central Party (its organisation) or,
    with no organisation, the Release Managers' summary (health.send_reminders, the only writer, checks before it
    adds, under the write lock)."""
    __tablename__ = "health_check_reminders"
    __table_args__ = (UniqueConstraint("day", "organisation_id"),)
    id = Column(Integer, primary_key=True)
    day = Column(Date, nullable=False)
    organisation_id = Column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    sent_at = Column(DateTime, nullable=False)


class ProvingKind(str, enum.Enum):
    """The environment proving tests of EAP §12.2, in the order the grid shows them."""
    NETWORK = "network"
    CERTIFICATES = "certificates"
    TEST_DATA = "test_data"
    MONITORING = "monitoring"

    @property
    def label(self):
        return {"network": "Network connectivity (ping / DNS)", "certificates": "Certificates check",
                "test_data": "Test data verification", "monitoring": "Monitoring and alerts"}[self.value]

    @property
    def short(self):
        return {"network": "Network", "certificates": "Certificates", "test_data": "Test data",
                "monitoring": "Monitoring"}[self.value]


class ProvingResult(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_RUN = "not_run"

    @property
    def label(self):
        return {"passed": "Passed", "failed": "Failed", "not_run": "Not run"}[self.value]


class ProvingTest(db.Model):
    """The latest result of one proving test of one system in one central environment (its history is the audit
    trail): recorded by the system's Central Party or a Release Manager."""
    __tablename__ = "proving_tests"
    __table_args__ = (UniqueConstraint("environment_id", "system_id", "kind"),)
    id = Column(Integer, primary_key=True)
    environment_id = Column(ForeignKey("environments.id", ondelete="CASCADE"), nullable=False, index=True)
    system_id = Column(ForeignKey("systems.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(Enum(ProvingKind, native_enum=False, length=20), nullable=False)
    result = Column(Enum(ProvingResult, native_enum=False, length=20), nullable=False)
    evidence = Column(Text, nullable=False, default="")
    tested_on = Column(Date, nullable=False)
    recorded_by_id = Column(ForeignKey("users.id"), nullable=False)
    recorded_at = Column(DateTime, nullable=False, default=utcnow)
    environment = relationship("Environment")
    system = relationship("System")
    recorded_by = relationship("User")


class Outcome(str, enum.Enum):
    """A readiness decision for a stage's start (EAP §12.2 "formal procedures")."""
    GO = "go"
    CONDITIONAL_GO = "conditional_go"
    NO_GO = "no_go"

    @property
    def label(self):
        return {"go": "GO", "conditional_go": "CONDITIONAL GO", "no_go": "NO-GO"}[self.value]


class Owned:
    """An item owned by a person or by an organisation (exactly one of them), due on a day, done once."""
    text = Column(Text, nullable=False)
    due_on = Column(Date, nullable=False)
    done_at = Column(DateTime)
    done_note = Column(Text, nullable=False, default="")

    @property
    def owner_name(self):
        return self.owner_user.name if self.owner_user_id else self.owner_organisation.name


class ReadinessDecision(db.Model):
    """GO / CONDITIONAL GO / NO-GO for a stage's start on its environment, with the evidence as it stood when the
    decision was taken (`snapshot`, written once in the same transaction and never changed)."""
    __tablename__ = "readiness_decisions"
    id = Column(Integer, primary_key=True)
    stage_id = Column(ForeignKey("test_phases.id", ondelete="SET NULL"), index=True)
    stage_name = Column(String(120), nullable=False)  # kept should the stage be removed later
    environment_id = Column(ForeignKey("environments.id"), nullable=False, index=True)
    outcome = Column(Enum(Outcome, native_enum=False, length=20), nullable=False)
    rationale = Column(Text, nullable=False, default="")
    snapshot = Column(JSON, nullable=False)
    decided_by_id = Column(ForeignKey("users.id"), nullable=False)
    decided_at = Column(DateTime, nullable=False, index=True)
    mail_group_id = Column(ForeignKey("mail_groups.id", ondelete="SET NULL"))
    stage = relationship(TestPhase)
    environment = relationship("Environment")
    decided_by = relationship("User")
    mail_group = relationship("MailGroup")
    conditions = relationship("DecisionCondition", back_populates="decision", order_by="DecisionCondition.due_on",
                              cascade="all, delete-orphan")

    @property
    def title(self):
        return f"{self.outcome.label} for {self.stage_name} in {self.environment.name}"


class DecisionCondition(Owned, db.Model):
    """A condition of a conditional GO: owner (person or organisation) and due date, tracked to done."""
    __tablename__ = "decision_conditions"
    id = Column(Integer, primary_key=True)
    decision_id = Column(ForeignKey("readiness_decisions.id", ondelete="CASCADE"), nullable=False, index=True)
    owner_user_id = Column(ForeignKey("users.id"), index=True)
    owner_organisation_id = Column(ForeignKey("organisations.id"), index=True)
    done_by_id = Column(ForeignKey("users.id"))
    decision = relationship("ReadinessDecision", back_populates="conditions")
    owner_user = relationship("User", foreign_keys=[owner_user_id])
    owner_organisation = relationship("Organisation")
    done_by = relationship("User", foreign_keys=[done_by_id])


class EwgMeeting(db.Model):
    """The Environment Working Group's monthly review (EAP §4.3, §6.1, §12.1.1): generated on the month's first
    Tuesday, moved by hand when needed. Its agenda is built from the open items until it is sent, then frozen."""
    __tablename__ = "ewg_meetings"
    id = Column(Integer, primary_key=True)
    month = Column(Date, nullable=False, unique=True)  # the first of the month it reviews
    held_on = Column(Date, nullable=False, index=True)
    moved_reason = Column(Text, nullable=False, default="")
    chair_id = Column(ForeignKey("users.id"))
    dropped_items = Column(JSON, nullable=False, default=list)  # keys of generated agenda items the chair removed
    extra_items = Column(Text, nullable=False, default="")  # the chair's own items, one a line
    agenda_sent = Column(JSON)  # the agenda as sent: [{"title", "items": [{"key", "text"}]}]
    agenda_sent_at = Column(DateTime)
    minutes = Column(Text, nullable=False, default="")
    minutes_sent_at = Column(DateTime)
    chair = relationship("User")
    actions = relationship("EwgAction", back_populates="meeting", order_by="EwgAction.due_on, EwgAction.id",
                           cascade="all, delete-orphan")

    @property
    def title(self):
        return f"EWG {self.held_on:%d %B %Y}"


class EwgAction(Owned, db.Model):
    """An action the EWG gave: owner (person or organisation) and due date, shown on the owner's home page until
    done."""
    __tablename__ = "ewg_actions"
    id = Column(Integer, primary_key=True)
    meeting_id = Column(ForeignKey("ewg_meetings.id", ondelete="CASCADE"), nullable=False, index=True)
    owner_user_id = Column(ForeignKey("users.id"), index=True)
    owner_organisation_id = Column(ForeignKey("organisations.id"), index=True)
    done_by_id = Column(ForeignKey("users.id"))
    created_by_id = Column(ForeignKey("users.id"), nullable=False)
    meeting = relationship("EwgMeeting", back_populates="actions")
    owner_user = relationship("User", foreign_keys=[owner_user_id])
    owner_organisation = relationship("Organisation")
    done_by = relationship("User", foreign_keys=[done_by_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
