"""Who may log, change and announce outages (SPEC §2): used by views, the services' guards and templates."""
from ..core.permissions import Role, is_manager
from ..core.services import Refused
from ..rfcs.permissions import owns_rfc


def check_may_log(user, systems, planned):
    """Refuses (with the field concerned) an outage this user may not log."""
    if is_manager(user):
        return
    if user.role == Role.CENTRAL_PARTY:
        others = [s.name for s in systems if s.organisation_id != user.organisation_id]
        if others:
            raise Refused(f"You log outages of your organisation's systems only; {', '.join(others)} "
                          f"{'is' if len(others) == 1 else 'are'} not yours.", "system_ids")
        return
    if planned:
        raise Refused("Test Participants report unplanned outages they see; planned outages are announced by "
                      "the system's owner.", "planned")


def can_edit_outage(user, outage):
    if is_manager(user):
        return True
    if user.role == Role.CENTRAL_PARTY and outage.organisation_id == user.organisation_id:
        return True
    return outage.reporter_organisation_id == user.organisation_id


def can_announce_window(user, rfc):
    """Turning an RFC's deployment window into planned outages: its Central Party or a Release Manager."""
    return (is_manager(user) or owns_rfc(user, rfc)) and rfc.is_announceable


JINJA_GLOBALS = {f.__name__: f for f in (can_edit_outage, can_announce_window)}
