"""Login and logout."""
import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..core.forms import show_problems
from ..core.htmx import done
from ..core.passwords import HINT
from ..core.permissions import PUBLIC, login_required, manager_required, public
from ..core.services import Invalid
from ..directory.models import User
from ..directory.sessions import is_live, session_parts
from ..extensions import db, login_manager
from .forms import ChangePasswordForm, LoginForm
from .services import LoginRefused, authenticate, change_password, log_out, sign_out_everywhere
from .services import unlock as unlock_user

bp = Blueprint("auth", __name__)

# Where someone whose password a Release Manager set may go before choosing their own: this page, logging out,
# public pages (login, /healthz, the calendar feeds by their own secret) and the files the page needs. The API (a
# bearer token, never the session) is not held back: a reset ends every token, and a new one is made by its owner
# on a page, so only once they have chosen their password.
UNTIL_CHANGED = {"auth.change_password", "auth.logout", "static"}
MUST_CHANGE = "must_change_password"


# The session's user with their organisation (the layout names it), in one query; one statement for every request,
# so SQLAlchemy's cache key is made once.
SESSION_USER = select(User).options(joinedload(User.organisation)).where(User.id == bindparam("user_id"))


@login_manager.user_loader
def load_user(session_id):
    """The session names the user and their current session token; an ended session finds nobody
    (directory.sessions)."""
    user_id, token = session_parts(session_id)
    user = (db.session.scalars(SESSION_USER, {"user_id": user_id}).unique().one_or_none()
            if user_id is not None else None)
    if user is None or not is_live(user.active, user.session_token, token):
        return None
    return user


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
            user = authenticate(form.email.data, form.password.data, request.remote_addr or "unknown")
        except LoginRefused as refused:
            error = str(refused)
        else:
            next_url = _safe_next(request.args.get("next"))
            # A fresh session on login: nothing from before it survives (no session fixation).
            session.clear()
            login_user(user)
            session["started"] = session["seen"] = int(time.time())  # the idle and absolute lifetimes start
            if user.must_change_password:  # kept in the signed session: checked on every request without a query
                session[MUST_CHANGE] = True
            return redirect(next_url or url_for("home.index"), 303)
    return render_template("auth/login.html", form=form, error=error)


@bp.route("/logout", methods=["GET", "POST"])
@login_required
def logout():
    if request.method == "GET":
        # Logging out changes state, so it is a POST; this page is the no-JavaScript route to it.
        return render_template("auth/logout.html")
    everywhere = request.form.get("everywhere") == "1"
    (sign_out_everywhere if everywhere else log_out)(current_user)
    logout_user()
    session.clear()
    flash("You have signed out everywhere: your API tokens and calendar feed URLs no longer work." if everywhere
          else "You have logged out.", "info")
    if request.htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url_for("auth.login")
        return response
    return redirect(url_for("auth.login"), 303)


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@manager_required
def unlock(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    unlock_user(current_user, user)
    return done(f"{user.email} can log in again.", url_for("directory.edit_user", user_id=user.id))



def must_change_password_first():
    """A before_request of the app (create_app registers it after the session's lifetimes are checked). The flag is
    the session's, set at login from the user's must_change_password: a reset ends every session, so a session
    begun before it cannot miss it, and no request loads the user early for it."""
    if not session.get(MUST_CHANGE) or request.blueprint == "api" or request.endpoint in UNTIL_CHANGED:
        return None
    if request.endpoint is None or getattr(current_app.view_functions[request.endpoint], "access", None) == PUBLIC:
        return None
    target = url_for("auth.change_password")
    if request.htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, 303)


@bp.route("/account/password", methods=["GET", "POST"], endpoint="change_password")
@login_required
def change_password_page():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.new_password.data, form.end_tokens.data)
        except Invalid as invalid:
            show_problems(form, invalid)
        else:
            started = session.get("started")
            session.pop(MUST_CHANGE, None)
            # This browser goes on with the new session token; the others have ended.
            login_user(current_user._get_current_object())
            session["started"] = started or int(time.time())
            flash("Your password is changed. Every other browser signed in as you must log in again"
                  + ("; your API tokens and calendar feed URLs no longer work." if form.end_tokens.data else "."),
                  "success")
            return redirect(url_for("home.index"), 303)
    return render_template("auth/change_password.html", form=form, password_hint=HINT)
