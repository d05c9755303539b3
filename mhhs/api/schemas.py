"""The JSON shapes of the API (marshmallow), from which the OpenAPI description is generated. They check shape and
type only; lengths and the rules come from the same forms and services as the pages, with the same words."""
from marshmallow import Schema, fields, validate

from ..certificates.models import Kind
from ..outages.models import Category
from ..releases.models import ReleaseType, RfcStatus
from ..releases.rules import SEVERITIES

OUTCOMES = {"success": RfcStatus.DEPLOYED, "rolled back": RfcStatus.ROLLED_BACK,
            "fixed forward": RfcStatus.FIXED_FORWARD}
TIME = "An ISO 8601 date and time with its offset, e.g. 2026-12-14T09:30:00Z or 2026-12-14T09:30:00+00:00."


def _time(**kwargs):
    return fields.AwareDateTime(format="iso", metadata={"description": TIME}, **kwargs)


def _environment(**kwargs):
    return fields.String(metadata={"description": "An environment's name, e.g. SIT-A.", "example": "SIT-A"}, **kwargs)


# In -------------------------------------------------------------------------------------------

class DefectIn(Schema):
    defect_id = fields.String(required=True)
    severity = fields.String(validate=validate.OneOf(SEVERITIES))
    summary = fields.String(load_default="")
    found_in = _environment(load_default=None)


class ChangeRequestIn(Schema):
    cr_id = fields.String(required=True)
    title = fields.String(load_default="")
    summary = fields.String(load_default="")


class RfcIn(Schema):
    """An RFC's content with its release note; a draft may be incomplete (submission checks it whole)."""

    system = fields.String(metadata={"description": "One of your organisation's systems, by name.", "example": "DIP"})
    release_type = fields.String(validate=validate.OneOf([t.value for t in ReleaseType]))
    version = fields.String(metadata={"description": "Four numbers, e.g. 1.2.0.0 (GET /versions/next proposes it)."})
    title = fields.String()
    reason = fields.String()
    promotion_reason = fields.String(metadata={"description": "Reason for UIT first (a UIT-only RFC of a version "
                                                              "not running in SIT)."})
    ado_work_item = fields.String(metadata={"description": "The RFC's Azure DevOps work item number, if any."})
    environments = fields.List(_environment(), metadata={"description": "Target environments, by name."})
    window_start = _time(allow_none=True)
    window_end = _time(allow_none=True)
    expected_downtime = fields.Integer(allow_none=True, metadata={"description": "Minutes."})
    implementation_plan = fields.String()
    rollback_plan = fields.String()
    stakeholders_impacted = fields.String()
    known_issues = fields.String()
    installation_instructions = fields.String()
    build_reference = fields.String()
    build_sha256 = fields.String()
    defects = fields.List(fields.Nested(DefectIn))
    change_requests = fields.List(fields.Nested(ChangeRequestIn))


class DeploymentIn(Schema):
    environment = _environment(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(list(OUTCOMES)))
    actual_start = _time(required=True)
    actual_end = _time(required=True)
    version = fields.String(load_default="", metadata={"description": "After a fix forward: the version running."})
    issues = fields.String(load_default="")
    resolutions = fields.String(load_default="")
    smoke_test = fields.String(load_default="not run", validate=validate.OneOf(["passed", "failed", "not run"]),
                               metadata={"description": "RCM 4.4: the confirmation / smoke test result."})
    confirmed_by = fields.String(load_default="", metadata={"description": "Who confirmed it (needed once it ran)."})
    instruction_errors = fields.String(load_default="",
                                       metadata={"description": "Errors found in the installation instructions."})


class OutageIn(Schema):
    environment = _environment(required=True)
    systems = fields.List(fields.String(), required=True, metadata={"description": "Systems down, by name."})
    planned = fields.Boolean(load_default=False)
    category = fields.String(required=True, validate=validate.OneOf([c.value for c in Category]))
    start = _time(required=True)
    end = _time(allow_none=True, load_default=None)
    description = fields.String(required=True)
    impact = fields.String(load_default="")
    defect_reference = fields.String(load_default="")
    blocking = fields.Boolean(load_default=False, metadata={"description": "Unplanned: the outage blocks testing; "
                                                                           "the phase's Release Managers are told."})
    root_cause = fields.String(load_default="")
    rfc = fields.String(load_default="", metadata={"description": "A linked RFC's number, e.g. RFC-000123."})


class CertificateIn(Schema):
    certificate = fields.String(required=True, metadata={
        "description": "The certificate file: PEM text, or a DER file in base64. Never a private key."})
    environment = _environment(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in Kind]))
    mpid = fields.String(required=True)
    market_role = fields.String(load_default=None, allow_none=True, metadata={"description": "A market role's code, "
                                                                                             "e.g. SUP."})
    technical_contact = fields.String(load_default="")


class RfcFilters(Schema):
    system = fields.String()
    status = fields.String(validate=validate.OneOf([s.value for s in RfcStatus]))
    environment = _environment()
    updated_since = _time()
    after = fields.String(metadata={"description": "The cursor of the next page (the next link carries it)."})


class OutageFilters(Schema):
    environment = _environment()
    system = fields.String()
    planned = fields.Boolean()
    after = fields.String()


class CertificateFilters(Schema):
    environment = _environment()
    kind = fields.String(validate=validate.OneOf([k.value for k in Kind]))
    after = fields.String()


class BaselineFilters(Schema):
    system = fields.String()
    environment = _environment()


class VersionQuery(Schema):
    system = fields.String(required=True)
    release_type = fields.String(required=True, validate=validate.OneOf([t.value for t in ReleaseType]))


# Out ------------------------------------------------------------------------------------------

class DefectOut(Schema):
    defect_id = fields.String()
    severity = fields.String()
    summary = fields.String()
    found_in = fields.String(allow_none=True)
    ready_for_retest = fields.Boolean()


class ApprovalOut(Schema):
    phase = fields.String()
    revision = fields.Integer()
    decision = fields.String()
    by = fields.String()
    at = fields.DateTime()
    comment = fields.String()


class DeploymentOut(Schema):
    environment = fields.String()
    outcome = fields.String()
    actual_start = fields.DateTime()
    actual_end = fields.DateTime()
    version = fields.String()
    issues = fields.String()
    resolutions = fields.String()
    smoke_test = fields.String()
    confirmed_by = fields.String()
    instruction_errors = fields.String()


class RfcOut(Schema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    revision = fields.Integer()
    organisation = fields.String()
    system = fields.String(allow_none=True)
    release_type = fields.String(allow_none=True)
    version = fields.String()
    title = fields.String()
    reason = fields.String()
    promotion_reason = fields.String()
    ado_work_item = fields.String()
    environments = fields.List(fields.String())
    window_start = fields.DateTime(allow_none=True)
    window_end = fields.DateTime(allow_none=True)
    expected_downtime = fields.Integer(allow_none=True)
    implementation_plan = fields.String()
    rollback_plan = fields.String()
    stakeholders_impacted = fields.String()
    known_issues = fields.String()
    installation_instructions = fields.String()
    build_reference = fields.String()
    build_sha256 = fields.String()
    defects = fields.List(fields.Nested(DefectOut))
    change_requests = fields.List(fields.Nested(ChangeRequestIn))
    submitted_at = fields.DateTime(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    waiting_for = fields.List(fields.String(), metadata={"description": "Phases whose approval of this revision is "
                                                                        "still awaited."})
    approvals = fields.List(fields.Nested(ApprovalOut))
    deployments = fields.List(fields.Nested(DeploymentOut))
    updated_at = fields.DateTime()
    page = fields.String(metadata={"description": "The RFC's page in Release Desk."})


class RfcPage(Schema):
    items = fields.List(fields.Nested(RfcOut))
    next = fields.String(allow_none=True, metadata={"description": "The next page's URL, if there is one."})


class VersionOut(Schema):
    system = fields.String()
    release_type = fields.String()
    last = fields.String(allow_none=True, metadata={"description": "The version the release builds on."})
    proposal = fields.String()


class CellOut(Schema):
    system = fields.String()
    environment = fields.String()
    version = fields.String()
    since = fields.DateTime()
    rfc = fields.String(allow_none=True)


class OutageOut(Schema):
    id = fields.Integer()
    environment = fields.String()
    systems = fields.List(fields.String())
    organisation = fields.String()
    planned = fields.Boolean()
    category = fields.String()
    start = fields.DateTime()
    end = fields.DateTime(allow_none=True)
    description = fields.String()
    impact = fields.String()
    defect_reference = fields.String()
    blocking = fields.Boolean()
    root_cause = fields.String()
    rfc = fields.String(allow_none=True)
    page = fields.String()


class OutagePage(Schema):
    items = fields.List(fields.Nested(OutageOut))
    next = fields.String(allow_none=True)


class CertificateOut(Schema):
    id = fields.Integer()
    organisation = fields.String()
    environment = fields.String()
    kind = fields.String()
    mpid = fields.String()
    subject = fields.String()
    issuer = fields.String()
    serial = fields.String()
    valid_from = fields.DateTime()
    valid_to = fields.DateTime()
    fingerprint = fields.String()
    status = fields.String(metadata={"description": "expired, expiring within 30 days, within 90 days, valid or "
                                                    "replaced."})
    page = fields.String()


class CertificatePage(Schema):
    items = fields.List(fields.Nested(CertificateOut))
    next = fields.String(allow_none=True)


class Problem(Schema):
    """RFC 9457 problem details."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.List(fields.Dict(), metadata={"description": "One entry per field: {field, detail}."})
