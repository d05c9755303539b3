"""Outages: the log, an outage logged as "Log outage" does (the outage rules, then the service), and ended now."""
from flask import abort, jsonify
from flask_login import current_user

from ..core.changes import OUTAGES, REFERENCE, cached
from ..core.pagination import paginate, query_key
from ..extensions import db
from ..outages import services
from ..outages.models import Category, Outage
from ..outages.permissions import can_edit_outage
from ..outages.rules import outage_problems
from ..rfcs.numbers import parse_rfc_number
from . import plain, schemas
from .authentication import api_access
from .blueprint import bp, next_link
from .errors import check
from .names import Names, filtered_by


@bp.route("/outages", methods=["GET"])
@api_access("read")
@bp.arguments(schemas.OutageFilters(), location="query")
@bp.response(200, schemas.OutagePage)
def outage_list(filters):
    """The outage log, newest first, 25 a page (follow next)."""
    system, environment = filtered_by(filters)
    return jsonify(cached(_outage_page, OUTAGES, REFERENCE, key=(query_key(),),
                          using=(environment and environment.id, system and system.id, filters.get("planned"))))


def _outage_page(_query, environment_id, system_id, planned):
    """A page of the log as JSON values: the same for every reader (the log is everyone's), kept per process per
    query string while no outage and no name it shows changes."""
    page = paginate(services.log_query(environment_id=environment_id, system_id=system_id, planned=planned),
                    [Outage.start, Outage.id], descending=True)
    return {"items": [plain.dump(schemas.Outage, outage) for outage in page.items],
            "next": next_link(page, "api.outage_list")}


@bp.route("/outages", methods=["POST"])
@api_access("outages")
@bp.arguments(schemas.OutageIn())
@bp.response(201, schemas.Outage)
def log_outage(data):
    """Log an outage, as "Log outage" does (a Test Participant reports unplanned ones)."""
    names = Names()
    environment = names.environment(data["environment"], "environment")
    systems = [names.system(name, f"systems[{i}]") for i, name in enumerate(data["systems"])]
    names.check()
    number = data["rfc_id"]  # as typed: the rule reads it
    values = {"environment_id": environment.id, "planned": data["planned"], "category": data["category"],
              "start": data["start"], "end": data["end"], "description": data["description"],
              "impact": data["impact"], "defect_reference": data["defect_reference"].strip(),
              "root_cause": data["root_cause"], "rfc_number": number}
    check(outage_problems(values, systems, environment))
    values = {name: values[name] for name in services.FIELDS if name in values}
    values.update(category=Category(data["category"]), rfc_id=parse_rfc_number(number),
                  blocking=data["blocking"] and not data["planned"])
    outage = Outage()
    services.save(current_user, outage, values, systems)
    return outage, 201


@bp.route("/outages/<int:outage_id>/end", methods=["POST"])
@api_access("outages")
@bp.response(200, schemas.Outage)
def end_outage(outage_id):
    """End an ongoing outage now."""
    outage = db.session.get(Outage, outage_id)
    if outage is None or not can_edit_outage(current_user, outage):
        abort(404, "There is no such outage you may change.")
    services.end_now(current_user, outage)
    return outage
