"""Writes to the directory: each function is one unit of work, audited, and the only place that commits.
They take plain values (the field lists below say which), never forms."""
import secrets

from sqlalchemy import select

from ..audit.services import record
from ..core.passwords import hash_password
from ..core.permissions import Role
from ..extensions import db
from .models import Environment

USER_FIELDS = ["email", "name", "role", "organisation_id", "scope_sit", "scope_uit", "active"]
ORGANISATION_FIELDS = ["name", "kind", "fix_forward", "mpids"]
SYSTEM_FIELDS = ["name", "organisation_id", "support_kind", "support_days", "support_start", "support_end",
                 "gate_closure", "support_hours", "backup_regime", "environment_ids"]
ENVIRONMENT_FIELDS = ["name", "phase", "purpose", "available_from", "available_to", "availability_target"]
MARKET_ROLE_FIELDS = ["code", "name", "central"]
MAJOR_RELEASE_FIELDS = ["name", "planned_date", "date_confirmed", "purpose"]


def _apply(obj, values):
    """Sets the attributes that differ and returns their names, for the audit summary."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def save(by, obj, values, changed=()):
    """Creates or updates any directory object from plain values, with one audit row naming what changed."""
    is_new = obj.id is None
    changed = list(changed) + _apply(obj, values)
    if is_new:
        db.session.add(obj)
        db.session.flush()
    if is_new or changed:
        record(f"{obj.__tablename__.removesuffix('s')}.{'created' if is_new else 'updated'}", actor=by, obj=obj,
               summary=", ".join(changed))
    db.session.commit()
    return obj


def save_user(by, user, values, password=None):
    """values: USER_FIELDS; a new user also needs its first password."""
    values = dict(values, email=values["email"].lower(), role=Role(values["role"]))
    manager = values["role"] == Role.RELEASE_MANAGER
    values.update(scope_sit=manager and bool(values["scope_sit"]), scope_uit=manager and bool(values["scope_uit"]))
    if password is not None:
        user.password_hash = hash_password(password)
    if user.id is not None and user.active and not values["active"]:
        user.end_credentials()  # a deactivated user's sessions, tokens and feed URLs end at once, for good
    return save(by, user, values)


def reset_password(by, user):
    """Sets a new random password and returns it, to be shown once to the manager."""
    password = secrets.token_urlsafe(12)
    user.password_hash = hash_password(password)
    user.end_credentials()  # whoever knew the old password may have made tokens or feed URLs with it
    record("user.password_reset", actor=by, obj=user)
    db.session.commit()
    return password


def save_system(by, system, values):
    """values: SYSTEM_FIELDS, environment_ids the environments the system runs in."""
    values = dict(values, support_days="".join(str(d) for d in sorted(values["support_days"] or [])))
    chosen = db.session.scalars(select(Environment).where(
        Environment.id.in_(values.pop("environment_ids") or []))).all()
    changed = []
    if set(system.environments) != set(chosen):
        system.environments = chosen
        changed.append("environments")
    return save(by, system, values, changed)
