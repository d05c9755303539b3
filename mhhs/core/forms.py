"""Small helpers shared by every domain's forms."""
from wtforms.fields.choices import SelectChoice


def options(pairs):
    """(value, label) pairs as the choices of a SelectField."""
    return [SelectChoice(value, label) for value, label in pairs]
