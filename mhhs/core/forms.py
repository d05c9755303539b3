"""Small helpers shared by every domain's forms."""
import re
import secrets

from flask import g
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from .passwords import password_problem

# Where HTML kept per process (core.changes.cached) holds a form's CSRF token: no user's token is kept, each request
# puts its own in (with_token). A random word, which nothing a user types can hold.
TOKEN_SLOT = f"csrf-{secrets.token_hex(16)}"


def without_token(html):
    """HTML rendered with this request's CSRF token, to be kept: the token replaced by its slot."""
    return html.replace(generate_csrf(), TOKEN_SLOT)


def with_token(html):
    """Kept HTML with this request's CSRF token put in its slots (the token asked of flask-wtf once a request: a
    page puts it in each of its kept rows)."""
    if "_token_for_slots" not in g:
        g._token_for_slots = generate_csrf()
    return Markup(str(html).replace(TOKEN_SLOT, g._token_for_slots))


LINE_BREAK = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\u2028\u2029]")


def single_line(form, field):
    """A subject or a name goes into e-mail headers and one-line places: no line break or control character."""
    if isinstance(field.data, str) and LINE_BREAK.search(field.data):
        raise ValidationError("Keep this to one line: no line breaks or control characters.")


def password_policy(form, field):
    """A password someone chooses meets the policy (core/passwords.py)."""
    problem = password_problem(field.data)
    if problem:
        raise ValidationError(problem)


def options(pairs):
    """(value, label) pairs as the choices of a SelectField."""
    return [SelectChoice(value, label) for value, label in pairs]


# What a datetime-local field accepts: London wall-clock times to the minute, as browsers send and people type them.
LOCAL = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
DATETIME_MESSAGE = "Enter a date and time like 2026-11-24 09:30."


# Every id column is a 32-bit integer (PostgreSQL's INTEGER): nothing beyond it can name a row.
MAX_ID = 2**31 - 1


def database_id(value):
    """An id from a form or query string (`coerce=database_id`, `args.get(..., type=database_id)`): anything that
    cannot be a row id of ours (not a number, negative, beyond 32 bits) is refused as a choice or taken as absent."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(value)
    return number


def int_or_none(value):
    """Coerces a select's value to an id, with the empty choice as None."""
    return database_id(value) if value not in (None, "", "None") else None


def show_problems(form, refused, default_field=None):
    """Puts a refusal's messages next to the fields they concern (the whole form's go to default_field)."""
    for name, message in refused.problems.items():
        field = form[name or default_field]
        field.errors = list(field.errors) + [message]


def form_values(form, names):
    """The named fields' data as plain values for a service (text trimmed)."""
    values = {name: (form[name].data.strip() if isinstance(form[name].data,
                                                           str) else form[name].data) for name in names}
    # A text field left out of the request is empty text (the columns are NOT NULL), never a missing value.
    return {name: "" if value is None and isinstance(form[name], StringField) else value
            for name, value in values.items()}


def search_text(value, limit=200):
    """A search box's text, trimmed and cut to a length any database's LIKE handles; None when empty."""
    return (value or "").strip()[:limit] or None


def rule(check):
    """A validator from a domain's rule function (value -> message or None), so a form and the API ask the same
    function and say the same words."""
    def validator(form, field):
        message = check(field.data)
        if message:
            raise ValidationError(message)
    return validator
