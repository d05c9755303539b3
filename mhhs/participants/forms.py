"""The register entry, interval, Environment Manager, own environment, unavailability and central connection forms.
The choices a record must exist for (interval, tranche) are checked by the services, which say so by the field."""
from flask import request
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import LOCAL, database_id, int_or_none, options, rule, single_line
from ..core.time import time_range_problem
from ..directory.models import Environment, MarketRole
from ..extensions import db
from .models import SANDBOX_AFTER, EnvironmentStatus, ParticipantKind, Route
from .register import intervals, organisations_without_entry, qualification_tranches


def _environment_choices(empty=None):
    pairs = [(e.id, e.name) for e in db.session.scalars(select(Environment).order_by(Environment.position))]
    return options(([("", empty)] if empty else []) + pairs)


class ParticipantForm(FlaskForm):
    organisation_id = SelectField("Organisation", coerce=int_or_none, validate_choice=False)
    kind = SelectField("Kind", choices=options((k.value, k.label) for k in ParticipantKind))
    market_role_ids = SelectMultipleField("Market roles it will test", coerce=database_id,
                                          widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                          validate_choice=False)
    route = SelectField("Route", choices=options((r.value, r.label) for r in Route))
    passed_route = SelectField("Passed (for the E2E Sandbox)", choices=options(
        [("", "—")] + [(r.value, r.label) for r in SANDBOX_AFTER]), default="")
    passed_on = DateField("Passed on", validators=[Optional()])
    interval_id = SelectField("DIP onboarding interval", coerce=int_or_none, validate_choice=False)
    qualification_tranche_id = SelectField("Qualification tranche", coerce=int_or_none, validate_choice=False)

    def __init__(self, participant=None, *args, **kwargs):
        # The entry fills the form when it is shown, never under what was posted (a field left out stays empty).
        super().__init__(*args, obj=participant if request.method == "GET" else None, **kwargs)
        keep = participant.organisation_id if participant is not None else None
        self.organisation_id.choices = options(
            [("", "Choose…")] + [(o.id, o.name) for o in organisations_without_entry(keep)])
        roles = db.session.scalars(select(MarketRole).order_by(MarketRole.central, MarketRole.code))
        self.market_role_ids.choices = options((r.id, f"{r.code} — {r.name}") for r in roles)
        self.interval_id.choices = options([("", "Not yet given")] + [
            (i.id, f"Interval {i.number} (w/c {i.first_day:%d %b %Y})") for i in intervals()])
        self.qualification_tranche_id.choices = options([("", "Not allocated")] + [
            (t.id, f"{t.name} ({t.environment.name}, {t.first_day:%d %b} – {t.last_day:%d %b %Y})")
            for t in qualification_tranches()])
        if participant is not None and not self.is_submitted():
            self.market_role_ids.data = [r.id for r in participant.market_roles]
            self.kind.data, self.route.data = participant.kind.value, participant.route.value
            self.passed_route.data = participant.passed_route.value if participant.passed_route else ""


class IntervalForm(FlaskForm):
    number = IntegerField("Interval", validators=[DataRequired("Give the interval's number, 1 to 6.")])
    first_day = DateField("Week commencing", validators=[DataRequired("Give the week commencing (a Monday).")])
    last_day = DateField("Last day", validators=[DataRequired("Give the interval's last day.")])


class EnvironmentManagerForm(FlaskForm):
    environment_manager_id = SelectField("One of our users", coerce=int_or_none, validate_choice=False)
    environment_manager_name = StringField("Or a named contact", validators=[Length(max=120), single_line])
    environment_manager_email = EmailField("Contact's e-mail address", validators=[
        Optional(), Email("Enter a valid e-mail address.", test_environment=True), Length(max=254)])

    def __init__(self, users, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environment_manager_id.choices = options([("", "—")] + [(u.id, u.name) for u in users])


CONNECTION_HINTS = {
    "endpoints": "One URL a line, e.g. https://dip-sit-a.northwold.example/webhooks",
    "host_names": "One a line, e.g. dip-sit-a.northwold.example",
    "addresses": "Addresses or ranges to allow, one a line: IPv4, IPv6 or CIDR, e.g. 203.0.113.0/28",
}


class EnvironmentForm(FlaskForm):
    name = StringField("Name", validators=[Length(max=80), single_line])
    serves = StringField("Serves (phase or stage)", validators=[Length(max=80), single_line])
    environment_id = SelectField("Connects to (central environment)", coerce=int_or_none, validate_choice=False)
    status = SelectField("Status", choices=options((s.value, s.label) for s in EnvironmentStatus))
    endpoints = TextAreaField("Endpoints", validators=[Length(max=4000)])
    host_names = TextAreaField("Host names", validators=[Length(max=4000)])
    addresses = TextAreaField("Addresses to allow", validators=[Length(max=4000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environment_id.choices = _environment_choices("Choose…")


class OutageForm(FlaskForm):
    planned = BooleanField("Planned")
    data_refresh = BooleanField("Data refresh (needs notice; announced to the connected Central Parties)")
    starts = DateTimeLocalField("Starts", format=LOCAL, render_kw={"step": 60},
                                validators=[Optional(), rule(time_range_problem)])
    ends = DateTimeLocalField("Ends", format=LOCAL, render_kw={"step": 60},
                              validators=[Optional(), rule(time_range_problem)])
    reason = TextAreaField("What is happening", validators=[Length(max=2000)])


class ConnectionForm(FlaskForm):
    target = SelectField("System and environment", validate_choice=False)
    endpoints = TextAreaField("Endpoints participants connect to", validators=[Length(max=4000)])
    host_names = TextAreaField("Host names", validators=[Length(max=4000)])
    notes = TextAreaField("Notes (ports, certificates expected, who to ask)", validators=[Length(max=2000)])

    def __init__(self, pairs, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.target.choices = options((f"{s.id}-{e.id}", f"{s.name} in {e.name}") for s, e in pairs)

    def ids(self):
        """(system id, environment id) of the chosen target."""
        system_id, _, environment_id = (self.target.data or "").partition("-")
        try:
            return int_or_none(system_id or None), int_or_none(environment_id or None)
        except ValueError:  # not a pair of ids: nothing of ours, which the service refuses by the field
            return None, None
