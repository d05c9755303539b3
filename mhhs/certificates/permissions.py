"""Who may see and keep which certificates and PKI officers (SPEC §2): views, services and templates use these."""
from ..core.permissions import Role, is_manager
from .models import Certificate


def visible_certificates(query, user, organisation_column=Certificate.organisation_id):
    """Release Managers see every organisation's; everyone else their own organisation's only."""
    return query if is_manager(user) else query.where(organisation_column == user.organisation_id)


def can_keep_certificates(user):
    """Central Parties and Test Participants upload and renew their own; Release Managers only look."""
    return user.role in (Role.CENTRAL_PARTY, Role.TEST_PARTICIPANT)


def can_manage_certificates(user, organisation_id):
    return can_keep_certificates(user) and user.organisation_id == organisation_id


JINJA_GLOBALS = {f.__name__: f for f in (can_keep_certificates, can_manage_certificates)}
