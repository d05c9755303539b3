"""Who may see and keep the participant register, contacts, own environments, their outages and the central systems'
connection details (SPEC §13, §15): views, services, templates and the API ask these."""
from sqlalchemy import false, or_, select

from ..core.permissions import Role, is_manager
from ..directory.models import System, environment_systems, organisation_environments
from .models import CentralConnection, Participant, ParticipantEnvironment


def can_keep_register(user):
    """The register, the onboarding intervals (and tranches, stages): Release Managers only."""
    return is_manager(user)


def can_keep_own(user):
    """Own contacts, own environments, own unavailability: the organisation itself (Central Party or Test
    Participant); Release Managers look."""
    return user.role in (Role.CENTRAL_PARTY, Role.TEST_PARTICIPANT)


def can_keep_participant(user, participant):
    """The participant's Environment Manager, its environments and their outages: its own users."""
    return can_keep_own(user) and user.organisation_id == participant.organisation_id


def can_see_participant(user, participant):
    """A participant's page (contacts, environments, officers, certificates, outages): the organisation itself,
    Release Managers and Central Parties (who connect participants); never another Test Participant."""
    return user.role != Role.TEST_PARTICIPANT or user.organisation_id == participant.organisation_id


def environments_run_by(organisation_id):
    """The ids of the central environments where the organisation's systems run (EAP §9.3.5)."""
    return (select(environment_systems.c.environment_id).join(System, System.id == environment_systems.c.system_id)
            .where(System.organisation_id == organisation_id))


def visible_environments(query, user):
    """Participants' own environments (and their connection details): their organisation, Release Managers and the
    Central Parties whose systems run in the central environment it connects to; never other participants."""
    if is_manager(user):
        return query
    own = ParticipantEnvironment.participant_id.in_(
        select(Participant.id).where(Participant.organisation_id == user.organisation_id))
    connected = (ParticipantEnvironment.environment_id.in_(environments_run_by(user.organisation_id))
                 if user.role == Role.CENTRAL_PARTY else false())
    return query.where(or_(own, connected))


def can_keep_central_connections(user):
    """The central systems' connection details: the Central Party that owns the system."""
    return user.role == Role.CENTRAL_PARTY


def can_keep_connection(user, system):
    return can_keep_central_connections(user) and system.organisation_id == user.organisation_id


def visible_connections(query, user):
    """The central systems' connection details: Release Managers; the owning Central Party; the participants that
    test in that environment (Organisation.tests_in)."""
    if is_manager(user):
        return query
    tests_in = CentralConnection.environment_id.in_(
        select(organisation_environments.c.environment_id)
        .where(organisation_environments.c.organisation_id == user.organisation_id))
    owns = CentralConnection.system_id.in_(select(System.id).where(System.organisation_id == user.organisation_id))
    return query.where(or_(tests_in, owns))




def visible_participants(query, user, organisation_column=Participant.organisation_id):
    """Release Managers see every participant's proving; an organisation its own only (anyone else's is 404)."""
    return query if is_manager(user) else query.where(organisation_column == user.organisation_id)


def can_see_proving(user, participant):
    """A participant's connectivity proving (its proving pages, the block of its page): Release Managers and the
    organisation itself, as `visible_participants` says."""
    return is_manager(user) or user.organisation_id == participant.organisation_id


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


JINJA_GLOBALS = {f.__name__: f for f in (
    can_keep_register, can_keep_own, can_keep_participant, can_see_participant, can_keep_central_connections,
    can_keep_connection, can_see_proving, can_see_proving_matrix, can_record_connectivity_step,
    can_sign_off_connectivity)}
