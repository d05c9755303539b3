"""RFCs with their embedded release notes, revisions, approvals, control points, deployments and retests."""
import enum

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import relationship

from ..baseline.versions import sort_key
from ..core.db import value_enum
from ..core.time import utcnow
from ..directory.models import Phase
from ..extensions import db
from .numbers import rfc_number
from .states import (
    ANNOUNCEABLE,
    CHECKED,
    DROPPED,
    EDITABLE_STATUSES,
    FINISHED,
    PUBLIC_STATUSES,
    Decision,
    Outcome,
    ReleaseType,
    RfcStatus,
    stands,
)

rfc_environments = Table(
    "rfc_environments",
    db.metadata,
    Column("rfc_id", ForeignKey("rfcs.id", ondelete="CASCADE"), primary_key=True),
    Column("environment_id", ForeignKey("environments.id"), primary_key=True, index=True),
)


class Rfc(db.Model):
    __tablename__ = "rfcs"
    id = Column(Integer, primary_key=True)
    organisation_id = Column(ForeignKey("organisations.id"), nullable=False, index=True)
    system_id = Column(ForeignKey("systems.id"), index=True)  # may be empty while a draft
    release_type = Column(value_enum(ReleaseType, 10))
    version = Column(String(40), nullable=False, default="")
    # Kept from the version on every write (below): a system's versions ordered in SQL (baseline.versions.sort_key).
    version_key = Column(String(160))
    title = Column(String(200), nullable=False, default="")
    reason = Column(Text, nullable=False, default="")
    window_start = Column(DateTime, index=True)  # UTC
    window_end = Column(DateTime)
    # Kept from the window on every write (below): the longest approved window bounds the clash search.
    window_minutes = Column(Integer)
    expected_downtime = Column(Integer)  # minutes
    implementation_plan = Column(Text, nullable=False, default="")
    rollback_plan = Column(Text, nullable=False, default="")
    stakeholders_impacted = Column(Text, nullable=False, default="")
    known_issues = Column(Text, nullable=False, default="")
    installation_instructions = Column(Text, nullable=False, default="")
    # RCM 4.1, Table 10 step 2: the rollout plan beside the implementation plan (required for Major and Minor).
    resources_required = Column(Text, nullable=False, default="", server_default="")
    timings = Column(Text, nullable=False, default="", server_default="")
    communications_required = Column(Text, nullable=False, default="", server_default="")
    runbook_reference = Column(String(200), nullable=False, default="", server_default="")

    status = Column(value_enum(RfcStatus, 20), nullable=False, default=RfcStatus.DRAFT, index=True)
    revision = Column(Integer, nullable=False, default=0)  # the last submitted revision; 0 = never submitted
    created_by_id = Column(ForeignKey("users.id"), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    submitted_at = Column(DateTime, index=True)
    approved_at = Column(DateTime)
    gng_reference = Column(String(120))
    gng_date = Column(Date)
    # RCM §12.9: what exactly is deployed (optional).
    build_reference = Column(String(120), nullable=False, default="", server_default="")
    build_sha256 = Column(String(64), nullable=False, default="", server_default="")
    # RCM §8.1: why a version goes to UIT before it runs in SIT-A or SIT-B.
    promotion_reason = Column(Text, nullable=False, default="", server_default="")
    # RCM §12.8, Table 10 step 1: an Emergency release's evidence of testing completed in development environments.
    dev_test_evidence = Column(Text, nullable=False, default="", server_default="")
    # RCM §12.8 NB: why this regular release does not carry the fixes of its system's earlier emergency releases.
    not_carried_reason = Column(Text, nullable=False, default="", server_default="")
    # RCM Table 3: RFCs are raised in Azure DevOps; the work item's number (a link with DEFECT_URL_TEMPLATE).
    ado_work_item = Column(String(20), nullable=False, default="", server_default="")
    # Once every target environment has its outcome: deployed, rolled back or fixed forward; kept after closure.
    outcome = Column(value_enum(RfcStatus, 20))
    rollout_report = Column(Text)
    lessons_learnt = Column(Text)
    work_off_actions = Column(Text)
    closed_at = Column(DateTime)
    # A lost update (two managers acting at once) becomes a StaleDataError instead of a silent overwrite.
    row_version = Column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": row_version}

    organisation = relationship("Organisation")
    system = relationship("System")
    created_by = relationship("User")
    environments = relationship("Environment", secondary=rfc_environments, order_by="Environment.position")
    defects = relationship("Defect", back_populates="rfc", order_by="Defect.position", cascade="all, delete-orphan")
    change_requests = relationship("ChangeRequest", back_populates="rfc", order_by="ChangeRequest.position",
                                   cascade="all, delete-orphan")
    approvals = relationship("Approval", back_populates="rfc", order_by="Approval.at", cascade="all, delete-orphan")
    revisions = relationship("Revision", back_populates="rfc", order_by="Revision.number",
                             cascade="all, delete-orphan")
    control_points = relationship("ControlPoint", back_populates="rfc", order_by="ControlPoint.number",
                                  cascade="all, delete-orphan")
    deployments = relationship("Deployment", back_populates="rfc", order_by="Deployment.id",
                               cascade="all, delete-orphan")
    pending = relationship("PendingApproval", cascade="all, delete-orphan")
    consultations = relationship("Consultation", back_populates="rfc", order_by="Consultation.id",
                                 cascade="all, delete-orphan")

    @property
    def number(self):
        return rfc_number(self.id) if self.id else "RFC (new)"

    @property
    def requests_for_changes(self):
        """The current revision's requests for changes (approvals), while the RFC waits for them."""
        if self.status != RfcStatus.CHANGES_REQUESTED:
            return []
        return [a for a in self.approvals if a.decision == Decision.CHANGES_REQUESTED and a.revision == self.revision]

    @property
    def phases(self):
        return {e.phase for e in self.environments}

    # What pages ask of the status (the groups are stated in states.py).
    @property
    def is_public(self):
        """Approved or later: everyone may read it, and it has (or will have) deployments."""
        return self.status in PUBLIC_STATUSES

    @property
    def is_draft(self):
        return self.status == RfcStatus.DRAFT

    @property
    def is_approved(self):
        return self.status == RfcStatus.APPROVED

    @property
    def is_editable(self):
        return self.status in EDITABLE_STATUSES

    @property
    def is_submitted(self):
        return self.status == RfcStatus.SUBMITTED

    @property
    def changes_requested(self):
        return self.status == RfcStatus.CHANGES_REQUESTED

    @property
    def is_dropped(self):
        """Rejected or withdrawn: nothing of it will run anywhere."""
        return self.status in DROPPED

    @property
    def is_finished(self):
        return self.status in FINISHED

    @property
    def is_closed(self):
        return self.status == RfcStatus.CLOSED

    @property
    def is_checked_for_clashes(self):
        return self.status in CHECKED

    @property
    def is_announceable(self):
        return self.status in ANNOUNCEABLE

    @property
    def stands(self):
        return stands(self.status, self.outcome)

    @property
    def awaiting_outcome(self):
        """The target environments whose deployment outcome is not recorded yet."""
        recorded = {d.environment_id for d in self.deployments}
        return [e for e in self.environments if e.id not in recorded]

    @property
    def rollback_text(self):
        """The rollback plan, or what stands in for it: an organisation that fixes forward (RCM §12.10)."""
        if self.rollback_plan:
            return self.rollback_plan
        return f"Fix forward: {self.organisation.name} does not roll back (RCM §12.10)." \
            if self.organisation and self.organisation.fix_forward else "—"

    @property
    def rolled_back_in(self):
        """The target environments that rolled back while the RFC stands elsewhere (a mixed outcome); [] when none
        did or when it rolled back everywhere (its status or outcome says so then)."""
        if RfcStatus.ROLLED_BACK in (self.status, self.outcome):
            return []
        back = {d.environment_id for d in self.deployments if d.outcome == Outcome.ROLLED_BACK}
        return [e.name for e in self.environments if e.id in back]

    @property
    def status_words(self):
        """The status badge's words: the status, and where a target rolled back ("deployed · rolled back in UIT"),
        so that no badge says "deployed" alone while a target rolled back (issue 24)."""
        if self.rolled_back_in:
            return f"{self.status.value} · rolled back in {', '.join(self.rolled_back_in)}"
        return self.status.value

    @property
    def deviations(self):
        """RCM 5.1: the deployments that left the approved plan (outside the window, rolled back, fixed forward)."""
        return [d for d in self.deployments if d.deviation]


class Defect(db.Model):
    """A defect fixed by the release; retest happens only in the environment where it was found (RCM §7.4)."""

    __tablename__ = "rfc_defects"
    id = Column(Integer, primary_key=True)
    rfc_id = Column(ForeignKey("rfcs.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)
    defect_id = Column(String(40), nullable=False, default="", index=True)
    severity = Column(String(20), nullable=False, default="")
    summary = Column(Text, nullable=False, default="")
    blocking = Column(Boolean, nullable=False, default=False, server_default="0")  # blocks testing (RCM §12.8)
    found_in_id = Column(ForeignKey("environments.id"), index=True)
    # Set when the environment the defect was found in received the fix (RCM §7.4: retest only there).
    ready_for_retest = Column(Boolean, nullable=False, default=False)
    rfc = relationship("Rfc", back_populates="defects")
    found_in = relationship("Environment")
    retests = relationship("Retest", back_populates="defect", order_by="Retest.id", cascade="all, delete-orphan")

    @property
    def last_retest(self):
        return self.retests[-1] if self.retests else None


class ChangeRequest(db.Model):
    __tablename__ = "rfc_change_requests"
    id = Column(Integer, primary_key=True)
    rfc_id = Column(ForeignKey("rfcs.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)
    cr_id = Column(String(40), nullable=False, default="")
    title = Column(String(200), nullable=False, default="")
    summary = Column(Text, nullable=False, default="")
    rfc = relationship("Rfc", back_populates="change_requests")


class Revision(db.Model):
    """The content exactly as submitted: what is approved is what was submitted (RCM §12.9)."""

    __tablename__ = "rfc_revisions"
    id = Column(Integer, primary_key=True)
    rfc_id = Column(ForeignKey("rfcs.id", ondelete="CASCADE"), nullable=False)
    number = Column(Integer, nullable=False)
    submitted_at = Column(DateTime, nullable=False, default=utcnow)
    submitted_by_id = Column(ForeignKey("users.id"), nullable=False)
    content = Column(db.JSON, nullable=False)
    rfc = relationship("Rfc", back_populates="revisions")
    submitted_by = relationship("User")
    __table_args__ = (UniqueConstraint("rfc_id", "number", name="uq_rfc_revisions_number"),)


class Approval(db.Model):
    """One manager's decision for one phase on one revision."""

    __tablename__ = "rfc_approvals"
    id = Column(Integer, primary_key=True)
    rfc_id = Column(ForeignKey("rfcs.id", ondelete="CASCADE"), nullable=False, index=True)
    revision = Column(Integer, nullable=False)
    phase = Column(Enum(Phase, native_enum=False, length=3), nullable=False)
    decision = Column(value_enum(Decision, 20), nullable=False)
    by_id = Column(ForeignKey("users.id"), nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow)
    comment = Column(Text, nullable=False, default="")
    rfc = relationship("Rfc", back_populates="approvals")
    by = relationship("User")

    @property
    def asks_changes(self):
        return self.decision == Decision.CHANGES_REQUESTED


class ConsultationResponse(str, enum.Enum):
    NO_OBJECTION = "no objection"
    OBJECTION = "objection"


class Consultation(db.Model):
    """A submitted RFC shared with an impacted Central Party or participant for awareness before approval (RCM §13):
    its users see the RFC, are told through the outbox, and record no objection or an objection with its reason."""

    __tablename__ = "rfc_consultations"
    id = Column(Integer, primary_key=True)
    rfc_id = Column(ForeignKey("rfcs.id", ondelete="CASCADE"), nullable=False)
    organisation_id = Column(ForeignKey("organisations.id"), nullable=False, index=True)
    shared_by_id = Column(ForeignKey("users.id"), nullable=False)
    shared_at = Column(DateTime, nullable=False, default=utcnow)
    response = Column(value_enum(ConsultationResponse, 20))  # None until the organisation answers
    reason = Column(Text, nullable=False, default="", server_default="")
    responded_by_id = Column(ForeignKey("users.id"))
    responded_at = Column(DateTime)
    rfc = relationship("Rfc", back_populates="consultations")
    organisation = relationship("Organisation")
    shared_by = relationship("User", foreign_keys=[shared_by_id])
    responded_by = relationship("User", foreign_keys=[responded_by_id])
    __table_args__ = (UniqueConstraint("rfc_id", "organisation_id", name="uq_rfc_consultations_organisation"),)

    @property
    def objects(self):
        return self.response == ConsultationResponse.OBJECTION

    @property
    def words(self):
        """What the organisation said, as the queue, the RFC page and the PDF show it."""
        if self.response is None:
            return "no answer yet"
        return f"objection: {self.reason}" if self.objects else "no objection"


class PendingApproval(db.Model):
    """An RFC waiting for one phase's approval, with the queue's sort keys: the queue reads it through one index
    instead of testing every submitted RFC's approvals (kept by services.sync_pending)."""

    __tablename__ = "rfc_pending_approvals"
    rfc_id = Column(ForeignKey("rfcs.id", ondelete="CASCADE"), primary_key=True)
    phase = Column(Enum(Phase, native_enum=False, length=3), primary_key=True)
    priority = Column(Integer, nullable=False)  # 0 for an emergency: first in the queue
    window_start = Column(DateTime)
    __table_args__ = (Index("ix_rfc_pending_approvals_queue", "phase", "priority", "window_start", "rfc_id"),)


def priority_of(rfc):
    """An RFC's place in the approval queue before its window start: emergencies first."""
    return 0 if rfc.release_type == ReleaseType.EMERGENCY else 1


class ControlPoint(db.Model):
    """A control point of RCM Table 9 that is met (ticked, with evidence) or not applicable (with the reason);
    open ones have no row."""

    __tablename__ = "rfc_control_points"
    id = Column(Integer, primary_key=True)
    rfc_id = Column(ForeignKey("rfcs.id", ondelete="CASCADE"), nullable=False)
    number = Column(Integer, nullable=False)
    by_id = Column(ForeignKey("users.id"))
    at = Column(DateTime, nullable=False, default=utcnow)
    note = Column(String(500), nullable=False, default="")
    not_applicable = Column(Boolean, nullable=False, default=False, server_default="0")
    rfc = relationship("Rfc", back_populates="control_points")
    by = relationship("User")
    __table_args__ = (UniqueConstraint("rfc_id", "number", name="uq_rfc_control_points_number"),)


SMOKE_RESULTS = ("passed", "failed", "not run")  # RCM 4.4: the deployment's confirmation / smoke test


class Deployment(db.Model):
    """What happened when an RFC was deployed to one of its target environments."""

    __tablename__ = "rfc_deployments"
    id = Column(Integer, primary_key=True)
    rfc_id = Column(ForeignKey("rfcs.id", ondelete="CASCADE"), nullable=False)
    environment_id = Column(ForeignKey("environments.id"), nullable=False)
    outcome = Column(value_enum(Outcome, 20), nullable=False)
    actual_start = Column(DateTime, nullable=False)
    actual_end = Column(DateTime, nullable=False)
    version = Column(String(40), nullable=False, default="")  # running afterwards ("" after a rollback)
    issues = Column(Text, nullable=False, default="")
    resolutions = Column(Text, nullable=False, default="")
    # RCM 4.4 sign-off: the confirmation / smoke test result (SMOKE_RESULTS), who confirmed it, and the errors found
    # in the installation instructions.
    smoke_test = Column(String(10), nullable=False, default="not run", server_default="not run")
    confirmed_by = Column(String(120), nullable=False, default="", server_default="")
    instruction_errors = Column(Text, nullable=False, default="", server_default="")
    by_id = Column(ForeignKey("users.id"))
    at = Column(DateTime, nullable=False, default=utcnow)
    rfc = relationship("Rfc", back_populates="deployments")
    environment = relationship("Environment")
    by = relationship("User")
    __table_args__ = (UniqueConstraint("rfc_id", "environment_id", name="uq_rfc_deployments_environment"),)

    @property
    def fixed_forward(self):
        return self.outcome == Outcome.FIXED_FORWARD

    @property
    def received(self):
        """Whether the environment now runs the release (or its fix forward)."""
        return self.outcome != Outcome.ROLLED_BACK

    @property
    def outside_window(self):
        return bool(self.rfc.window_start and (self.actual_start < self.rfc.window_start
                                               or self.actual_end > self.rfc.window_end))

    @property
    def deviation(self):
        return self.outcome != Outcome.DEPLOYED or self.outside_window


class RetestResult(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"


class Retest(db.Model):
    """A retest of a fixed defect in the environment where it was found (RCM §7.4)."""

    __tablename__ = "rfc_retests"
    id = Column(Integer, primary_key=True)
    defect_id = Column(ForeignKey("rfc_defects.id", ondelete="CASCADE"), nullable=False, index=True)
    result = Column(value_enum(RetestResult, 10), nullable=False)
    note = Column(Text, nullable=False, default="")
    follow_up = Column(String(200), nullable=False, default="")  # a failed retest: the defect or RFC that follows
    by_id = Column(ForeignKey("users.id"), nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow)
    defect = relationship("Defect", back_populates="retests")
    by = relationship("User")


class WorkOffAction(db.Model):
    """A work-off action of a release's review (RCM 5.2, Table 10 step 3): what, who owns it, by when; it stays on
    its owner's home page until it is done."""

    __tablename__ = "rfc_work_off_actions"
    id = Column(Integer, primary_key=True)
    rfc_id = Column(ForeignKey("rfcs.id", ondelete="CASCADE"), nullable=False, index=True)
    text = Column(Text, nullable=False)
    owner_id = Column(ForeignKey("users.id"), nullable=False)
    due = Column(Date, nullable=False)
    created_by_id = Column(ForeignKey("users.id"), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    done_at = Column(DateTime)
    done_by_id = Column(ForeignKey("users.id"))
    rfc = relationship("Rfc")
    owner = relationship("User", foreign_keys=[owner_id])
    done_by = relationship("User", foreign_keys=[done_by_id])


Index("ix_rfc_work_off_actions_owner_open", WorkOffAction.owner_id, WorkOffAction.done_at, WorkOffAction.due)

# A system's versions, read from the index alone.
Index("ix_rfcs_system_version", Rfc.system_id, Rfc.version, Rfc.status, Rfc.outcome)
Index("ix_rfcs_status_window_start", Rfc.status, Rfc.window_start)  # clashes: approved windows by start
Index("ix_rfcs_status_window_minutes", Rfc.status, Rfc.window_minutes)  # clashes: the longest approved window


@event.listens_for(Rfc, "before_insert")
@event.listens_for(Rfc, "before_update")
def _window_minutes(_mapper, _connection, rfc):
    both = rfc.window_start and rfc.window_end
    rfc.window_minutes = int((rfc.window_end - rfc.window_start).total_seconds() // 60) + 1 if both else None
    rfc.version_key = sort_key(rfc.version)


# The version an RFC builds on: its system's nearest standing version below its own, read through the index.
Index("ix_rfcs_system_version_key", Rfc.system_id, Rfc.version_key, Rfc.status, Rfc.outcome)
Index("ix_rfcs_system_approved_at", Rfc.system_id, Rfc.approved_at)  # version order: approved since a submission
Index("ix_rfcs_type_window_start", Rfc.release_type, Rfc.window_start)  # the emergency releases followed lately
Index("ix_rfcs_system_window_start", Rfc.system_id, Rfc.window_start)  # a SIT-A/SIT-B partner's nearest window
# The few regular releases that say why they carry no emergency fixes (RCM §12.8): read without scanning every RFC.
Index("ix_rfcs_not_carried", Rfc.system_id, Rfc.submitted_at, sqlite_where=Rfc.not_carried_reason != "",
      postgresql_where=Rfc.not_carried_reason != "")
# A Central Party's home cards: its drafts and changes requested (latest changed first), its windows to come.
Index("ix_rfcs_organisation_status_updated", Rfc.organisation_id, Rfc.status, Rfc.updated_at)
Index("ix_rfcs_organisation_status_window_end", Rfc.organisation_id, Rfc.status, Rfc.window_end)
# The baseline grid: each cell's next approved RFC, a system's approved RFCs in window order (not its whole history).
Index("ix_rfcs_system_status_window_start", Rfc.system_id, Rfc.status, Rfc.window_start)
Index("ix_rfc_deployments_actual_start", Deployment.actual_start)  # the calendar: what happened each day
Index("ix_rfc_deployments_actual_end", Deployment.actual_end)  # the home pages: release notes of the last 14 days

# RCM Table 9: number, text, process step, the event that ticks it (None: a Release Manager ticks it).
# A control point "can block the following implementation" (RCM §12.7): these gate approval and closure.
CONTROL_POINTS = [
    (1, "RFC raised", "4.1", "submit"),
    (2, "Programme governance approval (Major releases only)", "4.1", "governance"),
    (3, "Environments are built / maintained at the required configuration baseline", "4.1", None),
    (4, "Release package and installation instructions are approved", "4.1", None),
    (5, "Known issues, workarounds and fixes agreed with the resolving defect teams and distributed", "4.1", None),
    (6, "Release plans produced and approved by the Release Manager", "4.1", None),
    (7, "RFC approval", "4.2", "approve"),
    (8, "Issues and resolutions captured at deployment; amendments to installation instructions noted", "4.4",
     "deployment"),
    (9, "Rollout completion / closure is approved", "5.2", "close"),
    (10, "Rollout report delivered and lessons learnt captured", "5.2", "lessons"),
]
APPROVAL_GATE = (1, 2, 3, 4, 5, 6)
CLOSURE_GATE = (8, 9, 10)
# What a Release Manager settles by hand (ticked with evidence, or not applicable); the others are met by their step.
BY_HAND = (3, 4, 5, 6, 8, 10)


# The Retests page and the weekly report: the few defects ready for retest, per environment, newest first (not every
# defect ever listed).
Index("ix_rfc_defects_ready_found_in", Defect.found_in_id, Defect.id, sqlite_where=Defect.ready_for_retest.is_(True),
      postgresql_where=Defect.ready_for_retest.is_(True))
