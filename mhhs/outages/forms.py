"""The outage form: the category choices follow "Planned", and every rule has its message by its field."""
from functools import cached_property

from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Form,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import LOCAL, database_id, int_or_none, options, rule
from ..core.time import london_to_utc, time_range_problem
from ..directory import choices
from ..directory.models import Environment, System
from ..extensions import db
from ..rfcs.numbers import parse_rfc_number
from .models import PLANNED_CATEGORIES, UNPLANNED_CATEGORIES, Category, UpdateStatus
from .rules import DESCRIPTION_MISSING, LIMITS, category_problem, end_problem, rfc_number_problem, systems_problem
from .services import FIELDS


def _check(problem):
    if problem:
        raise ValidationError(problem)


def category_choices(planned):
    return options((c.value, c.value.capitalize()) for c in (PLANNED_CATEGORIES if planned else UNPLANNED_CATEGORIES))


class CategoryForm(Form):
    """The Category field alone, as the outage form shows it for a Planned or unplanned outage: what htmx swaps in
    when Planned changes (no environments or systems read for it)."""
    planned = BooleanField("Planned")
    category = SelectField("Category")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices(self.planned.data)


class OutageForm(FlaskForm):
    row_version = HiddenField()
    # No environment is chosen for the user: one picked silently would log the outage in the wrong place.
    environment_id = SelectField("Environment", coerce=int_or_none,
                                 validators=[DataRequired("Choose the environment that is down.")])
    system_ids = SelectMultipleField("Systems", coerce=database_id, widget=ListWidget(prefix_label=False),
                                     option_widget=CheckboxInput())
    planned = BooleanField("Planned")
    category = SelectField("Category")
    start = DateTimeLocalField("Start", format=LOCAL, render_kw={"step": 60},
                               validators=[DataRequired("Enter when the outage starts, e.g. 2026-11-24 09:30."),
                                           rule(time_range_problem)])
    end = DateTimeLocalField("End", format=LOCAL, render_kw={"step": 60},
                             validators=[Optional(), rule(time_range_problem)])
    description = TextAreaField("Description", validators=[DataRequired(DESCRIPTION_MISSING),
                                                           Length(max=LIMITS["description"])])
    impact = TextAreaField("Impact", validators=[Length(max=LIMITS["impact"])])
    defect_reference = StringField("Defect reference", validators=[Length(max=LIMITS["defect_reference"])])
    blocking = BooleanField("Blocks testing")
    root_cause = TextAreaField("Root cause", validators=[Length(max=LIMITS["root_cause"])])
    rfc_number = StringField("Linked RFC", validators=[Length(max=LIMITS["rfc_number"])])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environment_id.choices = options([("", "Choose the environment"), *choices.environments()])
        self.system_ids.choices = options((i, f"{name} ({organisation})")
                                          for i, name, organisation in choices.systems())
        self.category.choices = category_choices(self.planned.data)

    @cached_property
    def environment(self):
        """The chosen environment with its systems, read when the form is checked (a GET shows only the names)."""
        if self.environment_id.data not in {i for i, _ in choices.environments()}:
            return None
        return db.session.get(Environment, self.environment_id.data, options=[selectinload(Environment.systems)])

    @cached_property
    def chosen_systems(self):
        wanted = self.system_ids.data or []
        found = {s.id: s for s in db.session.scalars(select(System).where(System.id.in_(wanted)))} if wanted else {}
        return [found[i] for i in wanted if i in found]

    def validate_system_ids(self, field):
        _check(systems_problem(self.chosen_systems, self.environment))

    def validate_category(self, field):
        _check(category_problem(self.planned.data, field.data))

    def validate_end(self, field):
        _check(end_problem(self.start.data, field.data))

    def validate_rfc_number(self, field):
        _check(rfc_number_problem(field.data))

    @property
    def rfc_id(self):
        return parse_rfc_number(self.rfc_number.data)

    def values(self):
        """The outage's fields as the service takes them (services.FIELDS, times in UTC)."""
        values = {name: self[name].data for name in FIELDS if name in self}
        for name in values:  # a text field left out of the request is empty text, never a missing value
            if values[name] is None and isinstance(self[name], StringField):
                values[name] = ""
        values.update(category=Category(self.category.data), start=london_to_utc(self.start.data),
                      end=london_to_utc(self.end.data), rfc_id=self.rfc_id,
                      defect_reference=(self.defect_reference.data or "").strip(),
                      blocking=bool(self.blocking.data) and not self.planned.data)
        return values


class UpdateForm(FlaskForm):
    status = SelectField("Status", choices=options((s.value, s.value.capitalize()) for s in UpdateStatus))
    note = TextAreaField("Update", validators=[DataRequired("Say what is known now, e.g. the cause or the next step."),
                                               Length(max=5000)])
