"""The RFC form (one for new and edit, with release-note rows), and the decision, deployment and closure forms."""
import re

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (DateField, DateTimeLocalField, FieldList, Form, FormField, HiddenField, IntegerField,
                     SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import database_id, int_or_none, options, single_line
from ..directory.models import Environment, Organisation, System
from ..extensions import db
from .models import ReleaseType, RetestResult, RfcStatus
from .rules import SEVERITIES, SHA256, outcomes_offered
from .services import CONTENT_FIELDS

LOCAL = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
DATETIME_MESSAGE = "Enter a date and time like 2026-11-24 09:30."


def _type_or_none(value):
    return ReleaseType(value) if value not in (None, "", "None") else None


# What one release note may hold (issue 23): the programme's notes list tens of defects with a line or two each;
# these bounds are several times that, and keep the largest note's PDFs to a few seconds of one worker
# (scripts/bench_pdf.py renders the largest allowed; 450 defects of 1,990 characters took 24 s before).
MAX_ROWS = 100  # defects, and change requests, per note
SUMMARY_LENGTH = 300  # characters in a defect's or a change request's summary: the detail is in the defect tracker
TEXT_LENGTH = 5_000  # characters in each long field (plans, known issues, instructions)


class DefectRow(Form):
    defect_id = StringField("Defect ID", validators=[Length(max=40)])
    severity = SelectField("Severity", choices=options([("", "—")] + [(s, s) for s in SEVERITIES]))
    summary = StringField("Summary", validators=[Length(max=SUMMARY_LENGTH)])
    found_in_id = SelectField("Found in", coerce=int_or_none)


class ChangeRequestRow(Form):
    cr_id = StringField("CR ID", validators=[Length(max=40)])
    title = StringField("CR title", validators=[Length(max=200)])
    summary = StringField("CR summary", validators=[Length(max=SUMMARY_LENGTH)])


class RfcForm(FlaskForm):
    row_version = HiddenField()
    system_id = SelectField("System", coerce=int_or_none)
    release_type = SelectField("Release type", coerce=_type_or_none,
                               choices=options([("", "—")] + [(t.value, t.value) for t in ReleaseType]))
    version = StringField("Version", validators=[Length(max=40)])
    title = StringField("Title", validators=[Length(max=200), single_line])
    reason = TextAreaField("Reason", validators=[Length(max=5000)])
    promotion_reason = TextAreaField("Reason for UIT first", validators=[Length(max=2000)])
    environment_ids = SelectMultipleField("Target environments", coerce=database_id,
                                          widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    window_start = DateTimeLocalField("Window start", format=LOCAL, validators=[Optional()])
    window_end = DateTimeLocalField("Window end", format=LOCAL, validators=[Optional()])
    expected_downtime = IntegerField("Expected downtime (minutes)", validators=[
        Optional(), NumberRange(min=0, max=100_000, message="Enter a number of minutes, 0 or more.")])
    implementation_plan = TextAreaField("Implementation plan", validators=[Length(max=TEXT_LENGTH)])
    rollback_plan = TextAreaField("Rollback plan", validators=[Length(max=TEXT_LENGTH)])
    stakeholders_impacted = TextAreaField("Stakeholders impacted", validators=[Length(max=5000)])
    known_issues = TextAreaField("Known issues", validators=[Length(max=TEXT_LENGTH)])
    installation_instructions = TextAreaField("Installation instructions", validators=[Length(max=TEXT_LENGTH)])
    build_reference = StringField("Build / package reference", validators=[Length(max=120)])
    build_sha256 = StringField("SHA-256 checksum", validators=[
        Optional(), Regexp(SHA256.pattern, re.IGNORECASE, "A SHA-256 checksum is 64 hexadecimal characters.")])
    defects = FieldList(FormField(DefectRow), max_entries=1000)
    change_requests = FieldList(FormField(ChangeRequestRow), max_entries=1000)

    def _validate_rows(self, field, what):
        filled = [row for row in field if any(value not in (None, "") for name, value in row.data.items()
                                              if name not in ("severity", "found_in_id"))]
        if len(filled) > MAX_ROWS:
            raise ValidationError(f"A release note lists at most {MAX_ROWS} {what}; this one has {len(filled)}. "
                                  "Group minor ones, or link to the full list in the defect tracker.")

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
        """The typed content as plain data for the service (times still London wall-clock)."""
        data = {name: self[name].data for name in CONTENT_FIELDS + ["environment_ids"]}
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


OUTCOME_LABELS = {RfcStatus.DEPLOYED: "Success", RfcStatus.ROLLED_BACK: "Rolled back",
                  RfcStatus.FIXED_FORWARD: "Fixed forward"}


class DeploymentForm(FlaskForm):
    environment_id = SelectField("Environment", coerce=int_or_none)
    actual_start = DateTimeLocalField("Actual start", format=LOCAL, validators=[
        DataRequired(DATETIME_MESSAGE)], render_kw={"step": 60})
    actual_end = DateTimeLocalField("Actual end", format=LOCAL, validators=[
        DataRequired(DATETIME_MESSAGE)], render_kw={"step": 60})
    outcome = SelectField("Outcome", coerce=lambda v: RfcStatus(v) if v in {s.value for s in RfcStatus} else None)
    version = StringField("Version running after the fix", validators=[Length(max=40)])
    issues = TextAreaField("Issues met", validators=[Length(max=TEXT_LENGTH)])
    resolutions = TextAreaField("Resolutions", validators=[Length(max=TEXT_LENGTH)])

    def __init__(self, rfc, environments, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environment_id.choices = options((e.id, e.name) for e in environments)
        self.outcome.choices = options((o.value, OUTCOME_LABELS[o]) for o in outcomes_offered(rfc.organisation))


class ControlPointForm(FlaskForm):
    numbers = SelectMultipleField("Control points", coerce=int_or_none, widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput(), choices=options((n, str(n)) for n in range(1, 11)))
    note = StringField("Evidence or reason", validators=[Length(max=500)])


class RetestForm(FlaskForm):
    result = SelectField("Result", choices=options((r.value, r.value.capitalize()) for r in RetestResult),
                         coerce=lambda v: RetestResult(v) if v in {r.value for r in RetestResult} else None)
    note = StringField("Note", validators=[Length(max=2000)])
    follow_up = StringField("Follow-up (failed only)", validators=[Length(max=200)])


class BaselineForm(FlaskForm):
    system_id = SelectField("System", coerce=int_or_none)
    environment_id = SelectField("Environment", coerce=int_or_none)
    version = StringField("Version", validators=[Length(max=40)])
    since = DateTimeLocalField("Running since", format=LOCAL, validators=[Optional()], render_kw={"step": 60})
    reason = TextAreaField("Reason", validators=[Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.system_id.choices = options([("", "—")] + [(s.id, f"{s.name} ({s.organisation.name})") for s in
                                                        db.session.scalars(select(System).order_by(System.name))])
        self.environment_id.choices = options([("", "—")] + [(e.id, e.name) for e in db.session.scalars(
            select(Environment).order_by(Environment.position))])


class ClosureForm(FlaskForm):
    rollout_report = TextAreaField("Rollout report", validators=[Length(max=TEXT_LENGTH)])
    lessons_learnt = TextAreaField("Lessons learnt", validators=[Length(max=TEXT_LENGTH)])
    work_off_actions = TextAreaField("Work-off actions", validators=[Length(max=TEXT_LENGTH)])


class CommunicationForm(FlaskForm):
    organisation_ids = SelectMultipleField("Organisations", coerce=database_id, widget=ListWidget(prefix_label=False),
                                           option_widget=CheckboxInput(),
                                           validators=[DataRequired("Choose at least one organisation.")])
    subject = StringField("Subject", validators=[DataRequired("Enter a subject."), Length(max=300), single_line])
    body = TextAreaField("Message", validators=[DataRequired("Write the message."), Length(max=20_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = db.session.scalars(select(Organisation).where(Organisation.kind != "programme")
                                                .order_by(Organisation.kind, Organisation.name)).all()
        self.organisation_ids.choices = options((o.id, o.name) for o in self.organisations)
