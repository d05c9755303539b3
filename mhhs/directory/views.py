"""Directory pages: environments (everyone reads), users and reference data (Release Managers keep)."""
from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..core.forms import form_values, search_text
from ..core.htmx import done, render
from ..core.pagination import SortColumn, paginate_sorted, sort_of
from ..core.permissions import manager_required
from ..extensions import db
from . import services
from .forms import (
    EnvironmentForm,
    MajorReleaseForm,
    MarketRoleForm,
    NewUserForm,
    OrganisationForm,
    SystemForm,
    UserForm,
)
from .models import Environment, MajorRelease, MarketRole, Organisation, System, User

bp = Blueprint("directory", __name__)


def _get_or_404(model, obj_id):
    obj = db.session.get(model, obj_id)
    if obj is None:
        abort(404)
    return obj


def _form_page(form, title, back, status=200, **extra):
    return render("directory/form_page.html", "directory/_form.html", status=status, form=form, title=title,
                  action=request.path, back=back, **extra)


def _edit(model, form_class, obj_id, fields, back, noun, save=services.save):
    """The shared new/edit flow: show the form, re-show it with messages, or save and go back."""
    obj = _get_or_404(model, obj_id) if obj_id is not None else model()
    form = form_class(obj=obj if obj_id is not None else None, obj_id=obj_id)
    if form.validate_on_submit():
        save(current_user, obj, form_values(form, fields))
        return done(f"{noun} saved.", back)
    title = f"Edit {noun.lower()}" if obj_id is not None else f"New {noun.lower()}"
    return _form_page(form, title, back)


# Environments --------------------------------------------------------------------------------

@bp.route("/environments/new", methods=["GET", "POST"])
@bp.route("/environments/<int:obj_id>/edit", methods=["GET", "POST"])
@manager_required
def edit_environment(obj_id=None):
    return _edit(Environment, EnvironmentForm, obj_id, services.ENVIRONMENT_FIELDS,
                 url_for("environments.index"), "Environment")


@bp.route("/market-roles/new", methods=["GET", "POST"])
@bp.route("/market-roles/<int:obj_id>/edit", methods=["GET", "POST"])
@manager_required
def edit_market_role(obj_id=None):
    return _edit(MarketRole, MarketRoleForm, obj_id, services.MARKET_ROLE_FIELDS, url_for("environments.index"),
                 "Market role")


@bp.route("/roadmap/new", methods=["GET", "POST"])
@bp.route("/roadmap/<int:obj_id>/edit", methods=["GET", "POST"])
@manager_required
def edit_major_release(obj_id=None):
    return _edit(MajorRelease, MajorReleaseForm, obj_id, services.MAJOR_RELEASE_FIELDS,
                 url_for("environments.index"), "Major release")


# Organisations and systems -------------------------------------------------------------------

@bp.route("/organisations")
@manager_required
def organisations():
    orgs = db.session.scalars(
        select(Organisation).options(selectinload(Organisation.systems), selectinload(Organisation.tests_in))
        .order_by(Organisation.kind, Organisation.name)
    ).all()
    return render("directory/organisations.html", "directory/organisations.html", organisations=orgs)


@bp.route("/organisations/new", methods=["GET", "POST"])
@bp.route("/organisations/<int:obj_id>/edit", methods=["GET", "POST"])
@manager_required
def edit_organisation(obj_id=None):
    return _edit(Organisation, OrganisationForm, obj_id, services.ORGANISATION_FIELDS,
                 url_for("directory.organisations"), "Organisation", services.save_organisation)


@bp.route("/systems/new", methods=["GET", "POST"])
@bp.route("/systems/<int:obj_id>/edit", methods=["GET", "POST"])
@manager_required
def edit_system(obj_id=None):
    return _edit(System, SystemForm, obj_id, services.SYSTEM_FIELDS, url_for("directory.organisations"), "System",
                 services.save_system)


# Users ---------------------------------------------------------------------------------------

USER_SORTS = {"name": SortColumn([User.name, User.id]), "email": SortColumn([User.email, User.id]),
              "role": SortColumn([User.role, User.name, User.id])}


@bp.route("/users")
@manager_required
def users():
    query = select(User).options(selectinload(User.organisation)).order_by(User.name, User.id)
    text = search_text(request.args.get("q")) or ""
    if text:
        like = f"%{text.lower()}%"
        query = query.join(User.organisation).where(
            or_(User.email.ilike(like), User.name.ilike(like), Organisation.name.ilike(like)))
    sort = sort_of(USER_SORTS, "name")
    page = paginate_sorted(query, sort)
    return render("directory/users.html", "directory/_user_rows.html", page=page, sort=sort, q=text)


@bp.route("/users/new", methods=["GET", "POST"])
@manager_required
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        user = services.save_user(current_user, User(), form_values(form, services.USER_FIELDS), form.password.data)
        return done(f"User {user.email} created.", url_for("directory.users"))
    return _form_page(form, "New user", url_for("directory.users"))


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@manager_required
def edit_user(user_id):
    user = _get_or_404(User, user_id)
    form = UserForm(obj=user, obj_id=user.id)
    if form.validate_on_submit():
        services.save_user(current_user, user, form_values(form, services.USER_FIELDS))
        return done(f"User {user.email} saved.", url_for("directory.users"))
    return _form_page(form, f"Edit user {user.email}", url_for("directory.users"), user=user)


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@manager_required
def reset_password(user_id):
    user = _get_or_404(User, user_id)
    password = services.reset_password(current_user, user)
    # Shown once on this page: never in a flash message or the session cookie, and never cached.
    response = make_response(render_template("directory/password_reset.html", user=user, password=password))
    response.headers["Cache-Control"] = "no-store"
    return response
