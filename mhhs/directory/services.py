"""Writes to the directory: each function is one unit of work, audited, and the only place that commits."""
import secrets

from sqlalchemy import select

from ..audit.services import record
from ..auth.passwords import hash_password
from ..core.permissions import Role
from ..extensions import db
from .models import Environment, User


def _apply(obj, values):
    """Sets the attributes that differ and returns their names, for the audit summary."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _save(by, obj, values, kind, changed=()):
    is_new = obj.id is None
    changed = list(changed) + _apply(obj, values)
    if is_new:
        db.session.add(obj)
        db.session.flush()
    if is_new or changed:
        record(f"{kind}.{'created' if is_new else 'updated'}", actor=by, obj=obj,
               summary=", ".join(changed))
    db.session.commit()
    return obj


def _user_values(form):
    role = Role(form.role.data)
    manager = role == Role.RELEASE_MANAGER
    return {
        "email": form.email.data.strip().lower(),
        "name": form.name.data.strip(),
        "role": role,
        "organisation_id": form.organisation_id.data,
        "scope_sit": manager and form.scope_sit.data,
        "scope_uit": manager and form.scope_uit.data,
        "active": form.active.data,
    }


def create_user(by, form):
    user = User(password_hash=hash_password(form.password.data))
    return _save(by, user, _user_values(form), "user")


def update_user(by, user, form):
    return _save(by, user, _user_values(form), "user")


def reset_password(by, user):
    """Sets a new random password and returns it, to be shown once to the manager."""
    password = secrets.token_urlsafe(12)
    user.password_hash = hash_password(password)
    record("user.password_reset", actor=by, obj=user)
    db.session.commit()
    return password


def form_values(form, names):
    return {name: (form[name].data.strip() if isinstance(form[name].data, str) else form[name].data) for name in names}


def save_organisation(by, organisation, form):
    return _save(by, organisation, form_values(form, ["name", "kind", "fix_forward", "mpids"]), "organisation")


def save_system(by, system, form):
    values = form_values(form, ["name", "organisation_id", "support_hours", "backup_regime"])
    chosen = db.session.scalars(select(Environment).where(Environment.id.in_(form.environment_ids.data or []))).all()
    changed = []
    if set(system.environments) != set(chosen):
        system.environments = chosen
        changed.append("environments")
    return _save(by, system, values, "system", changed)


def save_environment(by, environment, form):
    values = form_values(form, ["name", "phase", "purpose", "available_from", "available_to"])
    return _save(by, environment, values, "environment")


def save_reference(by, obj, form, names, kind):
    return _save(by, obj, form_values(form, names), kind)

