"""A person's notification settings."""
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectMultipleField
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
