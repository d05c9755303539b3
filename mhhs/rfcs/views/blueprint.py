"""The RFC pages' blueprint, the hooks and template globals they offer, and what every RFC page shares."""
from datetime import datetime

from flask import Blueprint, request
from flask_login import current_user

from ...core.permissions import role_required
from ...core.time import format_london
from .. import queries, services, targets
from ..permissions import can_raise_rfc
from ..rules import control_point_applies, control_point_short, control_point_text, deviation_text, outcome_summary
from ..states import Decision, RfcStatus

bp = Blueprint("rfcs", __name__)
# What the RFC page shows from the packages above this one ((rfc, user) -> its template's context, registered in
# create_app: the release-note regions).
PAGE_REGIONS = "rfcs.page_regions"
# What the RFC templates ask beside the permissions (registered as Jinja globals in create_app).
JINJA_GLOBALS = {f.__name__: f for f in (queries.outside_availability, targets.drift_warning, control_point_applies,
                                         control_point_text, control_point_short, outcome_summary, deviation_text,
                                         services.version_order_text, services.revision_changes,
                                         services.out_of_order_text, services.objection_text,
                                         services.consulted_words)}
JINJA_GLOBALS["RfcStatus"] = RfcStatus  # for links that filter the RFC list by a status
central_party = role_required(can_raise_rfc)


def revision_time(value):
    """A time frozen in a revision (ISO, UTC) as people write it: Europe/London."""
    return format_london(datetime.fromisoformat(value)) + " (Europe/London)"


DECISIONS = {"approve": Decision.APPROVED, "reject": Decision.REJECTED, "request_changes": Decision.CHANGES_REQUESTED}


def _rfc_or_404(rfc_id):
    return services.rfc_or_404(current_user, rfc_id)


def _enum_arg(name, enum):
    value = request.args.get(name)
    return enum(value) if value in {m.value for m in enum} else None
