"""Forms of the schedule: the calendar's view and filters (a query string), freezes and test phases."""
import re
from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Form, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, ValidationError

from ..core.forms import int_or_none, options
from ..directory import choices

MONTH = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")
YEARS = range(2000, 2101)  # the calendar's reach: far enough either way, and never past what dates can hold


def _environment_choices(every):
    return options([("", every), *choices.environments()])


class LastDayMixin:
    def validate_first_day(self, field):
        if field.data and field.data.year not in YEARS:
            raise ValidationError(f"Enter a day between {YEARS.start} and {YEARS.stop - 1}.")

    def validate_last_day(self, field):
        self.validate_first_day(field)
        if field.data and self.first_day.data and field.data < self.first_day.data:
            raise ValidationError("The last day must be on or after the first day.")


class CalendarForm(Form):
    """Read from the query string; a bad value gets its message and the calendar shows what is valid."""
    view = SelectField("View", choices=options([("month", "Month"), ("week", "Week")]), default="month")
    date = StringField("Month or day", description="YYYY-MM or YYYY-MM-DD")
    environment = SelectField("Environment", coerce=int_or_none)
    system = SelectField("System", coerce=int_or_none)
    organisation = SelectField("Organisation", coerce=int_or_none)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environment.choices = _environment_choices("All environments")
        self.system.choices = options([("", "All systems")] + [(i, name) for i, name, _ in choices.systems()])
        self.organisation.choices = options([("", "All organisations"), *choices.organisations()])

    def validate_date(self, field):
        if field.data and self.day() is None:
            raise ValidationError(f"Enter a month as YYYY-MM (e.g. 2026-12) or a day as YYYY-MM-DD, between "
                                  f"{YEARS.start} and {YEARS.stop - 1}.")

    def day(self):
        """The day the view is about, or None when the text is no real date (or far outside the programme)."""
        match = MONTH.fullmatch((self.date.data or "").strip())
        if not match or int(match[1]) not in YEARS:
            return None
        try:
            return date(int(match[1]), int(match[2]), int(match[3] or 1))
        except ValueError:
            return None


class FreezeForm(LastDayMixin, FlaskForm):
    environment_id = SelectField("Environment", coerce=int_or_none)
    first_day = DateField("First day", validators=[DataRequired("Enter the first day of the freeze.")])
    last_day = DateField("Last day", validators=[DataRequired("Enter the last day of the freeze.")])
    reason = TextAreaField("Reason", validators=[DataRequired("Say why, e.g. the test stage it protects."),
                                                 Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environment_id.choices = _environment_choices("Every environment")


class TestPhaseForm(LastDayMixin, FlaskForm):
    __test__ = False  # not a pytest class, whatever its name
    name = StringField("Test phase", validators=[DataRequired("Name the test phase, e.g. SIT Functional."),
                                                 Length(max=120)])
    environment_id = SelectField("Environment", coerce=int_or_none,
                                 validators=[DataRequired("Choose the environment it runs in.")])
    first_day = DateField("First day", validators=[DataRequired("Enter the first day.")])
    last_day = DateField("Last day", validators=[DataRequired("Enter the last day.")])
    # EAP §12.2: "Different tests phases will not be run on the same environment" — a stage runs alone unless unticked.
    exclusive = BooleanField("Runs alone on its environment (no other stage in parallel)", default=True)
    may_overlap = BooleanField("May overlap the stages it meets there")
    overlap_reason = StringField("Why they may overlap", validators=[Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environment_id.choices = _environment_choices("Choose…")


class ReleaseSlotForm(FlaskForm):
    """The weekly release slot (RCM Table 3): a weekday and Europe/London times."""
    weekday = SelectField("Day", coerce=int, choices=options(enumerate(["Monday", "Tuesday", "Wednesday", "Thursday",
                                                                        "Friday", "Saturday", "Sunday"])))
    start = TimeField("From", validators=[DataRequired("Enter the time the slot opens, e.g. 13:00.")])
    end = TimeField("To", validators=[DataRequired("Enter the time the slot closes, e.g. 17:00.")])
