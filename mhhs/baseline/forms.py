"""Recording the version a system runs in an environment."""
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..core.forms import LOCAL, int_or_none, options
from ..directory.models import Environment, System
from ..extensions import db


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
