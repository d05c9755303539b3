"""Login and logout."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..core.permissions import login_required, public
from ..directory.models import User
from ..extensions import db, login_manager
from .forms import LoginForm
from .services import LoginRefused, authenticate, log_logout

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id):
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def _safe_next(target):
    # Only same-site paths: never redirect a login to another host.
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except LoginRefused as refused:
            error = str(refused)
        else:
            next_url = _safe_next(request.args.get("next"))
            # A fresh session on login: nothing from before it survives (no session fixation).
            session.clear()
            login_user(user)
            return redirect(next_url or url_for("home.index"), 303)
    return render_template("auth/login.html", form=form, error=error)


@bp.route("/logout", methods=["GET", "POST"])
@login_required
def logout():
    if request.method == "GET":
        # Logging out changes state, so it is a POST; this page is the no-JavaScript route to it.
        return render_template("auth/logout.html")
    log_logout(current_user)
    logout_user()
    session.clear()
    flash("You have logged out.", "info")
    if request.htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url_for("auth.login")
        return response
    return redirect(url_for("auth.login"), 303)
