"""The home page each role lands on after logging in."""
from flask import Blueprint, render_template

from .core.permissions import login_required
from .core.time import utcnow
from .outages.services import board as outage_board

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    now = utcnow()
    # The board already loads every environment with its systems; the page reuses them.
    return render_template("home/index.html", board=outage_board(now), now=now)
