"""The home page each role lands on after logging in."""
from flask import Blueprint, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .core.permissions import login_required
from .core.time import utcnow
from .outages.services import board as outage_board
from .directory.models import Environment
from .extensions import db

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    environments = db.session.scalars(
        select(Environment).options(selectinload(Environment.systems)).order_by(Environment.position)
    ).all()
    now = utcnow()
    return render_template("home/index.html", environments=environments, board=outage_board(now), now=now)
