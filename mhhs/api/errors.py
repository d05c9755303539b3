"""Errors as RFC 9457 problem details: a service's refusal by field (422) or of a state that has moved on (409),
with the services' field names as the API names them."""
from flask import abort

from ..core.errors import needs_attention, problem
from ..core.services import Conflict, Invalid, Refused
from ..extensions import db
from .blueprint import bp

# The services' field names as the API names them.
FIELDS = {"system_id": "system", "environment_ids": "environments", "environment_id": "environment",
          "system_ids": "systems", "market_role_id": "market_role", "certificate_file": "certificate",
          "rfc_number": "rfc", "found_in_id": "found_in",
          "message_at": "sent_at"}


def invalid(problems):
    """Stops the request with a 422 listing [{field, detail}]."""
    abort(problem(422, needs_attention(), problems))


def check(problems):
    """A domain rule's {field: message} (nothing when empty): a 422 with the fields as the API names them."""
    if problems:
        raise Invalid(problems)


@bp.errorhandler(Refused)
def refused(error):
    """A service's refusal: by field (422), or a state that has moved on (409)."""
    db.session.rollback()
    if isinstance(error, Conflict) or not (isinstance(error, Invalid) or error.field):
        return problem(409, str(error))
    return problem(422, needs_attention(), [{"field": FIELDS.get(name, name) or "", "detail": message}
                                          for name, message in error.problems.items()])
