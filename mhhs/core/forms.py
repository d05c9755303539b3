"""Small helpers shared by every domain's forms."""
from wtforms.fields.choices import SelectChoice


def options(pairs):
    """(value, label) pairs as the choices of a SelectField."""
    return [SelectChoice(value, label) for value, label in pairs]


def int_or_none(value):
    """Coerces a select's value to an id, with the empty choice as None."""
    return int(value) if value not in (None, "", "None") else None
