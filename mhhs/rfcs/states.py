"""Every RFC status and release type, the groups of statuses the rules and pages ask about, and the outcomes of a
deployment: stated once. Templates never compare a status; they ask the predicates on `Rfc` that read these."""
import enum


class ReleaseType(str, enum.Enum):
    MAJOR = "Major"
    MINOR = "Minor"
    PATCH = "Patch"
    EMERGENCY = "Emergency"


class RfcStatus(str, enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    DEPLOYED = "deployed"
    ROLLED_BACK = "rolled back"
    FIXED_FORWARD = "fixed forward"
    CLOSED = "closed"


class Decision(str, enum.Enum):
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes requested"


class Outcome(str, enum.Enum):
    """A deployment's outcome in one target environment (RCM 4.4); once every target has one, the RFC takes the
    status of the same name (rules.overall_outcome)."""
    DEPLOYED = "deployed"
    ROLLED_BACK = "rolled back"
    FIXED_FORWARD = "fixed forward"

    @property
    def label(self):
        """What the deployment form offers."""
        return "Success" if self is Outcome.DEPLOYED else self.value.capitalize()

    @property
    def api_name(self):
        """What the API takes and gives (a pipeline reports "success")."""
        return "success" if self is Outcome.DEPLOYED else self.value

    @classmethod
    def from_api(cls, name):
        return next(o for o in cls if o.api_name == name)

    @property
    def status(self):
        return RfcStatus(self.value)


# RCM 4.1, Table 10 step 2: the release types whose rollout plan (resources, timings, communications, runbook) is
# required; a Patch may leave it out, and an Emergency follows its own minimum process (RCM §12.8).
ROLLOUT_PLAN_REQUIRED = (ReleaseType.MAJOR, ReleaseType.MINOR)

# Everyone may read these (SPEC §2); the rest only the raising organisation (and managers once submitted).
PUBLIC_STATUSES = (RfcStatus.APPROVED, RfcStatus.DEPLOYED, RfcStatus.ROLLED_BACK, RfcStatus.FIXED_FORWARD,
                   RfcStatus.CLOSED)
EDITABLE_STATUSES = (RfcStatus.DRAFT, RfcStatus.CHANGES_REQUESTED)
WITHDRAWABLE_STATUSES = (RfcStatus.DRAFT, RfcStatus.SUBMITTED, RfcStatus.CHANGES_REQUESTED, RfcStatus.APPROVED)
FINISHED = (RfcStatus.REJECTED, RfcStatus.WITHDRAWN, RfcStatus.CLOSED)
# Ended without a release: nothing of it will run anywhere.
DROPPED = (RfcStatus.REJECTED, RfcStatus.WITHDRAWN)
# What a deployment to one environment can end as (and an RFC's outcome once every target has one).
OUTCOMES = (RfcStatus.DEPLOYED, RfcStatus.ROLLED_BACK, RfcStatus.FIXED_FORWARD)
# The windows on the schedule: submitted (pending), sent back, or approved and not yet deployed.
SCHEDULED = (RfcStatus.SUBMITTED, RfcStatus.CHANGES_REQUESTED, RfcStatus.APPROVED)
# The RFCs whose page names their clashes: those on the schedule, and drafts (seen before they are submitted).
CHECKED = SCHEDULED + (RfcStatus.DRAFT,)
# A window is announced as planned outages while it is awaiting approval or approved.
ANNOUNCEABLE = (RfcStatus.SUBMITTED, RfcStatus.APPROVED)
# What a release or closure communication may be sent about.
COMMUNICATION_STATUSES = {"release": PUBLIC_STATUSES, "closure": (RfcStatus.CLOSED,)}


def stands(status, outcome):
    """Whether an RFC's version counts as approved: approved or later, and not rolled back everywhere."""
    return status in PUBLIC_STATUSES and outcome != RfcStatus.ROLLED_BACK
