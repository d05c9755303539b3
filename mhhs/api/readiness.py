"""Readiness: the morning health check posted by a Central Party's monitor (the same service as the report page),
a participant's readiness, and an environment's last health."""
from flask import abort
from flask_login import current_user

from ..extensions import db
from ..participants.models import Participant
from ..readiness import criteria, health
from ..readiness.permissions import can_post_health_checks, can_report_health_of, can_see_readiness
from . import schemas
from .authentication import api_access
from .blueprint import bp
from .names import Names


@bp.route("/health-checks", methods=["POST"])
@api_access("readiness", can_post_health_checks)
@bp.arguments(schemas.HealthCheckIn())
@bp.response(201, schemas.HealthCheck)
def post_health_check(data):
    """Report a system's morning health check in an environment (again the same day: it is updated)."""
    names = Names()
    system = names.system(data["system"], "system")
    environment = names.environment(data["environment"], "environment")
    names.check()
    if not can_report_health_of(current_user, system):
        abort(404, "There is no such system of your organisation.")
    [check] = health.report(current_user, data["day"] or criteria.today_in_london(),
                            [health.Entry(system, environment, data["health"], data["note"])])
    return check, 201  # as stored (health.Reported): nothing read again after the commit


@bp.route("/participants/<int:participant_id>/readiness", methods=["GET"])
@api_access("read")
@bp.response(200, schemas.Readiness)
def participant_readiness(participant_id):
    """A participant's readiness for its route's phase, criterion by criterion (Release Managers, or itself)."""
    participant = db.session.get(Participant, participant_id)
    if participant is None or not can_see_readiness(current_user, participant):
        abort(404, "There is no such participant you may see.")
    return criteria.readiness_of(participant)


@bp.route("/environments/<name>/health", methods=["GET"])
@api_access("read")
@bp.response(200, schemas.EnvironmentHealth)
def environment_health(name):
    """Each system's latest morning health check in an environment."""
    names = Names()
    environment = names.environment(name, "environment")
    names.check()
    return {"environment": environment.name, "checks": health.last_checks(environment)}
