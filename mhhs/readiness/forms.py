"""The forms of entry criteria, meeting and waiving them, the standing data declaration and the health check's
deadline. Every rule is the services'; the forms turn the fields into plain values."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import BooleanField, DateField, SelectField, TextAreaField, TimeField
from wtforms.validators import Length, Optional

from ..core.forms import int_or_none, options
from ..directory.models import Environment, MarketRole
from ..extensions import db
from ..participants.models import ParticipantKind, Route
from .criteria import LIMITS
from .models import Derived


class CriterionForm(FlaskForm):
    phase = SelectField("Phase", choices=options((r.value, r.label) for r in Route))
    text = TextAreaField("Criterion", validators=[Length(max=LIMITS["text"])])
    kind = SelectField("Applies to kind",
                       choices=options([("", "Every kind")] + [(k.value, k.label) for k in ParticipantKind]))
    market_role_id = SelectField("Applies to market role", coerce=int_or_none)
    evidence_required = BooleanField("Evidence required")
    derived = SelectField("Follows from the data",
                          choices=options([("", "No: met by the participant")] + [(d.value, d.label) for d in Derived]))
    environment_id = SelectField("Central environment", coerce=int_or_none)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.market_role_id.choices = options([("", "Any market role")] + [
            (r.id, f"{r.code} – {r.name}") for r in db.session.scalars(
                select(MarketRole).where(MarketRole.central.is_(False)).order_by(MarketRole.code))])
        self.environment_id.choices = options([("", "None")] + [
            (e.id, e.name) for e in db.session.scalars(select(Environment).order_by(Environment.position))])


class MeetForm(FlaskForm):
    note = TextAreaField("Evidence", validators=[Length(max=LIMITS["note"])])
    file = FileField("Evidence file")


class WaiveForm(FlaskForm):
    reason = TextAreaField("Reason for the waiver", validators=[Length(max=LIMITS["note"])])
    until = DateField("Waived until", validators=[Optional()])


class StandingDataForm(FlaskForm):
    loaded_on = DateField("Industry Standing Data loaded on", validators=[Optional()])


class DeadlineForm(FlaskForm):
    due = TimeField("Due by (Europe/London)", validators=[Optional()])
