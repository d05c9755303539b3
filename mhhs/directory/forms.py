"""Forms for the directory: users and the reference data Release Managers keep."""

from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import database_id, options, password_policy, single_line
from ..core.permissions import Role
from ..extensions import db
from .models import (
    DAY_NAMES,
    MPID,
    Environment,
    MajorRelease,
    MarketRole,
    Organisation,
    OrgKind,
    Phase,
    SupportKind,
    System,
    User,
)

ROLE_ORG_KIND = {
    Role.RELEASE_MANAGER: OrgKind.PROGRAMME,
    Role.CENTRAL_PARTY: OrgKind.CENTRAL_PARTY,
    Role.TEST_PARTICIPANT: OrgKind.TEST_PARTICIPANT,
}


class UniqueMixin:
    """Refuses a value another row of the model already has (case-insensitive)."""

    def _check_unique(self, field, model, column, message):
        value = (field.data or "").strip()
        query = select(model.id).where(func.lower(column) == value.lower())
        if self.obj_id is not None:
            query = query.where(model.id != self.obj_id)
        if db.session.scalar(query) is not None:
            raise ValidationError(message)

    def __init__(self, *args, obj_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.obj_id = obj_id


def _organisation_choices():
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return options((o.id, f"{o.name} ({o.kind_label})") for o in orgs)


class UserForm(UniqueMixin, FlaskForm):
    # test_environment admits the reserved .test domain, which the demo and test accounts use.
    email = EmailField("Email", validators=[DataRequired("Enter an e-mail address."),
                                            Email("Enter a valid e-mail address.", test_environment=True),
                                            Length(max=254)])
    name = StringField("Name", validators=[DataRequired("Enter the person's name."), Length(max=120), single_line])
    role = SelectField("Role", choices=options((r.value, r.label) for r in Role), validators=[DataRequired()])
    organisation_id = SelectField("Organisation", coerce=database_id,
                                  validators=[DataRequired("Choose an organisation.")])
    scope_sit = BooleanField("SIT approvals")
    scope_uit = BooleanField("UIT approvals")
    active = BooleanField("Active", default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = _organisation_choices()

    def validate_email(self, field):
        field.data = (field.data or "").strip().lower()
        self._check_unique(field, User, User.email, "Another user already has this e-mail address.")

    def validate_organisation_id(self, field):
        organisation = db.session.get(Organisation, field.data)
        if organisation is None:
            raise ValidationError("Choose an organisation from the list.")
        role = Role(self.role.data) if self.role.data in {r.value for r in Role} else None
        if role and organisation.kind != ROLE_ORG_KIND[role]:
            wanted = dict(OrgKind.CHOICES)[ROLE_ORG_KIND[role]]
            raise ValidationError(f"A {role.label} belongs to a {wanted} organisation.")

    def validate_scope_sit(self, field):
        if self.role.data == Role.RELEASE_MANAGER.value and not (self.scope_sit.data or self.scope_uit.data):
            raise ValidationError("A Release Manager approves for SIT, UIT or both: tick at least one.")


class NewUserForm(UserForm):
    # The user chooses their own at their first login (must_change_password).
    password = PasswordField("Password", validators=[DataRequired("Set a first password."), password_policy])


class OrganisationForm(UniqueMixin, FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter the organisation's name."), Length(max=120),
                                           single_line])
    kind = SelectField("Kind", choices=options(OrgKind.CHOICES))
    fix_forward = BooleanField("Fixes forward (supplies no rollback plan)")
    mpids = StringField("MPIDs (space-separated)", validators=[Optional(), Length(max=200)])
    # RCM §14: the environments it tests in; its users retest the defects found there.
    tests_in_ids = SelectMultipleField("Tests in (its users retest defects found there)", coerce=database_id,
                                       widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        envs = db.session.scalars(select(Environment).order_by(Environment.position))
        self.tests_in_ids.choices = options((e.id, e.name) for e in envs)
        organisation = kwargs.get("obj")
        if organisation is not None and not self.is_submitted():
            self.tests_in_ids.data = [e.id for e in organisation.tests_in]

    def validate_name(self, field):
        self._check_unique(field, Organisation, Organisation.name, "An organisation with this name exists already.")

    def validate_mpids(self, field):
        field.data = " ".join(sorted(set((field.data or "").upper().replace(",", " ").split())))
        bad = [m for m in field.data.split() if not MPID.fullmatch(m)]
        if bad:
            raise ValidationError(f"An MPID is four letters or digits: {', '.join(bad)}.")


class NeededForHours(Optional):
    """Optional unless the kind (support or operable hours) is set days and hours; then a blank time is refused with
    message (Optional() alone would stop the chain, so the form's own check would never run)."""

    def __init__(self, message, kind="support_kind"):
        super().__init__()
        self.needed, self.kind = message, kind

    def __call__(self, form, field):
        blank = not field.raw_data or not str(field.raw_data[0]).strip()
        if blank and form[self.kind].data == SupportKind.HOURS:
            field.errors[:] = []
            raise StopValidation(self.needed)
        super().__call__(form, field)


class SystemForm(UniqueMixin, FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter the system's name."), Length(max=80), single_line])
    organisation_id = SelectField("Organisation", coerce=database_id)
    # EAP §12.7: when the system runs (operable) is not when its desk is open (support).
    operable_kind = SelectField("Operable hours", choices=options(SupportKind.CHOICES), default=SupportKind.TBC)
    operable_days = SelectMultipleField("Operable days", choices=options(enumerate(DAY_NAMES)), coerce=int,
                                        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    operable_start = TimeField("Operable from (Europe/London)", validators=[
        NeededForHours("Enter when the system starts running, e.g. 09:00.", "operable_kind")])
    operable_end = TimeField("Operable until", validators=[
        NeededForHours("Enter when the system stops running, e.g. 17:00.", "operable_kind")])
    support_kind = SelectField("Support hours", choices=options(SupportKind.CHOICES), default=SupportKind.TBC)
    support_days = SelectMultipleField("Support days (closed on bank holidays)", choices=options(enumerate(DAY_NAMES)),
                                       coerce=int, widget=ListWidget(prefix_label=False),
                                       option_widget=CheckboxInput())
    support_start = TimeField("Support from (Europe/London)",
                              validators=[NeededForHours("Enter when support starts, e.g. 09:00.")])
    support_end = TimeField("Support until", validators=[NeededForHours("Enter when support ends, e.g. 17:00.")])
    gate_closure = TimeField("Gate closure: windows end by (optional)", validators=[Optional()])
    end_of_day_batch = TimeField("End-of-day batch at (optional)", validators=[Optional()])
    support_hours = TextAreaField("Support notes", validators=[Optional(), Length(max=2000)])
    monitoring = TextAreaField("Monitoring: what monitors it, who is alerted",
                               validators=[Optional(), Length(max=2000)])
    backup_regime = TextAreaField("Back-up regime", validators=[Optional(), Length(max=2000)])
    environment_ids = SelectMultipleField("Environments", coerce=database_id)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        central = select(Organisation).where(Organisation.kind == OrgKind.CENTRAL_PARTY).order_by(Organisation.name)
        self.organisation_id.choices = options((o.id, o.name) for o in db.session.scalars(central))
        envs = db.session.scalars(select(Environment).order_by(Environment.position))
        self.environment_ids.choices = options((e.id, e.name) for e in envs)
        system = kwargs.get("obj")
        if system is not None and not self.is_submitted():
            self.environment_ids.data = [e.id for e in system.environments]
            self.support_days.data = [int(d) for d in system.support_days]
            self.operable_days.data = [int(d) for d in system.operable_days]

    def validate_name(self, field):
        self._check_unique(field, System, System.name, "A system with this name exists already.")

    def validate_support_days(self, field):
        if self.support_kind.data == SupportKind.HOURS and not field.data:
            raise ValidationError("Tick the days the support desk is open.")

    def validate_support_start(self, field):
        if self.support_kind.data == SupportKind.HOURS and field.data is None:
            raise ValidationError("Enter when support starts, e.g. 09:00.")

    def validate_support_end(self, field):
        if self.support_kind.data != SupportKind.HOURS:
            return
        if field.data is None:
            raise ValidationError("Enter when support ends, e.g. 17:00.")
        if self.support_start.data and field.data <= self.support_start.data:
            raise ValidationError("Support must end after it starts.")

    def validate_operable_days(self, field):
        if self.operable_kind.data == SupportKind.HOURS and not field.data:
            raise ValidationError("Tick the days the system runs.")

    def validate_operable_end(self, field):
        if self.operable_kind.data == SupportKind.HOURS and field.data and self.operable_start.data \
                and field.data <= self.operable_start.data:
            raise ValidationError("The system must stop running after it starts.")

    def validate_gate_closure(self, field):
        if field.data and self.support_kind.data == SupportKind.HOURS and self.support_start.data \
                and field.data <= self.support_start.data:
            raise ValidationError("The gate closure must come after support starts.")


class EnvironmentForm(UniqueMixin, FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter the environment's name."), Length(max=40), single_line])
    phase = SelectField("Phase", choices=options((p.value, p.value) for p in Phase))
    purpose = TextAreaField("Purpose", validators=[Optional(), Length(max=2000)])
    available_from = DateField("Available from", validators=[Optional()])
    available_to = DateField("Available to", validators=[Optional()])
    availability_target = DecimalField("Availability target (%)", places=2, validators=[
        Optional(), NumberRange(0, 100, "Enter a percentage from 0 to 100, e.g. 98.5.")])

    def validate_name(self, field):
        self._check_unique(field, Environment, Environment.name, "An environment with this name exists already.")

    def validate_available_to(self, field):
        if field.data and self.available_from.data and field.data < self.available_from.data:
            raise ValidationError("The last day must be on or after the first day.")


class MarketRoleForm(UniqueMixin, FlaskForm):
    code = StringField("Code", validators=[DataRequired("Enter a short code."), Length(max=40)])
    name = StringField("Name", validators=[DataRequired("Enter the role's name."), Length(max=120), single_line])
    central = BooleanField("Central role")

    def validate_code(self, field):
        self._check_unique(field, MarketRole, MarketRole.code, "A market role with this code exists already.")


class MajorReleaseForm(UniqueMixin, FlaskForm):
    name = StringField("Release", validators=[DataRequired("Enter the release name, e.g. IR9."), Length(max=40)])
    planned_date = DateField("Planned date", validators=[Optional()])
    date_confirmed = BooleanField("Date confirmed")
    purpose = TextAreaField("Purpose", validators=[Optional(), Length(max=2000)])

    def validate_name(self, field):
        self._check_unique(field, MajorRelease, MajorRelease.name, "This release is on the roadmap already.")
