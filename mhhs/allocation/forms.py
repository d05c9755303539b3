"""Forms of the allocation: a slot (allocated or requested, one-off or a weekday series), a decline, a move, a
tranche and a participant placed in it, and the notice rule."""
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..core.forms import LOCAL, int_or_none, options, rule
from ..core.time import london_to_utc, time_range_problem
from ..directory.models import Environment, Organisation
from ..extensions import db
from ..participants.models import Participant, Route
from .models import Purpose, TestPhase
from .services import SLOT_FIELDS, placeable


def _environments():
    return [(e.id, e.name) for e in db.session.scalars(select(Environment).order_by(Environment.position))]


def participant_choices(only_ids=None):
    """(id, organisation name) of the register's participants, or only these."""
    query = select(Participant).join(Organisation).options(joinedload(Participant.organisation)) \
        .order_by(Organisation.name)
    if only_ids is not None:
        query = query.where(Participant.id.in_(only_ids))
    return [(p.id, p.organisation.name) for p in db.session.scalars(query)]


class SlotForm(FlaskForm):
    environment_id = SelectField("Environment", coerce=int_or_none,
                                 validators=[DataRequired("Choose the environment.")])
    phase_id = SelectField("Stage", coerce=int_or_none, validators=[Optional()])
    participant_ids = SelectMultipleField("Participants", coerce=int,
                                          validators=[DataRequired("Choose at least one participant.")])
    start = DateTimeLocalField("Start (UK time)", format=LOCAL, render_kw={"step": 60},
                               validators=[DataRequired("Enter when the slot starts, e.g. 2026-11-24 09:30."),
                                           rule(time_range_problem)])
    end = DateTimeLocalField("End (UK time)", format=LOCAL, render_kw={"step": 60},
                             validators=[DataRequired("Enter when the slot ends, e.g. 2026-11-24 12:30."),
                                         rule(time_range_problem)])
    purpose = SelectField("Purpose", choices=options((p.value, p.label) for p in Purpose))
    repeat_until = DateField("Repeat on weekdays until (optional)", validators=[Optional()])
    note = TextAreaField("Note", validators=[Length(max=500)])

    def __init__(self, *args, participant_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.environment_id.choices = options([("", "Choose…")] + _environments())
        self.phase_id.choices = options([("", "No stage")] + [
            (p.id, f"{p.name} ({p.environment.name})") for p in db.session.scalars(
                select(TestPhase).options(joinedload(TestPhase.environment)).order_by(TestPhase.first_day))])
        self.participant_ids.choices = options(participant_choices(participant_ids))

    def values(self):
        """The slot as the service takes it (services.SLOT_FIELDS), times in UTC."""
        values = {name: self[name].data for name in SLOT_FIELDS}
        values.update(start=london_to_utc(self.start.data), end=london_to_utc(self.end.data),
                      purpose=Purpose(self.purpose.data), note=(self.note.data or "").strip())
        return values


class MoveForm(FlaskForm):
    start = DateTimeLocalField("New start (UK time)", format=LOCAL, render_kw={"step": 60},
                               validators=[DataRequired("Enter the new start."), rule(time_range_problem)])
    end = DateTimeLocalField("New end (UK time)", format=LOCAL, render_kw={"step": 60},
                             validators=[DataRequired("Enter the new end."), rule(time_range_problem)])


class DeclineForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired("Say why the request is declined."), Length(max=500)])


class TrancheEditForm(FlaskForm):
    """What may change of a tranche: its name, days and who allocated it."""
    name = StringField("Name", validators=[DataRequired("Name the tranche, e.g. Tranche 1."), Length(max=80)])
    first_day = DateField("First day", validators=[DataRequired("Enter the first day.")])
    last_day = DateField("Last day", validators=[DataRequired("Enter the last day.")])
    allocated_by = StringField("Allocated by (the Code Bodies' decision)",
                               validators=[DataRequired("Say who allocated it, e.g. the Code Bodies' panel."),
                                           Length(max=200)])


class TrancheForm(TrancheEditForm):
    route = SelectField("Kind", choices=options((r.value, r.label) for r in (Route.QUALIFICATION, Route.SANDBOX)))
    environment_id = SelectField("Environment", coerce=int_or_none,
                                 validators=[DataRequired("Choose the environment.")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environment_id.choices = options([("", "Choose…")] + _environments())


class PlaceForm(FlaskForm):
    # The list offers only who may be placed; anyone else posted is refused by the service, saying why.
    participant_id = SelectField("Participant", coerce=int_or_none, validate_choice=False,
                                 validators=[DataRequired("Choose a participant.")])

    def __init__(self, tranche, *args, **kwargs):
        super().__init__(*args, prefix=f"t{tranche.id}", **kwargs)
        self.participant_id.choices = options([("", "Choose…")] + placeable(tranche))


class OverlapForm(FlaskForm):
    reason = TextAreaField("Why these stages may overlap",
                           validators=[DataRequired("Say why these stages may overlap."), Length(max=500)])


class NoticeForm(FlaskForm):
    notice_days = IntegerField("Notice a slot needs (business days)",
                               validators=[InputRequired("Enter a number of business days, e.g. 2.")])
