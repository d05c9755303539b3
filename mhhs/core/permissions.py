"""Roles, the per-view access rule, and the can_*() object rules shared by views and templates."""
import enum
from functools import wraps
from typing import NamedTuple

from flask import abort, current_app, has_request_context, request
from flask_login import current_user

from ..extensions import login_manager
from .services import Refused
from .urls import fixed_url


class Role(str, enum.Enum):
    RELEASE_MANAGER = "release_manager"
    CENTRAL_PARTY = "central_party"
    TEST_PARTICIPANT = "test_participant"

    @property
    def label(self):
        return self.name.replace("_", " ").title()


PUBLIC = "public"


def public(view):
    """Marks a view anyone may call, logged in or not."""
    view.access = PUBLIC
    return view


class _RoleOnly:
    """A stand-in user with nothing but a role, to read which roles a role rule lets through."""

    is_authenticated = True

    def __init__(self, role):
        self.role = role


def roles_allowed(rule=None):
    """The roles a rule by role (`can_raise_rfc(user)`) lets through, read with a stand-in user; every role without
    a rule."""
    return frozenset(r for r in Role if rule is None or rule(_RoleOnly(r)))


def role_required(rule=None):
    """Marks a view with who may call it: a rule by role (`can_raise_rfc(user)`, the one statement of that role
    set, which services and templates ask too), or everyone logged in; anyone else gets 403 (or the login page)."""
    allowed = roles_allowed(rule)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.access = allowed
        return wrapped

    return decorator


def is_manager(user):
    return user.is_authenticated and user.role == Role.RELEASE_MANAGER


login_required = role_required()
manager_required = role_required(is_manager)


def can_manage_directory(user):
    """Users, organisations, systems, environments and market roles: Release Managers only."""
    return is_manager(user)


def can_keep_schedule(user):
    """Freezes and the test-phase plan: Release Managers only."""
    return is_manager(user)


def require(allowed, message="You may not do that."):
    """A service's own check of its permission (the view has checked it too): refuses when not allowed."""
    if not allowed:
        raise Refused(message)


def can_see_user(user, other):
    return is_manager(user) or user.id == other.id


# The navigation, in the order shown (SPEC §8): label, endpoint, roles that see it; or a menu (label, its links),
# shown as a disclosure like the account menu so that the row fits a 1366 px screen.
NAV = [
    ("RFCs", "rfcs.rfcs", set(Role)),
    ("Approvals", "rfcs.approvals", {Role.RELEASE_MANAGER}),
    ("Calendar", "schedule.calendar", set(Role)),
    ("Outages", "outages.index", set(Role)),
    ("Certificates", "certificates.index", set(Role)),
    ("Environments", "environments.index", set(Role)),
    ("Baseline", "baseline.grid", set(Role)),
    ("Retests", "retests.retests", set(Role)),
    ("Weekly report", "reports.weekly_report", set(Role)),
    ("Participants", [
        ("Register", "participants.register_page", set(Role)),
        ("Connectivity proving", "proving.matrix", {Role.RELEASE_MANAGER}),
        ("Allocation", "allocation.timeline", set(Role)),
        ("Readiness", "readiness.matrix", {Role.RELEASE_MANAGER}),
        ("Readiness", "readiness.mine", {Role.CENTRAL_PARTY, Role.TEST_PARTICIPANT}),
        ("Health check", "readiness.health_today", set(Role)),
        ("GO / NO-GO", "decisions.decision_list", {Role.RELEASE_MANAGER, Role.CENTRAL_PARTY}),
        ("EWG", "decisions.ewg_meetings", {Role.RELEASE_MANAGER, Role.CENTRAL_PARTY}),
    ]),
    ("Directory", [
        ("Organisations", "directory.organisations", {Role.RELEASE_MANAGER}),
        ("Users", "directory.users", {Role.RELEASE_MANAGER}),
        ("Outbox", "mail.outbox", {Role.RELEASE_MANAGER}),
    ]),
]


class NavItem(NamedTuple):
    """One item of the navigation: a link (endpoint and its url), or a menu of links (links: NavItems with an
    endpoint)."""
    label: str
    endpoint: str | None = None
    links: tuple = ()
    url: str | None = None


def _links(role, entries):
    views = current_app.view_functions
    return [NavItem(label, endpoint, url=fixed_url(endpoint)) for label, endpoint, roles in entries
            if role in roles and endpoint in views]


def _nav_items(role):
    items = []
    for entry in NAV:
        if isinstance(entry[1], list):
            links = _links(role, entry[1])
            if links:
                items.append(NavItem(entry[0], links=tuple(links)))
        else:
            items.extend(_links(role, [entry]))
    return tuple(items)


def nav_items(user):
    """The navigation this user may use, for the features this app has; a menu with no link for them is not shown.
    Made once per role (per app and script root), with its URLs: the same for everyone of the role."""
    key = (user.role, request.script_root if has_request_context() else None)
    made = current_app.extensions.setdefault("nav_items", {})
    if key not in made:
        made[key] = _nav_items(user.role)
    return made[key]


JINJA_GLOBALS = {
    "nav_items": nav_items,
    "Role": Role,
    "is_manager": is_manager,
    "can_manage_directory": can_manage_directory,
    "can_keep_schedule": can_keep_schedule,
}
