"""A person's notification settings; a distribution list."""
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import database_id, options
from ..directory.models import Environment, System
from ..extensions import db


class NotificationsForm(FlaskForm):
    """The kinds of e-mail a user receives and the systems and environments they follow."""
    kinds = SelectMultipleField("E-mail me when", widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    system_ids = SelectMultipleField("Systems I follow", coerce=database_id, widget=ListWidget(prefix_label=False),
                                     option_widget=CheckboxInput())
    environment_ids = SelectMultipleField("Environments I follow", coerce=database_id,
                                          widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    weekly_report = BooleanField("E-mail me the weekly testing and readiness report")

    def __init__(self, kinds, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds.choices = options(kinds.items())
        self.system_ids.choices = options((s.id, s.name) for s in db.session.scalars(select(System)
                                                                                     .order_by(System.name)))
        self.environment_ids.choices = options((e.id, e.name) for e in db.session.scalars(
            select(Environment).order_by(Environment.position)))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for f, what in ((self.kinds, "kind of e-mail"), (self.system_ids, "system"),
                        (self.environment_ids, "environment")):
            if f.errors:
                f.errors = [f"Choose from the list: that {what} is unknown."]
        return valid


class MailGroupForm(FlaskForm):
    """A distribution list: its name, what it is for, and its members by e-mail address."""
    name = StringField("Name", validators=[DataRequired("Name the list."), Length(max=80)])
    purpose = TextAreaField("What it is for", validators=[Optional(), Length(max=500)])
    members = TextAreaField("Members", description="E-mail addresses of Release Desk users, one a line (or separated "
                                                   "by commas).", validators=[Length(max=20_000)])
    weekly_report = BooleanField("Its members receive the weekly testing and readiness report")
