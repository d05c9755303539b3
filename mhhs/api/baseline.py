"""The baseline: the version of every system in every environment."""
from sqlalchemy import select

from ..baseline import services
from ..directory.models import Environment, System
from ..extensions import db
from . import schemas
from .authentication import api_access
from .blueprint import bp
from .names import filtered_by


@bp.route("/baseline", methods=["GET"])
@api_access("read")
@bp.arguments(schemas.BaselineFilters, location="query")
@bp.response(200, schemas.Cell(many=True))
def baseline_cells(filters):
    """The version of every system in every environment."""
    system, environment = filtered_by(filters)
    cells = services.current_cells([system.id] if system else None).values()
    systems = {s.id: s for s in db.session.scalars(select(System))}
    environments = {e.id: e for e in db.session.scalars(select(Environment))}
    return [{"system": systems[c.system_id], "environment": environments[c.environment_id], "version": c.version,
             "deployed_at": c.deployed_at, "rfc_id": c.rfc_id}
            for c in sorted(cells, key=lambda c: (systems[c.system_id].name, environments[c.environment_id].position))
            if environment is None or c.environment_id == environment.id]
