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


JINJA_GLOBALS = {f.__name__: f for f in (can_keep_criteria, can_meet_criteria_of, can_see_readiness,
                                        can_post_health_checks, can_report_health_of)}
