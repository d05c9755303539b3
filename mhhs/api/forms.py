"""The form that makes an API token."""
from datetime import timedelta

from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import options, single_line
from ..core.passwords import MAX_LENGTH
from ..core.time import to_london, utcnow
from .permissions import SCOPES


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[Length(max=80), single_line])
    scopes = SelectMultipleField("Scopes", choices=options((s, f"{s} — {text}") for s, text in SCOPES.items()),
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    # Asked again: a session left open is not enough to make a credential that outlives it.
    password = PasswordField("Your password", validators=[Length(max=MAX_LENGTH)])
    expires_on = DateField("Expires at the end of", validators=[Optional()],
                           default=lambda: to_london(utcnow()).date() + timedelta(days=90))
