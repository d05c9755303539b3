"""What every domain's services share: refusals with the field they concern, conflicts, the commit, 404s."""
from functools import wraps

from flask import abort
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from .db import writing

CONFLICT = "Someone else changed this at the same moment; nothing was saved. Reload and try again."


class Refused(Exception):
    """A change that may not happen now; the message says why and what to do. field: where it belongs."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field

    @property
    def problems(self):
        """{field: message}, the shape a view puts next to its fields."""
        return {self.field: str(self)}


class Invalid(Refused):
    """Content that cannot go ahead: several messages, each keyed by the form field it concerns."""

    def __init__(self, problems):
        super().__init__("; ".join(problems.values()), next(iter(problems)))
        self._problems = dict(problems)

    @property
    def problems(self):
        return self._problems


class Conflict(Refused):
    """Someone else changed the object first (a lost update turned into a clear message)."""


def unit_of_work(conflict=CONFLICT):
    """Marks a service function that writes versioned rows (RFCs, outages) as one unit of work: it holds SQLite's
    write lock from its first read (core.db.writing); a lost update found anywhere in it, at an autoflush as much as
    at its commit, undoes all of it and becomes a Conflict; a refusal undoes what it had not committed, so no view
    rolls back."""
    def decorator(service):
        @wraps(service)
        def run(*args, **kwargs):
            try:
                with writing():
                    return service(*args, **kwargs)
            except StaleDataError:
                db.session.rollback()
                raise Conflict(conflict) from None
            except (Refused, Invalid):
                db.session.rollback()
                raise
        return run
    return decorator


def get_visible_or_404(query, params=None):
    """The one object a query already scoped to the user finds, or 404: a hidden object is not there."""
    obj = db.session.scalar(query, params)
    if obj is None:
        abort(404)
    return obj


TOO_LONG = "Field cannot be longer than {max} characters."  # WTForms' Length() words, which the pages show


def length_problems(values, limits, prefix=""):
    """{field: message} for each text longer than its limit (the one statement of a field's length, which the
    pages' forms read for their Length() validators too)."""
    return {prefix + name: TOO_LONG.format(max=limit) for name, limit in limits.items()
            if len(values.get(name) or "") > limit}
