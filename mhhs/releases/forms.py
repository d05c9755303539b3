"""The RFC form (one for new and edit, with release-note rows), and the decision, deployment and closure forms."""
import re

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (DateField, DateTimeLocalField, FieldList, Form, FormField, HiddenField, IntegerField,
                     SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import database_id, int_or_none, options
from ..directory.models import Environment, Organisation, System
from ..extensions import db
from .models import ReleaseType, RetestResult, RfcStatus
from .rules import SEVERITIES, SHA256, outcomes_offered
from .services import CONTENT_FIELDS

LOCAL = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
DATETIME_MESSAGE = "Enter a date and time like 2026-11-24 09:30."


def _type_or_none(value):
    return ReleaseType(value) if value not in (None, "", "None") else None


class DefectRow(Form):
    defect_id = StringField("Defect ID", validators=[Length(max=40)])
    severity = SelectField("Severity", choices=options([("", "—")] + [(s, s) for s in SEVERITIES]))
    summary = StringField("Summary", validators=[Length(max=2000)])
    found_in_id = SelectField("Found in", coerce=int_or_none)


class ChangeRequestRow(Form):
    cr_id = StringField("CR ID", validators=[Length(max=40)])
    title = StringField("CR title", validators=[Length(max=200)])
    summary = StringField("CR summary", validators=[Length(max=2000)])


class RfcForm(FlaskForm):
    row_version = HiddenField()
    system_id = SelectField("System", coerce=int_or_none)
    release_type = SelectField("Release type", coerce=_type_or_none,
                               choices=options([("", "—")] + [(t.value, t.value) for t in ReleaseType]))
    version = StringField("Version", validators=[Length(max=40)])
    title = StringField("Title", validators=[Length(max=200)])
    reason = TextAreaField("Reason", validators=[Length(max=5000)])
    promotion_reason = TextAreaField("Reason for UIT first", validators=[Length(max=2000)])
    environment_ids = SelectMultipleField("Target environments", coerce=database_id,
                                          widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    window_start = DateTimeLocalField("Window start", format=LOCAL, validators=[Optional()])
    window_end = DateTimeLocalField("Window end", format=LOCAL, validators=[Optional()])
    expected_downtime = IntegerField("Expected downtime (minutes)", validators=[
        Optional(), NumberRange(min=0, max=100_000, message="Enter a number of minutes, 0 or more.")])
    implementation_plan = TextAreaField("Implementation plan", validators=[Length(max=20_000)])
    rollback_plan = TextAreaField("Rollback plan", validators=[Length(max=20_000)])
    stakeholders_impacted = TextAreaField("Stakeholders impacted", validators=[Length(max=5000)])
    known_issues = TextAreaField("Known issues", validators=[Length(max=20_000)])
    installation_instructions = TextAreaField("Installation instructions", validators=[Length(max=20_000)])
    build_reference = StringField("Build / package reference", validators=[Length(max=120)])
    build_sha256 = StringField("SHA-256 checksum", validators=[
        Optional(), Regexp(SHA256.pattern, re.IGNORECASE, "A SHA-256 checksum is 64 hexadecimal characters.")])
    defects = FieldList(FormField(DefectRow), max_entries=1000)
    change_requests = FieldList(FormField(ChangeRequestRow), max_entries=1000)

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
    issues = TextAreaField("Issues met", validators=[Length(max=20_000)])
    resolutions = TextAreaField("Resolutions", validators=[Length(max=20_000)])

    def __init__(self, rfc, environments, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environment_id.choices = options((e.id, e.name) for e in environments)
        self.outcome.choices = options((o.value, OUTCOME_LABELS[o]) for o in outcomes_offered(rfc.organisation))


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
    rollout_report = TextAreaField("Rollout report", validators=[Length(max=20_000)])
    lessons_learnt = TextAreaField("Lessons learnt", validators=[Length(max=20_000)])
    work_off_actions = TextAreaField("Work-off actions", validators=[Length(max=20_000)])


class CommunicationForm(FlaskForm):
    organisation_ids = SelectMultipleField("Organisations", coerce=database_id, widget=ListWidget(prefix_label=False),
                                           option_widget=CheckboxInput(),
                                           validators=[DataRequired("Choose at least one organisation.")])
    subject = StringField("Subject", validators=[DataRequired("Enter a subject."), Length(max=300)])
    body = TextAreaField("Message", validators=[DataRequired("Write the message."), Length(max=20_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = db.session.scalars(select(Organisation).where(Organisation.kind != "programme")
                                                .order_by(Organisation.kind, Organisation.name)).all()
        self.organisation_ids.choices = options((o.id, o.name) for o in self.organisations)
