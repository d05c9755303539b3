"""Who may see and do what with the participants (SPEC §15): views, services, templates and the API ask these."""
from ..core.permissions import Role, is_manager
from .models import Participant


def visible_participants(query, user, organisation_column=Participant.organisation_id):
    """Release Managers see every participant's proving; an organisation its own only (anyone else's is 404)."""
    return query if is_manager(user) else query.where(organisation_column == user.organisation_id)


def can_see_proving_matrix(user):
    """The proving matrix of every participant (the Environment Manager's daily page): Release Managers."""
    return is_manager(user)


def can_record_steps(user):
    """Recording a connectivity step, by role: any Release Manager, or an organisation for itself."""
    return user.role in (Role.RELEASE_MANAGER, Role.CENTRAL_PARTY, Role.TEST_PARTICIPANT)


def can_record_connectivity_step(user, participant):
    return can_record_steps(user) and (is_manager(user) or user.organisation_id == participant.organisation_id)


def can_sign_off_connectivity(user):
    """Signing off "connectivity proven" and voiding a sign-off: Release Managers; nobody signs itself off."""
    return is_manager(user)


JINJA_GLOBALS = {f.__name__: f for f in (can_see_proving_matrix, can_record_connectivity_step,
                                         can_sign_off_connectivity)}
