"""The environments overview: each environment with its purpose, dates and the versions running in it, the
major-release roadmap, the market roles, and emergency fixes not yet carried into a release."""
from flask import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..baseline.services import deployed_versions
from ..core.htmx import render
from ..core.permissions import login_required
from ..directory import choices
from ..directory.models import Environment, MajorRelease, MarketRole, System
from ..extensions import db
from ..rfcs.services import outstanding_emergency_rows

bp = Blueprint("environments", __name__)


@bp.route("/environments")
@login_required
def index():
    envs = db.session.scalars(
        select(Environment).options(selectinload(Environment.systems).joinedload(System.organisation))
        .order_by(Environment.position, Environment.name)
    ).all()
    roadmap = db.session.scalars(select(MajorRelease).order_by(MajorRelease.planned_date, MajorRelease.name)).all()
    market_roles = db.session.scalars(select(MarketRole).order_by(MarketRole.central, MarketRole.code)).all()
    return render("reports/environments.html", "reports/environments.html", environments=envs,
                  roadmap=roadmap, market_roles=market_roles, versions=deployed_versions(),
                  carry_overs=outstanding_emergency_rows(),
                  system_names={i: name for i, name, _ in choices.systems()})
