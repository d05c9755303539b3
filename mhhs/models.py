"""Imports every domain's models, so that Alembic and the app see the whole schema."""
from .allocation.models import AllocationRule, Slot, SlotSeries, StageOverlap, TestPhase
from .api.models import ApiToken, IdempotencyKey
from .audit.models import AuditEvent
from .auth.models import AddressThrottle, LoginThrottle
from .baseline.models import BaselineChange, DeployedVersion
from .certificates.models import Certificate, PkiOfficer, ReminderSent
from .core.changes import ChangeCounter
from .core.rate_limits import RateLimitCount
from .core.search import SearchDocument
from .directory.models import Environment, MajorRelease, MarketRole, Organisation, System, User
from .mail.models import OutboxMessage
from .notifications.models import MailGroup, NotificationOptOut, Subscription
from .outages.models import DowntimeDay, DowntimeMonth, DowntimeState, Outage, OutageUpdate
from .participants.models import (
    CentralConnection,
    ConnectivitySignOff,
    OnboardingInterval,
    Participant,
    ParticipantEnvironment,
    ParticipantOutage,
    Tranche,
)
from .readiness.models import (
    CriterionMark,
    DecisionCondition,
    EntryCriterion,
    EwgAction,
    EwgMeeting,
    HealthCheck,
    HealthCheckDeadline,
    ProvingTest,
    ReadinessDecision,
)
from .release_notes.models import Acknowledgement, ReleaseAudience
from .reports.models import WeeklyReportSent
from .rfcs.models import (
    Approval,
    ChangeRequest,
    Consultation,
    ControlPoint,
    Defect,
    Deployment,
    Retest,
    Revision,
    Rfc,
    WorkOffAction,
)
from .windows.models import Freeze, ReleaseSlot

__all__ = [
    "Consultation",
    "ApiToken", "IdempotencyKey", "AuditEvent", "AddressThrottle", "LoginThrottle", "Certificate", "PkiOfficer",
    "RateLimitCount", "ReminderSent", "Environment", "Freeze", "NotificationOptOut", "Subscription", "TestPhase",
    "MajorRelease",
    "MarketRole", "Organisation", "System", "User", "OutboxMessage", "DowntimeDay", "DowntimeMonth",
    "DowntimeState", "Outage", "OutageUpdate", "Acknowledgement", "Approval", "ChangeRequest",
    "ReleaseAudience", "BaselineChange", "ControlPoint", "Defect", "Deployment", "DeployedVersion", "Retest",
    "Revision", "Rfc", "WeeklyReportSent", "SearchDocument", "MailGroup", "ReleaseSlot", "WorkOffAction",
    "ConnectivitySignOff", "OnboardingInterval", "Participant", "ParticipantEnvironment", "ParticipantOutage",
    "Tranche", "CentralConnection", "ChangeCounter", "CriterionMark", "EntryCriterion", "HealthCheck",
    "HealthCheckDeadline", "DecisionCondition", "EwgAction", "EwgMeeting", "ProvingTest", "ReadinessDecision",
    "AllocationRule", "Slot", "SlotSeries", "StageOverlap",
]
