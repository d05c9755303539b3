"""One marshmallow schema per resource, for what comes in and what goes out (the OpenAPI description is generated
from them). Read-only fields are dump_only; a resource's `…In` class is the same schema without them, so the request
body is described (and named) on its own without restating a field. They check shape and type and turn names and
times into plain values: times are aware ISO 8601 in and naive UTC out of load(), the way services take them; the
lengths and the rules are the domains' own functions (rfcs.rules, outages.rules, certificates.rules)."""
from datetime import UTC

from marshmallow import Schema, ValidationError, fields, pre_dump, validate

from ..certificates.models import Kind
from ..core.time import TIME_RANGE_MESSAGE, time_range_problem
from ..core.urls import public_url_of_id
from ..outages.models import Category
from ..readiness.models import Health
from ..rfcs.numbers import rfc_number
from ..rfcs.rules import SEVERITIES
from ..rfcs.states import Outcome, ReleaseType, RfcStatus

TIME = "An ISO 8601 date and time with its offset, e.g. 2026-12-14T09:30:00Z or 2026-12-14T09:30:00+00:00."


# Fields -----------------------------------------------------------------------------------------

class UtcTime(fields.AwareDateTime):
    """An aware ISO 8601 time in, naive UTC (as stored and as services take it) out of load(); stored naive UTC is
    sent with its offset."""

    def __init__(self, to_the_minute=False, bounded=True, **kwargs):
        self.to_the_minute = to_the_minute  # as the pages take it (RFC windows, outages): seconds dropped
        self.bounded = bounded  # a time stored and shown (not a filter's): within core.time's range
        kwargs.setdefault("metadata", {"description": TIME + (" Taken to the minute." if to_the_minute else "")})
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(value.replace(tzinfo=UTC) if value else value, attr, obj, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            moment = super()._deserialize(value, attr, data, **kwargs).astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # an offset that takes year 1 (or 9999) past the calendar's ends
            raise ValidationError(TIME_RANGE_MESSAGE) from None
        if self.bounded and (problem := time_range_problem(moment)):  # issue 23: a time no page could show
            raise ValidationError(problem)
        return moment.replace(second=0, microsecond=0) if self.to_the_minute else moment


class Text(fields.String):
    """Text sent as "" when there is none."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(value or "", attr, obj, **kwargs)


class Name(fields.String):
    """A related row by its name: sent as its name, taken as a name (found by api.names)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.name


class Value(fields.String):
    """An enumeration sent as its value."""

    def _serialize(self, value, attr, obj, **kwargs):
        return getattr(value, "value", value)


class RfcNumber(fields.String):
    """An RFC by its number (RFC-000123): sent from the RFC's id, taken as typed (the rule reads it)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return rfc_number(value) if value else None


class Page(fields.String):
    """The row's page in Release Desk, from its id: under PUBLIC_URL, never the request's Host."""

    def __init__(self, endpoint, key, **kwargs):
        self.endpoint, self.key = endpoint, key
        super().__init__(attribute="id", dump_only=True,
                         metadata={"description": "Its page in Release Desk."}, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return public_url_of_id(self.endpoint, self.key, value)


def _environment(**kwargs):
    return Name(metadata={"description": "An environment's name, e.g. SIT-A.", "example": "SIT-A"}, **kwargs)


def _without(schema, *also):
    """The names of a schema's read-only fields (and any others named), for its input view's Meta.exclude."""
    return tuple(name for name, field in schema._declared_fields.items() if field.dump_only) + also


# RFCs ---------------------------------------------------------------------------------------------

class Defect(Schema):
    defect_id = fields.String(required=True)
    severity = fields.String(validate=validate.OneOf(SEVERITIES))
    summary = Text(load_default="")
    blocking = fields.Boolean(load_default=False, metadata={"description": "The defect blocks testing (RCM §12.8)."})
    found_in = _environment(load_default=None, allow_none=True)
    ready_for_retest = fields.Boolean(dump_only=True)


class DefectIn(Defect):
    class Meta:
        exclude = _without(Defect)


class ChangeRequest(Schema):
    cr_id = fields.String(required=True)
    title = Text(load_default="")
    summary = Text(load_default="")


class Approval(Schema):
    phase = Value()
    revision = fields.Integer()
    decision = Value()
    by = Name()
    at = UtcTime()
    comment = fields.String()


class Deployment(Schema):
    """The outcome in one environment; in, `outcome` says success, rolled back or fixed forward; out, the status it
    set (deployed, rolled back, fixed forward)."""

    environment = _environment(required=True)
    outcome = Value(required=True)
    actual_start = UtcTime(required=True)
    actual_end = UtcTime(required=True)
    version = fields.String(load_default="", metadata={"description": "After a fix forward: the version running."})
    issues = fields.String(load_default="")
    resolutions = fields.String(load_default="")
    smoke_test = fields.String(load_default="not run", validate=validate.OneOf(["passed", "failed", "not run"]),
                               metadata={"description": "RCM 4.4: the confirmation / smoke test result."})
    confirmed_by = fields.String(load_default="", metadata={"description": "Who confirmed it (needed once it ran)."})
    instruction_errors = fields.String(load_default="",
                                       metadata={"description": "Errors found in the installation instructions."})


class DeploymentIn(Deployment):
    outcome = fields.String(required=True, validate=validate.OneOf([o.api_name for o in Outcome]))


class Rfc(Schema):
    """An RFC's content with its release note; a draft may be incomplete (submission checks it whole)."""

    id = fields.Integer(dump_only=True)
    number = fields.String(dump_only=True)
    status = Value(dump_only=True)
    revision = fields.Integer(dump_only=True)
    organisation = Name(dump_only=True)
    system = Name(allow_none=True, metadata={"description": "One of your organisation's systems, by name.",
                                             "example": "DIP"})
    release_type = fields.Enum(ReleaseType, by_value=True, allow_none=True)
    version = Text(metadata={"description": "Four numbers, e.g. 1.2.0.0 (GET /versions/next proposes it)."})
    title = Text()
    reason = Text()
    promotion_reason = Text(metadata={"description": "Reason for UIT first (a UIT-only RFC of a version not running "
                                                     "in SIT)."})
    ado_work_item = Text(metadata={"description": "The RFC's Azure DevOps work item number, if any."})
    environments = fields.List(_environment(), metadata={"description": "Target environments, by name."})
    window_start = UtcTime(to_the_minute=True, allow_none=True)
    window_end = UtcTime(to_the_minute=True, allow_none=True)
    expected_downtime = fields.Integer(allow_none=True, metadata={"description": "Minutes."})
    implementation_plan = Text()
    rollback_plan = Text()
    stakeholders_impacted = Text()
    # RCM 4.1, Table 10 step 2: required for Major and Minor releases, optional for a Patch.
    resources_required = Text(metadata={"description": "Rollout plan: the resources it needs (RCM 4.1)."})
    timings = Text(metadata={"description": "Rollout plan: its steps' timings."})
    communications_required = Text(metadata={"description": "Rollout plan: the communications it needs."})
    runbook_reference = Text(metadata={"description": "Rollout plan: the runbook's reference."})
    known_issues = Text()
    installation_instructions = Text()
    build_reference = Text()
    build_sha256 = Text()
    dev_test_evidence = Text(metadata={"description": "Emergency releases: the evidence of testing completed in "
                                                      "development environments (RCM §12.8)."})
    not_carried_reason = Text(metadata={"description": "Why this regular release does not carry an earlier emergency "
                                                       "release's defects (RCM §12.8 NB)."})
    defects = fields.List(fields.Nested(Defect))
    change_requests = fields.List(fields.Nested(ChangeRequest))
    submitted_at = UtcTime(dump_only=True, allow_none=True)
    approved_at = UtcTime(dump_only=True, allow_none=True)
    waiting_for = fields.Method("_waiting_for", dump_only=True, metadata={
        "type": "array", "items": {"type": "string"},
        "description": "Phases whose approval of this revision is still awaited."})
    approvals = fields.List(fields.Nested(Approval), dump_only=True)
    deployments = fields.List(fields.Nested(Deployment), dump_only=True)
    updated_at = UtcTime(dump_only=True)
    page = Page("rfcs.detail", "rfc_id")

    def _waiting_for(self, rfc):
        return sorted(p.phase.value for p in rfc.pending)


class RfcIn(Rfc):
    class Meta:
        exclude = _without(Rfc)


class RfcPage(Schema):
    items = fields.List(fields.Nested(Rfc))
    next = fields.String(allow_none=True, metadata={"description": "The next page's URL, if there is one."})


class RfcFilters(Schema):
    system = fields.String()
    status = fields.String(validate=validate.OneOf([s.value for s in RfcStatus]))
    environment = fields.String(metadata={"description": "An environment's name, e.g. SIT-A."})
    updated_since = UtcTime(bounded=False)
    after = fields.String(metadata={"description": "The cursor of the next page (the next link carries it)."})


class VersionQuery(Schema):
    system = fields.String(required=True)
    release_type = fields.String(required=True, validate=validate.OneOf([t.value for t in ReleaseType]))


class Version(Schema):
    system = fields.String()
    release_type = fields.String()
    last = fields.String(allow_none=True, metadata={"description": "The version the release builds on."})
    proposal = fields.String()


# The baseline -------------------------------------------------------------------------------------

class BaselineFilters(Schema):
    system = fields.String()
    environment = fields.String()


class Cell(Schema):
    """The version of one system in one environment, since the deployment that put it there."""

    system = Name()
    environment = Name()
    version = fields.String()
    since = UtcTime(attribute="deployed_at")
    rfc = RfcNumber(attribute="rfc_id", allow_none=True)


# Outages ------------------------------------------------------------------------------------------

class Outage(Schema):
    id = fields.Integer(dump_only=True)
    environment = _environment(required=True)
    systems = fields.List(Name(), required=True, metadata={"description": "Systems down, by name."})
    organisation = Name(dump_only=True)
    planned = fields.Boolean(load_default=False)
    category = Value(required=True, validate=validate.OneOf([c.value for c in Category]))
    start = UtcTime(to_the_minute=True, required=True)
    end = UtcTime(to_the_minute=True, allow_none=True, load_default=None)
    description = fields.String(required=True)
    impact = fields.String(load_default="")
    defect_reference = fields.String(load_default="")
    blocking = fields.Boolean(load_default=False, metadata={"description": "Unplanned: the outage blocks testing; "
                                                                           "the phase's Release Managers are told."})
    root_cause = fields.String(load_default="")
    rfc = RfcNumber(attribute="rfc_id", load_default="", allow_none=True,
                    metadata={"description": "A linked RFC's number, e.g. RFC-000123."})
    page = Page("outages.detail", "outage_id")


class OutageIn(Outage):
    class Meta:
        exclude = _without(Outage)


class OutageFilters(Schema):
    environment = fields.String()
    system = fields.String()
    planned = fields.Boolean()
    after = fields.String()


class OutagePage(Schema):
    items = fields.List(fields.Nested(Outage))
    next = fields.String(allow_none=True)


# Certificates -------------------------------------------------------------------------------------

class Certificate(Schema):
    id = fields.Integer(dump_only=True)
    certificate = fields.String(required=True, load_only=True, metadata={
        "description": "The certificate file: PEM text, or a DER file in base64. Never a private key."})
    organisation = Name(dump_only=True)
    environment = _environment(required=True)
    kind = Value(required=True, validate=validate.OneOf([k.value for k in Kind]))
    mpid = fields.String(required=True)
    market_role = fields.String(load_default=None, allow_none=True, load_only=True,
                                metadata={"description": "A market role's code, e.g. SUP."})
    technical_contact = fields.String(load_default="", load_only=True)
    subject = fields.String(dump_only=True)
    issuer = fields.String(dump_only=True)
    serial = fields.String(dump_only=True)
    valid_from = UtcTime(dump_only=True)
    valid_to = UtcTime(dump_only=True)
    fingerprint = fields.String(dump_only=True)
    status = Value(dump_only=True, attribute="listed_status", metadata={
        "description": "expired, expiring within 30 days, within 90 days, valid or replaced."})
    page = Page("certificates.detail", "certificate_id")

    @pre_dump
    def _with_status(self, row, **kwargs):
        """A dashboard row (certificate, status) gives the certificate with the status it was listed with."""
        certificate, status = row
        certificate.listed_status = status
        return certificate


class CertificateIn(Certificate):
    class Meta:
        exclude = _without(Certificate)


class CertificateFilters(Schema):
    environment = fields.String()
    kind = fields.String(validate=validate.OneOf([k.value for k in Kind]))
    after = fields.String()


class CertificatePage(Schema):
    items = fields.List(fields.Nested(Certificate))
    next = fields.String(allow_none=True)


class Problem(Schema):
    """RFC 9457 problem details."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.List(fields.Dict(), metadata={"description": "One entry per field: {field, detail}."})


# Readiness ----------------------------------------------------------------------------------------

class HealthCheck(Schema):
    id = fields.Integer(dump_only=True)
    system = Name(required=True, metadata={"description": "One of your organisation's systems, by name.",
                                           "example": "DIP"})
    environment = _environment(required=True)
    day = fields.Date(load_default=None, metadata={"description": "The London day it is for; today when left out. "
                                                                  "A day still to come is refused."})
    health = Value(required=True, validate=validate.OneOf([h.value for h in Health]))
    note = fields.String(load_default="", metadata={"description": "What is wrong: needed for amber and red."})
    reported_at = UtcTime(dump_only=True)
    first_reported_at = UtcTime(dump_only=True, metadata={"description": "When the day's check was first reported "
                                                                         "(on time or not)."})


class HealthCheckIn(HealthCheck):
    class Meta:
        exclude = _without(HealthCheck)


class EnvironmentHealth(Schema):
    environment = fields.String()
    checks = fields.List(fields.Nested(HealthCheck), metadata={"description": "Each system's latest check."})


class CriterionStanding(Schema):
    id = fields.Integer(attribute="criterion.id")
    text = fields.String(attribute="criterion.text")
    state = Value(metadata={"description": "met, waived or open."})
    why = fields.String(metadata={"description": "For a derived criterion not met: what the data says."})
    waived_until = fields.Date(attribute="mark.waived_until", allow_none=True)


class Readiness(Schema):
    participant = fields.String(attribute="participant.organisation.name")
    phase = fields.String(attribute="phase.label")
    readiness = fields.String(attribute="label", metadata={"example": "Not ready (2 open)"})
    open = fields.Integer()
    waived = fields.Integer()
    criteria = fields.List(fields.Nested(CriterionStanding), attribute="standings")
# Connectivity proving (issue 26) ---------------------------------------------------------------------------------

class ProvingStep(Schema):
    number = fields.Integer(dump_only=True, metadata={"description": "1–5, in the EAP's order (§11.3)."})
    name = fields.String(dump_only=True)
    status = Value(dump_only=True, metadata={
        "description": "not_started, in_progress, done, blocked or not_applicable."})
    detail = fields.String(dump_only=True, metadata={
        "description": "What blocks it or is missing, or why it does not apply."})
    required = fields.Boolean(dump_only=True)
    derived = fields.Boolean(dump_only=True, metadata={
        "description": "Steps 1–2 tick themselves from the PKI officers and certificates."})
    message_id = fields.String(dump_only=True, allow_none=True)
    message_at = UtcTime(dump_only=True, allow_none=True)
    recorded_at = UtcTime(dump_only=True, allow_none=True)


class ProvingParticipant(Schema):
    id = fields.Integer(dump_only=True)
    organisation = fields.String(dump_only=True)
    kind = Value(dump_only=True)
    route = Value(dump_only=True)
    interval = fields.Integer(dump_only=True, allow_none=True)
    environment = fields.String(dump_only=True)
    steps = fields.List(fields.Nested(ProvingStep), dump_only=True)
    signed_off_at = UtcTime(dump_only=True, allow_none=True, metadata={
        "description": "When a Release Manager signed off \"connectivity proven\"; null while not signed off."})


class ProvingMatrix(Schema):
    environment = fields.String(dump_only=True)
    participants = fields.List(fields.Nested(ProvingParticipant), dump_only=True)


class DipMessageIn(Schema):
    message_id = fields.String(required=True, validate=validate.Length(min=1, max=200),
                               metadata={"description": "The id of the DIP message sent (EAP §11.3.1.3)."})
    sent_at = UtcTime(required=True, metadata={"description": "When it was sent and its response received. " + TIME})
    note = fields.String(load_default="", validate=validate.Length(max=4000))
# Environment allocation (issue 27) ---------------------------------------------------------------

class Slot(Schema):
    id = fields.Integer(dump_only=True)
    environment = _environment(required=True)
    stage = fields.Function(lambda slot: slot.phase.name if slot.phase else None, dump_only=True)
    stage_name = fields.String(load_only=True, load_default=None, data_key="stage",
                               metadata={"description": "The test stage on that environment, by name (optional)."})
    participants = fields.Function(lambda slot: [p.organisation.name for p in slot.participants],
                                   deserialize=lambda value: value, required=True,
                                   metadata={"description": "Participants' organisation names; a participant's "
                                                            "token names its own organisation."})
    start = UtcTime(to_the_minute=True, required=True)
    end = UtcTime(to_the_minute=True, required=True)
    purpose = Value(required=True, validate=validate.OneOf(["testing", "retest", "data_load", "connectivity"]))
    status = Value(dump_only=True)
    note = Text(load_default="")
    repeat_until = fields.Date(load_only=True, load_default=None,
                               metadata={"description": "Repeat on weekdays until this day (at most a year)."})
    series = fields.Integer(attribute="series_id", dump_only=True, allow_none=True)


class SlotIn(Slot):
    class Meta:
        exclude = _without(Slot)


class SlotFilters(Schema):
    environment = fields.String()


class SlotList(Schema):
    items = fields.List(fields.Nested(Slot))


class Holders(Schema):
    environment = fields.String()
    at = UtcTime()
    slots = fields.List(fields.Nested(Slot))
    stages = fields.List(fields.String())
    freezes = fields.List(fields.String())
    outages = fields.List(fields.String())


class TrancheFilters(Schema):
    environment = fields.String(metadata={"description": "Only the tranches on this environment, e.g. UIT."})
    kind = fields.String(validate=validate.OneOf(["qualification", "sandbox"]),
                         metadata={"description": "qualification or sandbox (E2E Sandbox)."})


class Tranche(Schema):
    """A Qualification or E2E Sandbox tranche (EAP §7.1.3, §12.1.3) and the participants the Code Bodies allocated."""
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    kind = Value(attribute="route", dump_only=True, metadata={"description": "qualification or sandbox."})
    environment = _environment(dump_only=True)
    first_day = fields.Date(dump_only=True)
    last_day = fields.Date(dump_only=True)
    participants = fields.List(fields.String(), dump_only=True,
                               metadata={"description": "The participants' organisation names."})
    allocated_by = fields.String(dump_only=True, metadata={"description": "The Code Bodies' decision, as recorded."})
    entered_by = fields.Function(lambda tranche: tranche.entered_by.name if tranche.entered_by else None,
                                 dump_only=True, allow_none=True,
                                 metadata={"type": "string", "description": "The Release Manager who entered it."})


class TrancheList(Schema):
    items = fields.List(fields.Nested(Tranche))


class StageFilters(Schema):
    environment = fields.String(metadata={"description": "Only the stages on this environment, e.g. SIT-A."})


class StageOverlap(Schema):
    stage = fields.String(dump_only=True, metadata={"description": "The other stage, which may overlap this one."})
    reason = fields.String(dump_only=True)
    recorded_by = fields.String(dump_only=True)
    recorded_at = UtcTime(dump_only=True)


class Stage(Schema):
    """A test stage on an environment (EAP Table 1, §12.2) and the recorded leave for it to overlap others."""
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    environment = _environment(dump_only=True)
    first_day = fields.Date(dump_only=True)
    last_day = fields.Date(dump_only=True)
    exclusive = fields.Boolean(dump_only=True, metadata={"description": "It runs alone on its environment."})
    overlaps = fields.List(fields.Nested(StageOverlap), dump_only=True)


class StageList(Schema):
    items = fields.List(fields.Nested(Stage))


class CheckQuery(Schema):
    participant = fields.String(metadata={"description": "An organisation's name (a participant's token: its own)."})
    environment = fields.String(metadata={"description": "With participant: the environment to test in."})
    rfc = fields.String(metadata={"description": "An RFC's number, e.g. RFC-000123: may it deploy now?"})
    at = UtcTime(metadata={"description": "The time asked about; now when absent."})


class CheckAnswer(Schema):
    answer = fields.String(metadata={"description": "allowed, wait or refused."})
    until = UtcTime(allow_none=True, metadata={"description": "wait: until when; allowed: how long it holds."})
    reasons = fields.List(fields.String())
    slot = fields.Integer(attribute="slot.id", allow_none=True)
