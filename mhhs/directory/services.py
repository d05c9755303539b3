"""Writes to the directory: each function is one unit of work, audited, and the only place that commits.
They take plain values (the field lists below say which), never forms."""
import secrets

from sqlalchemy import select

from ..audit.services import record
from ..core import search
from ..core.passwords import hash_password
from ..core.permissions import Role, can_manage_directory, require
from ..extensions import db
from .models import Environment, Organisation, System

USER_FIELDS = ["email", "name", "role", "organisation_id", "scope_sit", "scope_uit", "active"]
ORGANISATION_FIELDS = ["name", "kind", "fix_forward", "mpids", "tests_in_ids"]
SYSTEM_FIELDS = ["name", "organisation_id", "operable_kind", "operable_days", "operable_start", "operable_end",
                 "support_kind", "support_days", "support_start", "support_end", "gate_closure", "end_of_day_batch",
                 "support_hours", "monitoring", "backup_regime", "environment_ids"]
ENVIRONMENT_FIELDS = ["name", "phase", "purpose", "available_from", "available_to", "availability_target"]
MARKET_ROLE_FIELDS = ["code", "name", "central"]
MAJOR_RELEASE_FIELDS = ["name", "planned_date", "date_confirmed", "purpose"]
MANAGERS_ONLY = "Only a Release Manager keeps the directory."


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
    require(can_manage_directory(by), MANAGERS_ONLY)
    is_new = obj.id is None
    changed = list(changed) + _apply(obj, values)
    if is_new:
        db.session.add(obj)
        db.session.flush()
    if is_new or changed:
        record(f"{obj.__tablename__.removesuffix('s')}.{'created' if is_new else 'updated'}", actor=by, obj=obj,
               summary=", ".join(changed))
    _index_for_search(obj, changed)
    db.session.commit()
    return obj


def index_system(system):
    """A system is found by its name and its organisation's."""
    search.put("system", system.id, [system.name], db.session.get(Organisation, system.organisation_id).name)


def _index_for_search(obj, changed):
    if isinstance(obj, System):
        index_system(obj)
    if isinstance(obj, (System, Organisation)) and "name" in changed:
        search.renamed(obj.__tablename__.removesuffix("s"), obj.id)


def save_user(by, user, values, password=None):
    """values: USER_FIELDS; a new user also needs its first password."""
    values = dict(values, email=values["email"].lower(), role=Role(values["role"]))
    manager = values["role"] == Role.RELEASE_MANAGER
    values.update(scope_sit=manager and bool(values["scope_sit"]), scope_uit=manager and bool(values["scope_uit"]))
    if password is not None:  # set by a Release Manager: the user chooses their own at their first login
        user.password_hash, user.must_change_password = hash_password(password), True
    if user.id is not None and user.active and not values["active"]:
        user.end_credentials()  # a deactivated user's sessions, tokens and feed URLs end at once, for good
    return save(by, user, values)


def reset_password(by, user):
    """Sets a new random password and returns it, to be shown once to the manager."""
    require(can_manage_directory(by), MANAGERS_ONLY)
    password = secrets.token_urlsafe(12)
    user.password_hash, user.must_change_password = hash_password(password), True  # theirs to choose at login
    user.end_credentials()  # whoever knew the old password may have made tokens or feed URLs with it
    record("user.password_reset", actor=by, obj=user)
    db.session.commit()
    return password


def save_organisation(by, organisation, values):
    """values: ORGANISATION_FIELDS, tests_in_ids the environments it tests in (RCM §14: its users retest there)."""
    values = dict(values)
    chosen = db.session.scalars(select(Environment).where(
        Environment.id.in_(values.pop("tests_in_ids") or []))).all()
    changed = []
    if set(organisation.tests_in) != set(chosen):
        organisation.tests_in = chosen
        changed.append("tests in")
    return save(by, organisation, values, changed)


def save_system(by, system, values):
    """values: SYSTEM_FIELDS, environment_ids the environments the system runs in."""
    values = dict(values, **{days: "".join(str(d) for d in sorted(values[days] or []))
                             for days in ("support_days", "operable_days") if days in values})
    chosen = db.session.scalars(select(Environment).where(
        Environment.id.in_(values.pop("environment_ids") or []))).all()
    changed = []
    if set(system.environments) != set(chosen):
        system.environments = chosen
        changed.append("environments")
    return save(by, system, values, changed)
