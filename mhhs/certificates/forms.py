"""The certificate upload form and the PKI officer form."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import EmailField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from ..core.forms import database_id, int_or_none, options, single_line
from ..directory.models import Environment, MarketRole
from ..extensions import db
from .models import Kind, OfficerRole, Scheme
from .rules import LIMITS, mpid_problem, normal_mpid


def _environment_choices():
    return options((e.id, e.name) for e in db.session.scalars(select(Environment).order_by(Environment.position)))


def _market_role_choices():
    roles = db.session.scalars(select(MarketRole).order_by(MarketRole.central, MarketRole.code))
    return options([("", "—")] + [(r.id, f"{r.code} — {r.name}") for r in roles])


class MpidMixin:
    """An MPID is four letters or digits and must not belong to another organisation."""

    def check_mpid(self, field, organisation, required):
        field.data = normal_mpid(field.data)
        problem = mpid_problem(field.data, organisation, required)
        if problem:
            raise ValidationError(problem)


class CertificateForm(MpidMixin, FlaskForm):
    certificate_file = FileField("Certificate file")
    # After the first step, the certificate itself travels in the form (base64 DER: public data, no secret).
    certificate_data = HiddenField()
    renews = HiddenField()
    environment_id = SelectField("Environment", coerce=database_id)
    kind = SelectField("Kind", choices=options((k.value, k.value) for k in Kind))
    mpid = StringField("MPID", validators=[Length(max=LIMITS["mpid"])])
    market_role_id = SelectField("Market role", coerce=int_or_none, validators=[Optional()])
    technical_contact = StringField("Technical contact", validators=[Length(max=LIMITS["technical_contact"])])

    def __init__(self, organisation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.environment_id.choices = _environment_choices()
        self.market_role_id.choices = _market_role_choices()

    def validate_mpid(self, field):
        self.check_mpid(field, self.organisation, required=True)


class OfficerForm(MpidMixin, FlaskForm):
    scheme = SelectField("Registration scheme", choices=options((s.value, s.value) for s in Scheme),
                         default=Scheme.DIP.value)
    role = SelectField("PKI role", choices=options((r.value, r.value) for r in OfficerRole))
    name = StringField("Name", validators=[DataRequired("Enter the officer's name."), Length(max=120), single_line])
    email = EmailField("Email", validators=[DataRequired("Enter the officer's e-mail address."),
                                            Email("Enter a valid e-mail address.", test_environment=True),
                                            Length(max=254)])
    mpid = StringField("MPID", validators=[Length(max=10)])
    # No Optional() here: it would stop the checks that a Technical Contact needs both.
    market_role_id = SelectField("Market role", coerce=int_or_none)
    environment_id = SelectField("Environment", coerce=int_or_none)

    def __init__(self, organisation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.market_role_id.choices = _market_role_choices()
        self.environment_id.choices = options([("", "—")]) + _environment_choices()

    @property
    def is_technical_contact(self):
        return self.role.data == OfficerRole.TECHNICAL_CONTACT.value

    def validate_mpid(self, field):
        self.check_mpid(field, self.organisation, required=self.is_technical_contact)

    def validate_market_role_id(self, field):
        if self.is_technical_contact and not field.data:
            raise ValidationError("A Technical Contact is appointed per market role: choose one.")

    def validate_environment_id(self, field):
        if self.is_technical_contact and not field.data:
            raise ValidationError("A Technical Contact is appointed per environment: choose one.")
