"""The RFC form (one for new and edit, with release-note rows), and the decision, deployment and closure forms."""

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import DATETIME_MESSAGE, LOCAL, database_id, int_or_none, options, rule, single_line
from ..core.time import london_to_utc
from ..directory.models import Environment, System
from ..extensions import db
from .models import SMOKE_RESULTS, ConsultationResponse, RetestResult
from .rules import CHANGE_REQUEST_LIMITS as CR
from .rules import CONTENT_LIMITS as MAX
from .rules import (
    DEFECT_LIMITS,
    DOWNTIME_MESSAGE,
    SEVERITIES,
    TEXT_LENGTH,
    checksum_problem,
    downtime_problem,
    outcomes_offered,
    rows_problem,
    window_time_problem,
)
from .services import CONTENT_FIELDS
from .services.consultation import REASON_LENGTH
from .states import Outcome, ReleaseType


def _type_or_none(value):
    return ReleaseType(value) if value not in (None, "", "None") else None


class DefectRow(Form):
    defect_id = StringField("Defect ID", validators=[Length(max=DEFECT_LIMITS["defect_id"])])
    severity = SelectField("Severity", choices=options([("", "—")] + [(s, s) for s in SEVERITIES]))
    summary = StringField("Summary", validators=[Length(max=DEFECT_LIMITS["summary"])])
    found_in_id = SelectField("Found in", coerce=int_or_none)
    blocking = BooleanField("Blocking")  # RCM §12.8: blocks testing


class ChangeRequestRow(Form):
    cr_id = StringField("CR ID", validators=[Length(max=CR["cr_id"])])
    title = StringField("CR title", validators=[Length(max=CR["title"])])
    summary = StringField("CR summary", validators=[Length(max=CR["summary"])])


class RfcForm(FlaskForm):
    row_version = HiddenField()
    system_id = SelectField("System", coerce=int_or_none)
    release_type = SelectField("Release type", coerce=_type_or_none,
                               choices=options([("", "—")] + [(t.value, t.value) for t in ReleaseType]))
    version = StringField("Version", validators=[Length(max=MAX["version"])])
    title = StringField("Title", validators=[Length(max=MAX["title"]), single_line])
    reason = TextAreaField("Reason", validators=[Length(max=MAX["reason"])])
    promotion_reason = TextAreaField("Reason for UIT first", validators=[Length(max=MAX["promotion_reason"])])
    dev_test_evidence = TextAreaField("Evidence of testing in development environments",
                                      validators=[Length(max=MAX["dev_test_evidence"])])
    not_carried_reason = TextAreaField("Why the emergency fixes are not carried",
                                       validators=[Length(max=MAX["not_carried_reason"])])
    ado_work_item = StringField("ADO work item", validators=[Optional(), Regexp(
        r"^\s*\d{1,10}\s*$", message="An Azure DevOps work item number is digits only, e.g. 48213.")])
    environment_ids = SelectMultipleField("Target environments", coerce=database_id,
                                          widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    window_start = DateTimeLocalField("Window start", format=LOCAL, validators=[Optional(), rule(window_time_problem)])
    window_end = DateTimeLocalField("Window end", format=LOCAL, validators=[Optional(), rule(window_time_problem)])
    # Past Optional(), no number means the text was not one: the rule's words join IntegerField's, as ever.
    expected_downtime = IntegerField("Expected downtime (minutes)", validators=[Optional(), rule(
        lambda minutes: DOWNTIME_MESSAGE if minutes is None else downtime_problem(minutes))])
    implementation_plan = TextAreaField("Implementation plan", validators=[Length(max=MAX["implementation_plan"])])
    rollback_plan = TextAreaField("Rollback plan", validators=[Length(max=MAX["rollback_plan"])])
    stakeholders_impacted = TextAreaField("Stakeholders impacted",
                                          validators=[Length(max=MAX["stakeholders_impacted"])])
    resources_required = TextAreaField("Resources required", validators=[Length(max=MAX["resources_required"])])
    timings = TextAreaField("Timings", validators=[Length(max=MAX["timings"])])
    communications_required = TextAreaField("Communications required",
                                            validators=[Length(max=MAX["communications_required"])])
    runbook_reference = StringField("Runbook reference", validators=[Length(max=MAX["runbook_reference"]),
                                                                     single_line])
    known_issues = TextAreaField("Known issues", validators=[Length(max=MAX["known_issues"])])
    installation_instructions = TextAreaField("Installation instructions",
                                              validators=[Length(max=MAX["installation_instructions"])])
    build_reference = StringField("Build / package reference", validators=[Length(max=MAX["build_reference"])])
    build_sha256 = StringField("SHA-256 checksum", validators=[Optional(), rule(checksum_problem)])
    defects = FieldList(FormField(DefectRow), max_entries=1000)
    change_requests = FieldList(FormField(ChangeRequestRow), max_entries=1000)

    def _validate_rows(self, field, what):
        if problem := rows_problem([row.data for row in field], what):
            raise ValidationError(problem)

    def validate_defects(self, field):
        self._validate_rows(field, "defects")

    def validate_change_requests(self, field):
        self._validate_rows(field, "change requests")

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        systems = db.session.scalars(select(System).where(System.organisation_id == user.organisation_id)
                                     .order_by(System.name))
        self.system_id.choices = options([("", "—")] + [(s.id, s.name) for s in systems])
        self.environments = db.session.scalars(select(Environment).order_by(Environment.position)).all()
        self.environment_ids.choices = options((e.id, f"{e.name} ({e.phase.value})") for e in self.environments)
        for field in (self.window_start, self.window_end):
            field.render_kw = {"step": 60}
        self.fill_row_choices()

    def fill_row_choices(self):
        choices = options([("", "—")] + [(e.id, e.name) for e in self.environments])
        for entry in self.defects:
            entry.form.found_in_id.choices = choices

    def content(self):
        """The typed content as plain data for the service, times in UTC."""
        data = {name: self[name].data for name in CONTENT_FIELDS + ["environment_ids"]}
        for name in ("window_start", "window_end"):
            data[name] = london_to_utc(data[name])
        for name in CONTENT_FIELDS:  # a text field left out of the request is empty text, never a missing value
            if data[name] is None and isinstance(self[name], StringField):
                data[name] = ""
        data["defects"] = [row.data for row in self.defects]
        data["change_requests"] = [row.data for row in self.change_requests]
        return data


class DecisionForm(FlaskForm):
    row_version = HiddenField()
    comment = TextAreaField("Comment", validators=[Length(max=5000)])


class GovernanceForm(FlaskForm):
    gng_reference = StringField("GNG reference", validators=[DataRequired("Enter the governance reference."),
                                                             Length(max=120)])
    gng_date = DateField("GNG date", validators=[DataRequired("Enter the date of the governance approval.")])


class DeploymentForm(FlaskForm):
    environment_id = SelectField("Environment", coerce=int_or_none)
    actual_start = DateTimeLocalField("Actual start", format=LOCAL, validators=[
        DataRequired(DATETIME_MESSAGE)], render_kw={"step": 60})
    actual_end = DateTimeLocalField("Actual end", format=LOCAL, validators=[
        DataRequired(DATETIME_MESSAGE)], render_kw={"step": 60})
    outcome = SelectField("Outcome", coerce=lambda v: Outcome(v) if v in {o.value for o in Outcome} else None)
    version = StringField("Version running after the fix", validators=[Length(max=MAX["version"])])
    issues = TextAreaField("Issues met", validators=[Length(max=TEXT_LENGTH)])
    resolutions = TextAreaField("Resolutions", validators=[Length(max=TEXT_LENGTH)])
    smoke_test = SelectField("Confirmation / smoke test", choices=options((r, r.capitalize()) for r in SMOKE_RESULTS),
                             default="not run")
    confirmed_by = StringField("Confirmed by", validators=[Length(max=120)])
    instruction_errors = TextAreaField("Errors found in the installation instructions",
                                       validators=[Length(max=TEXT_LENGTH)])

    def __init__(self, rfc, environments, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environment_id.choices = options((e.id, e.name) for e in environments)
        self.outcome.choices = options((o.value, o.label) for o in outcomes_offered(rfc.organisation))


class ControlPointForm(FlaskForm):
    numbers = SelectMultipleField("Control points", coerce=int_or_none, widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput(), choices=options((n, str(n)) for n in range(1, 11)))
    note = StringField("Evidence or reason", validators=[Length(max=500)])


class RetestForm(FlaskForm):
    # No result is chosen for the tester: a default "Passed" is recorded by a hasty click.
    result = SelectField("Result", choices=options([("", "Choose the result")]
                                                   + [(r.value, r.value.capitalize()) for r in RetestResult]),
                         coerce=lambda v: RetestResult(v) if v in {r.value for r in RetestResult} else None,
                         validators=[DataRequired("Choose Passed or Failed.")])
    note = StringField("Note", validators=[Length(max=2000)])
    follow_up = StringField("Follow-up (failed only)", validators=[Length(max=200)])


class ClosureForm(FlaskForm):
    rollout_report = TextAreaField("Rollout report", validators=[Length(max=TEXT_LENGTH)])
    lessons_learnt = TextAreaField("Lessons learnt", validators=[Length(max=TEXT_LENGTH)])
    work_off_actions = TextAreaField("Work-off actions", validators=[Length(max=TEXT_LENGTH)])


class WorkOffActionForm(FlaskForm):
    """A work-off action of the review (RCM 5.2): what, its owner, by when."""
    text = StringField("Action", validators=[Length(max=500)])
    owner_email = StringField("Owner (e-mail address)", validators=[Length(max=254)])
    due = DateField("Due", validators=[Optional()])


class ConsultForm(FlaskForm):
    """RCM §13: the organisations a Release Manager shares a submitted RFC with before approval."""
    organisation_ids = SelectMultipleField("Consult these organisations", coerce=database_id, validate_choice=False,
                                           widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())

    def __init__(self, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_ids.choices = options((o.id, consult_label(o)) for o in organisations)


def consult_label(organisation):
    """How the forms that share an RFC name an organisation offered."""
    return f"{organisation.name} ({organisation.kind_label})"


class ConsultationAnswerForm(FlaskForm):
    """A consulted organisation's answer (RCM §13): no objection, or an objection with its reason."""
    response = RadioField("Your organisation's answer", choices=options(
        (r.value, r.value.capitalize()) for r in ConsultationResponse),
        coerce=lambda v: ConsultationResponse(v) if v in {r.value for r in ConsultationResponse} else None,
        validate_choice=False)
    reason = TextAreaField("Reason (needed for an objection)", validators=[Length(max=REASON_LENGTH)])
