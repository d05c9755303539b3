"""Who keeps, meets and waives entry criteria and who reports the morning health check (SPEC §15): used by the
views' decorators, the services' guards, the templates and the API."""
from ..core.permissions import Role, is_manager


def can_keep_criteria(user):
    """The phases' entry criteria, waivers and the health check's deadline: Release Managers."""
    return is_manager(user)


def can_meet_criteria(user):
    """Meeting an entry criterion (with its evidence) or declaring Industry Standing Data loaded: the organisation
    itself, Central Party or Test Participant."""
    return user.role in (Role.CENTRAL_PARTY, Role.TEST_PARTICIPANT)


def can_meet_criteria_of(user, participant):
    return can_meet_criteria(user) and participant.organisation_id == user.organisation_id


def can_see_readiness(user, participant):
    """A participant's readiness: Release Managers and the organisation itself."""
    return is_manager(user) or participant.organisation_id == user.organisation_id


def can_post_health_checks(user):
    """The morning health check: Release Managers for any system, Central Parties for their own."""
    return user.role in (Role.RELEASE_MANAGER, Role.CENTRAL_PARTY)


def can_report_health_of(user, system):
    return is_manager(user) or (can_post_health_checks(user) and system.organisation_id == user.organisation_id)


def can_record_proving(user):
    """Environment proving tests: a Release Manager for any system, a Central Party for its own; Test Participants
    do not."""
    return is_manager(user) or user.role == Role.CENTRAL_PARTY


def can_record_proving_for(user, system):
    return is_manager(user) or (can_record_proving(user) and system.organisation_id == user.organisation_id)


def visible_proving_systems(query, user, organisation_column):
    """Release Managers see every system's proving tests; a Central Party its own systems'."""
    return query if is_manager(user) else query.where(organisation_column == user.organisation_id)


def can_decide(user):
    """GO / CONDITIONAL GO / NO-GO: Release Managers only."""
    return is_manager(user)


def can_read_reviews(user):
    """GO / NO-GO decisions (their snapshot of every participant's readiness, waivers, sign-offs and certificate
    gaps) and the EWG's meetings (agenda, minutes, actions), their PDFs and the messages that send them: Release
    Managers and Central Parties. A Test Participant does not read other participants' details."""
    return user.role in (Role.RELEASE_MANAGER, Role.CENTRAL_PARTY)


def review_readers(users):
    """Those of a list's members a decision or an EWG agenda or minutes is sent to (the others are not)."""
    return [u for u in users if can_read_reviews(u)]


def can_keep_ewg(user):
    """The EWG's meetings, agenda, minutes and actions: Release Managers (the MHHS Environment Manager chairs)."""
    return is_manager(user)


def owns_item(user, item):
    """A condition or action is the owner's: the person named, or anyone of the organisation named."""
    return (item.owner_user_id == user.id if item.owner_user_id
            else item.owner_organisation_id == user.organisation_id)


def can_close_item(user, item):
    """A condition or an action is marked done by its owner or a Release Manager, once."""
    return item.done_at is None and (is_manager(user) or owns_item(user, item))


JINJA_GLOBALS = {f.__name__: f for f in (
    can_keep_criteria, can_meet_criteria_of, can_see_readiness, can_post_health_checks, can_report_health_of,
    can_record_proving, can_record_proving_for, can_decide, can_read_reviews, can_keep_ewg, can_close_item)}
