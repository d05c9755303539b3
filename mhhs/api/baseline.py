"""The baseline: the version of every system in every environment."""
from flask import jsonify
from sqlalchemy import select

from ..baseline import services
from ..core.changes import REFERENCE, WINDOWS, cached
from ..core.pagination import query_key
from ..directory.models import Environment, System
from ..extensions import db
from . import plain, schemas
from .authentication import api_access
from .blueprint import bp
from .names import filtered_by


@bp.route("/baseline", methods=["GET"])
@api_access("read")
@bp.arguments(schemas.BaselineFilters(), location="query")
@bp.response(200, schemas.Cell(many=True))
def baseline_cells(filters):
    """The version of every system in every environment."""
    system, environment = filtered_by(filters)
    return jsonify(cached(_cells, WINDOWS, REFERENCE, key=(query_key(),),
                          using=(system and system.id, environment and environment.id)))


def _cells(_query, system_id, environment_id):
    """The cells as JSON values: the same for every reader, kept per process per query string while no cell
    (WINDOWS: the deployments that move them) and no name changes."""
    cells = services.current_cells([system_id] if system_id else None).values()
    systems = {s.id: s for s in db.session.scalars(select(System))}
    environments = {e.id: e for e in db.session.scalars(select(Environment))}
    return [plain.dump(schemas.Cell, {"system": systems[c.system_id], "environment": environments[c.environment_id],
                                      "version": c.version, "deployed_at": c.deployed_at, "rfc_id": c.rfc_id})
            for c in sorted(cells, key=lambda c: (systems[c.system_id].name, environments[c.environment_id].position))
            if environment_id is None or c.environment_id == environment_id]
