"""The release or closure communication: to which organisations and distribution lists, with what subject and
words."""
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import database_id, options, single_line
from ..directory.models import Organisation
from ..extensions import db
from ..notifications.mail_groups import all_groups


class CommunicationForm(FlaskForm):
    organisation_ids = SelectMultipleField("Organisations", coerce=database_id, widget=ListWidget(prefix_label=False),
                                           option_widget=CheckboxInput())
    list_ids = SelectMultipleField("Distribution lists", coerce=database_id, widget=ListWidget(prefix_label=False),
                                   option_widget=CheckboxInput())
    subject = StringField("Subject", validators=[DataRequired("Enter a subject."), Length(max=300), single_line])
    body = TextAreaField("Message", validators=[DataRequired("Write the message."), Length(max=20_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = db.session.scalars(select(Organisation).where(Organisation.kind != "programme")
                                                .order_by(Organisation.kind, Organisation.name)).all()
        self.organisation_ids.choices = options((o.id, o.name) for o in self.organisations)
        self.lists = all_groups()
        self.list_ids.choices = options((g.id, g.name) for g in self.lists)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not self.organisation_ids.errors and not (self.organisation_ids.data or self.list_ids.data):
            self.organisation_ids.errors = ["Choose at least one organisation or distribution list."]
            return False
        return valid
