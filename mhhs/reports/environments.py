"""The environments overview: each environment with its purpose, dates and the versions running in it, the
major-release roadmap, the market roles, and emergency fixes not yet carried into a release."""
from flask import Blueprint, render_template
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..baseline.services import deployed_versions
from ..core import changes
from ..core.htmx import render
from ..core.permissions import can_manage_directory, login_required
from ..directory import choices
from ..directory.models import Environment, MajorRelease, MarketRole, System
from ..extensions import db
from ..rfcs.services import outstanding_emergency_rows
from ..rfcs.services.emergencies import CARRY_OVERS

bp = Blueprint("environments", __name__)

# What the page shows, each behind its counter: environments, systems, organisations, major releases and market roles
# (REFERENCE), the versions running (WINDOWS: deployments and the baseline's cells), the emergency fixes not carried
# (CARRY_OVERS).
READS = (changes.REFERENCE, changes.WINDOWS, CARRY_OVERS)


def _content(manages):
    """The page's content as HTML, for those who manage the directory (edit links) or not: the same for every reader
    of either kind, so it is rendered once per process while what it shows stays as it was."""
    envs = db.session.scalars(
        select(Environment).options(selectinload(Environment.systems).joinedload(System.organisation))
        .order_by(Environment.position, Environment.name)
    ).all()
    roadmap = db.session.scalars(select(MajorRelease).order_by(MajorRelease.planned_date, MajorRelease.name)).all()
    market_roles = db.session.scalars(select(MarketRole).order_by(MarketRole.central, MarketRole.code)).all()
    return Markup(render_template("reports/_environments_body.html", manages=manages, environments=envs,
                                  roadmap=roadmap, market_roles=market_roles, versions=deployed_versions(),
                                  carry_overs=outstanding_emergency_rows(),
                                  system_names={i: name for i, name, _ in choices.systems()}))


@bp.route("/environments")
@login_required
def index():
    content = changes.cached(_content, *READS, key=(can_manage_directory(current_user),))
    return render("reports/environments.html", "reports/environments.html", body=content)
