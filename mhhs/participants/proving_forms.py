"""The forms of connectivity proving: a step recorded, a sign-off voided."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..core.forms import LOCAL, options, rule, single_line
from ..core.time import time_range_problem
from .models import StepStatus
from .proving import LIMITS


class StepForm(FlaskForm):
    status = SelectField("Status", choices=options((s.value, s.label) for s in StepStatus))
    blocked_by = StringField("What blocks it", validators=[Length(max=LIMITS["blocked_by"]), single_line])
    not_applicable_reason = StringField("Why it does not apply",
                                        validators=[Length(max=LIMITS["not_applicable_reason"]), single_line])
    note = TextAreaField("Evidence note", validators=[Length(max=LIMITS["note"])])
    message_id = StringField("DIP message id", validators=[Length(max=LIMITS["message_id"]), single_line])
    message_at = DateTimeLocalField("Sent and answered at (Europe/London)", format=LOCAL, render_kw={"step": 60},
                                    validators=[Optional(), rule(time_range_problem)])
    evidence = FileField("Evidence file")


class VoidForm(FlaskForm):
    reason = StringField("Reason", validators=[Length(max=LIMITS["blocked_by"]), single_line])
