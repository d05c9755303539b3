"""The forms of proving tests, decisions and the EWG: what they check themselves is the shape of a value (a day);
the rules and their words live in the services."""
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from ..core.forms import int_or_none, options
from ..notifications.mail_groups import all_groups
from . import decisions
from .models import Outcome, ProvingResult
from .owned import owner_choices

DAY = "Enter a day like 2026-12-01."


class DayField(DateField):
    """A day, refused in the programme's words when it cannot be read."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(DAY) from None


class ProvingForm(FlaskForm):
    result = RadioField("Result", choices=options((r.value, r.label) for r in ProvingResult), validate_choice=False)
    evidence = TextAreaField("Evidence")
    tested_on = DayField("Run on", validators=[Optional()])


def _owner_field(label="Owner"):
    return SelectField(label, choices=[], validate_choice=False)


class DecisionForm(FlaskForm):
    stage_id = HiddenField()
    outcome = RadioField("Decision", choices=options((o.value, o.label) for o in Outcome), validate_choice=False)
    rationale = TextAreaField("Rationale")
    mail_group_id = SelectField("Send to the list", coerce=int_or_none, validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = options([("", "Choose…")] + owner_choices())
        for number in range(1, decisions.CONDITION_ROWS + 1):
            self[f"{decisions.condition_prefix(number)}owner"].choices = choices
        self.mail_group_id.choices = options([("", "Choose…")] + [(g.id, g.name) for g in all_groups()])

    def conditions(self):
        """[(row number, {text, owner, due_on})] of every row, blank ones included."""
        rows = []
        for number in range(1, decisions.CONDITION_ROWS + 1):
            prefix = decisions.condition_prefix(number)
            rows.append((number, {name: (self[prefix + name].data.strip() if isinstance(self[prefix + name].data, str)
                                         else self[prefix + name].data) for name in decisions.CONDITION_FIELDS}))
        return rows

    def condition_rows(self):
        return [[self[decisions.condition_prefix(n) + name] for name in decisions.CONDITION_FIELDS]
                for n in range(1, decisions.CONDITION_ROWS + 1)]


for _number in range(1, decisions.CONDITION_ROWS + 1):
    _prefix = decisions.condition_prefix(_number)
    setattr(DecisionForm, _prefix + "text", StringField(f"Condition {_number}"))
    setattr(DecisionForm, _prefix + "owner", _owner_field(f"Owner of condition {_number}"))
    setattr(DecisionForm, _prefix + "due_on", DayField(f"Condition {_number} due on", validators=[Optional()]))


class MeetingForm(FlaskForm):
    held_on = DayField("Day of the meeting", validators=[Optional()])
    moved_reason = StringField("Why it moved (when not on the first Tuesday)")
    chair_id = SelectField("Chair", coerce=int_or_none, validate_choice=False)
    extra_items = TextAreaField("The chair's own items (one a line)")

    def __init__(self, managers, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.chair_id.choices = options([("", "Not chosen yet")] + [(u.id, u.name) for u in managers])


class MinutesForm(FlaskForm):
    minutes = TextAreaField("Minutes")


class ActionForm(FlaskForm):
    text = StringField("Action")
    owner = _owner_field()
    due_on = DayField("Due on", validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner.choices = options([("", "Choose…")] + owner_choices())


class DoneForm(FlaskForm):
    done_note = StringField("Note (optional)")
