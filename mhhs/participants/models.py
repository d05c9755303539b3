"""The participant register and what connectivity proving rests on (EAP §5.3, §7.1.1–§7.1.3, §8.1, §10.1, §11.3)."""
import enum

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
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import deferred, relationship

from ..directory.models import DayPeriod
from ..extensions import db


class ParticipantKind(str, enum.Enum):
    """What kind of organisation tests (EAP §5.3)."""
    SUPPLIER = "supplier"
    AGENT = "agent"
    DNO = "dno"
    DIP_CONNECTION_PROVIDER = "dip_cp"
    CENTRAL_PARTY = "central_party"

    @property
    def label(self):
        return _KIND_LABELS[self]


_KIND_LABELS = {
    ParticipantKind.SUPPLIER: "Supplier",
    ParticipantKind.AGENT: "Agent",
    ParticipantKind.DNO: "(I)DNO",
    ParticipantKind.DIP_CONNECTION_PROVIDER: "DIP Connection Provider",
    ParticipantKind.CENTRAL_PARTY: "Central Party",
}


class Route(str, enum.Enum):
    """A participant's route through testing (EAP Table 1): E2E Sandbox only after passing SIT or Qualification."""
    SIT = "sit"
    QUALIFICATION = "qualification"
    SANDBOX = "sandbox"

    @property
    def label(self):
        return _ROUTE_LABELS[self]


_ROUTE_LABELS = {Route.SIT: "SIT", Route.QUALIFICATION: "Qualification", Route.SANDBOX: "E2E Sandbox"}
# The routes whose passing opens the E2E Sandbox (EAP Table 1).
SANDBOX_AFTER = (Route.SIT, Route.QUALIFICATION)


class EnvironmentStatus(str, enum.Enum):
    """A participant's own test environment (EAP §7.1.2–§7.1.3)."""
    BEING_BUILT = "being_built"
    READY = "ready"
    UNAVAILABLE = "unavailable"

    @property
    def label(self):
        return {"being_built": "Being built", "ready": "Ready", "unavailable": "Unavailable"}[self.value]


class OnboardingInterval(DayPeriod, db.Model):
    """A DIP onboarding interval (EAP §10.1: intervals 1–6), its dates kept as data by Release Managers."""
    __tablename__ = "onboarding_intervals"
    id = Column(Integer, primary_key=True)
    number = Column(Integer, nullable=False, unique=True)
    first_day = Column(Date, nullable=False)  # the week commencing
    last_day = Column(Date, nullable=False)


class Tranche(DayPeriod, db.Model):
    """A Qualification or E2E Sandbox tranche (EAP §7.1.3, §12.1.3), allocated by the Code Bodies."""
    __tablename__ = "tranches"
    __table_args__ = (UniqueConstraint("route", "name"),)
    id = Column(Integer, primary_key=True)
    route = Column(Enum(Route, native_enum=False, length=30), nullable=False)  # QUALIFICATION or SANDBOX
    name = Column(String(80), nullable=False)
    environment_id = Column(ForeignKey("environments.id"), nullable=False, index=True)
    first_day = Column(Date, nullable=False)
    last_day = Column(Date, nullable=False)
    allocated_by = Column(String(200), nullable=False, default="")  # the Code Bodies' decision, as text
    entered_by_id = Column(ForeignKey("users.id"))
    environment = relationship("Environment")
    entered_by = relationship("User")

    @property
    def label(self):
        """The tranche named once with its route: "Qualification tranche 1", or "E2E Sandbox tranche A" for "A"."""
        return self.name if self.route.label.lower() in self.name.lower() else f"{self.route.label} tranche {self.name}"


participant_market_roles = Table(
    "participant_market_roles",
    db.metadata,
    Column("participant_id", ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
    Column("market_role_id", ForeignKey("market_roles.id", ondelete="CASCADE"), primary_key=True),
)


class Participant(db.Model):
    """An organisation that tests (EAP §5.3, §8.1, §8.10): one register entry per organisation."""
    __tablename__ = "participants"
    id = Column(Integer, primary_key=True)
    organisation_id = Column(ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, unique=True)
    kind = Column(Enum(ParticipantKind, native_enum=False, length=30), nullable=False, index=True)
    route = Column(Enum(Route, native_enum=False, length=30), nullable=False, index=True)
    # For the Sandbox route: what was passed (SIT or Qualification) and when.
    passed_route = Column(Enum(Route, native_enum=False, length=30))
    passed_on = Column(Date)
    interval_id = Column(ForeignKey("onboarding_intervals.id"), index=True)
    # At most one tranche of each kind (EAP §7.1.3), by construction.
    qualification_tranche_id = Column(ForeignKey("tranches.id"), index=True)
    sandbox_tranche_id = Column(ForeignKey("tranches.id"), index=True)
    # The Environment Manager (EAP §7.1.1, mandatory): a user of the organisation, or a named contact.
    environment_manager_id = Column(ForeignKey("users.id"))
    environment_manager_name = Column(String(120), nullable=False, default="", server_default="")
    environment_manager_email = Column(String(254), nullable=False, default="", server_default="")
    # Industry Standing Data loaded into its test environment (EAP §7.2.2), as declared by the participant.
    isd_loaded_on = Column(Date)
    organisation = relationship("Organisation")
    interval = relationship("OnboardingInterval")
    qualification_tranche = relationship("Tranche", foreign_keys=[qualification_tranche_id])
    sandbox_tranche = relationship("Tranche", foreign_keys=[sandbox_tranche_id])
    environment_manager = relationship("User")
    market_roles = relationship("MarketRole", secondary=participant_market_roles, order_by="MarketRole.code")
    environments = relationship("ParticipantEnvironment", back_populates="participant",
                                order_by="ParticipantEnvironment.name", cascade="all, delete-orphan")

    @property
    def has_environment_manager(self):
        return environment_manager_named(self.environment_manager_id, self.environment_manager_name,
                                         self.environment_manager_email)

    @property
    def name(self):
        return self.organisation.name

    @property
    def role_codes(self):
        """The codes of the market roles it will test."""
        return {role.code for role in self.market_roles}

    @property
    def interval_number(self):
        return self.interval.number if self.interval is not None else None


def environment_manager_named(user_id, name, email):
    """An Environment Manager is named: a user of the organisation, or a name with an e-mail address (also read as
    columns: readiness/criteria.py)."""
    return bool(user_id or (name and email))


class ParticipantEnvironment(db.Model):
    """A participant's own test environment (EAP §7.1.2–§7.1.3) and how it connects to a central environment.

    Its connection details are seen by its organisation, Release Managers and the Central Parties whose systems
    run in the central environment it connects to — never by other participants."""
    __tablename__ = "participant_environments"
    __table_args__ = (UniqueConstraint("participant_id", "name"),)
    id = Column(Integer, primary_key=True)
    participant_id = Column(ForeignKey("participants.id", ondelete="CASCADE"), nullable=False, index=True)
    name = Column(String(80), nullable=False)
    serves = Column(String(80), nullable=False, default="")  # the phase or stage it serves, e.g. "SIT Functional"
    environment_id = Column(ForeignKey("environments.id"), nullable=False, index=True)  # the central one
    status = Column(Enum(EnvironmentStatus, native_enum=False, length=30), nullable=False,
                    default=EnvironmentStatus.BEING_BUILT)
    endpoints = Column(Text, nullable=False, default="")
    host_names = Column(Text, nullable=False, default="")
    addresses = Column(Text, nullable=False, default="")  # addresses to allow
    participant = relationship("Participant", back_populates="environments")
    environment = relationship("Environment")


class ConnectivitySignOff(db.Model):
    """A Release Manager's "connectivity proven" for a participant and central environment (EAP §11.3: the quality
    gate). Voided, never deleted, when a step it rested on regresses."""
    __tablename__ = "connectivity_sign_offs"
    id = Column(Integer, primary_key=True)
    participant_id = Column(ForeignKey("participants.id", ondelete="CASCADE"), nullable=False, index=True)
    environment_id = Column(ForeignKey("environments.id"), nullable=False, index=True)
    signed_by_id = Column(ForeignKey("users.id"), nullable=False)
    signed_at = Column(DateTime, nullable=False)
    voided_at = Column(DateTime)
    voided_reason = Column(Text, nullable=False, default="", server_default="")
    participant = relationship("Participant")
    environment = relationship("Environment")
    signed_by = relationship("User")


class ParticipantOutage(db.Model):
    """A participant's own test environment unavailable (EAP §12.5.2, §12.6), planned (a data refresh needs notice)
    or unplanned. Kept apart from central systems' outages: central availability figures stay about central systems."""
    __tablename__ = "participant_outages"
    id = Column(Integer, primary_key=True)
    participant_environment_id = Column(ForeignKey("participant_environments.id", ondelete="CASCADE"),
                                        nullable=False, index=True)
    planned = Column(Boolean, nullable=False, default=True)
    data_refresh = Column(Boolean, nullable=False, default=False)
    starts = Column(DateTime, nullable=False, index=True)
    ends = Column(DateTime)  # None while an unplanned one is ongoing
    reason = Column(Text, nullable=False, default="")
    logged_by_id = Column(ForeignKey("users.id"), nullable=False)
    logged_at = Column(DateTime, nullable=False)
    participant_environment = relationship("ParticipantEnvironment")
    logged_by = relationship("User")


class CentralConnection(db.Model):
    """What a participant connects to in a central environment (EAP §7.1.3 "SI Test Team will make available
    configuration details of central systems for connection", §7.3): per central environment and system, kept by the
    Central Party that owns the system, seen by the participants that test in that environment and Release
    Managers."""
    __tablename__ = "central_connections"
    __table_args__ = (UniqueConstraint("environment_id", "system_id"),)
    id = Column(Integer, primary_key=True)
    environment_id = Column(ForeignKey("environments.id", ondelete="CASCADE"), nullable=False, index=True)
    system_id = Column(ForeignKey("systems.id", ondelete="CASCADE"), nullable=False, index=True)
    endpoints = Column(Text, nullable=False, default="")
    host_names = Column(Text, nullable=False, default="")
    notes = Column(Text, nullable=False, default="")
    updated_by_id = Column(ForeignKey("users.id"), nullable=False)
    updated_at = Column(DateTime, nullable=False)
    environment = relationship("Environment")
    system = relationship("System")
    updated_by = relationship("User")
# DIP onboarding and connectivity proving (EAP §10.1, §11.3) -----------------------------------------------------

class StepStatus(str, enum.Enum):
    """Where a connectivity-proving step stands."""
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self):
        return _STEP_STATUS_LABELS[self]


_STEP_STATUS_LABELS = {StepStatus.NOT_STARTED: "Not started", StepStatus.IN_PROGRESS: "In progress",
                       StepStatus.DONE: "Done", StepStatus.BLOCKED: "Blocked",
                       StepStatus.NOT_APPLICABLE: "Not applicable"}


class ProvingStep(db.Model):
    """One step of a participant's connectivity proving to one central environment (EAP §11.3).

    Steps 3–5 are recorded by people, with their evidence. Steps 1–2 are derived from the PKI officers and the
    certificates; their row remembers what was last derived, so that a step that was done and no longer is (a
    certificate expired or gone, an officer removed) is noticed once: regressed_at and regressed_reason."""
    __tablename__ = "proving_steps"
    __table_args__ = (UniqueConstraint("participant_id", "environment_id", "step"),)
    id = Column(Integer, primary_key=True)
    participant_id = Column(ForeignKey("participants.id", ondelete="CASCADE"), nullable=False, index=True)
    environment_id = Column(ForeignKey("environments.id"), nullable=False, index=True)
    step = Column(Integer, nullable=False)  # 1–5, participants.proving.STEPS
    status = Column(Enum(StepStatus, native_enum=False, length=20), nullable=False, default=StepStatus.NOT_STARTED)
    blocked_by = Column(Text, nullable=False, default="", server_default="")
    not_applicable_reason = Column(Text, nullable=False, default="", server_default="")
    note = Column(Text, nullable=False, default="", server_default="")
    message_id = Column(String(200), nullable=False, default="", server_default="")  # step 4's evidence
    message_at = Column(DateTime)
    evidence_name = Column(String(200), nullable=False, default="", server_default="")
    evidence = deferred(Column(LargeBinary))
    recorded_by_id = Column(ForeignKey("users.id"))  # None for a derived step
    recorded_at = Column(DateTime)
    regressed_at = Column(DateTime)
    regressed_reason = Column(Text, nullable=False, default="", server_default="")
    recorded_by = relationship("User")


class ProvingReminder(db.Model):
    """A reminder of an open step sent to a participant whose interval starts soon: once per step and week."""
    __tablename__ = "proving_reminders"
    __table_args__ = (UniqueConstraint("participant_id", "environment_id", "step", "week"),)
    id = Column(Integer, primary_key=True)
    participant_id = Column(ForeignKey("participants.id", ondelete="CASCADE"), nullable=False, index=True)
    environment_id = Column(ForeignKey("environments.id"), nullable=False)
    step = Column(Integer, nullable=False)
    week = Column(Date, nullable=False)  # the Monday of the week it was sent in
