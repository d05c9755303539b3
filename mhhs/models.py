"""Imports every domain's models, so that Alembic and the app see the whole schema."""
from .audit.models import AuditEvent  # noqa: F401
from .auth.models import LoginThrottle  # noqa: F401
from .directory.models import Environment, MajorRelease, MarketRole, Organisation, System, User  # noqa: F401
from .certificates.models import Certificate, PkiOfficer, ReminderSent  # noqa: F401
from .mail.models import OutboxMessage  # noqa: F401
from .releases.models import Approval, ChangeRequest, ControlPoint, Defect, DeployedVersion, Revision, Rfc  # noqa: F401
from .outages.models import Outage  # noqa: F401
