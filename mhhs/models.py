"""Imports every domain's models, so that Alembic and the app see the whole schema."""
from .api.models import ApiToken, IdempotencyKey
from .audit.models import AuditEvent
from .auth.models import AddressThrottle, LoginThrottle
from .core.search import SearchDocument
from .certificates.models import Certificate, PkiOfficer, ReminderSent
from .directory.models import (Environment, Freeze, MajorRelease, MarketRole, NotificationOptOut, Organisation,
                               Subscription, System, TestPhase, User)
from .mail.models import OutboxMessage
from .reports.models import WeeklyReportSent
from .outages.models import DowntimeDay, DowntimeMonth, DowntimeState, Outage, OutageUpdate
from .releases.models import (Acknowledgement, Approval, BaselineChange, ChangeRequest, ControlPoint, Defect, Deployment, DeployedVersion,
                              ReleaseAudience, Retest, Revision, Rfc)

__all__ = ["ApiToken", "IdempotencyKey", "AuditEvent", "AddressThrottle", "LoginThrottle", "Certificate", "PkiOfficer", "ReminderSent", "Environment", "Freeze", "NotificationOptOut", "Subscription", "TestPhase", "MajorRelease",
           "MarketRole", "Organisation", "System", "User", "OutboxMessage", "DowntimeDay", "DowntimeMonth", "DowntimeState", "Outage", "OutageUpdate", "Acknowledgement", "Approval", "ChangeRequest", "ReleaseAudience",
           "BaselineChange", "ControlPoint", "Defect", "Deployment", "DeployedVersion", "Retest", "Revision", "Rfc", "WeeklyReportSent", "SearchDocument"]
