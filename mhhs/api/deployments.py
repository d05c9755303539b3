"""Deployments: the outcome in one target environment, recorded as "Record deployment" does (success sets the
baseline)."""
from flask_login import current_user

from ..rfcs import services
from ..rfcs.permissions import takes_part_in_rollout
from ..rfcs.states import Outcome
from . import schemas
from .authentication import api_access
from .blueprint import bp
from .names import Names
from .rfcs import visible_rfc_or_404


@bp.route("/rfcs/<int:rfc_id>/deployments", methods=["POST"])
@api_access("deployments", takes_part_in_rollout)
@bp.arguments(schemas.DeploymentIn())
@bp.response(201, schemas.Rfc)
def record_deployment(data, rfc_id):
    """The outcome in one target environment, as "Record deployment" does: success sets the baseline."""
    rfc = visible_rfc_or_404(rfc_id)
    names = Names()
    environment = names.environment(data["environment"], "environment")
    names.check()
    services.record_deployment(current_user, rfc, environment.id, Outcome.from_api(data["outcome"]),
                               data["actual_start"], data["actual_end"], data["version"], data["issues"],
                               data["resolutions"], smoke_test=data["smoke_test"], confirmed_by=data["confirmed_by"],
                               instruction_errors=data["instruction_errors"])
    return rfc
