"""Who may see and do what with an RFC (SPEC §2): used by views, the services' guards and templates."""
from sqlalchemy import func, select

from ..core.permissions import Role, is_manager
from ..core.time import utcnow
from .models import Consultation, Rfc
from .states import (
    COMMUNICATION_STATUSES,
    EDITABLE_STATUSES,
    FINISHED,
    OUTCOMES,
    PUBLIC_STATUSES,
    WITHDRAWABLE_STATUSES,
    Decision,
    ReleaseType,
    RfcStatus,
)


def visible_clause(user):
    """The SQL condition for the RFCs this user may see (every lookup of an RFC goes through it)."""
    # Most RFCs are public, so this condition narrows little: it is tested row by row (coalesce keeps it off the
    # status index) and a newest-first list walks the primary key and stops at its page, instead of reading every
    # public RFC through the index and sorting them all.
    public = func.coalesce(Rfc.status, Rfc.status).in_(PUBLIC_STATUSES)
    if user.role == Role.RELEASE_MANAGER:
        return Rfc.submitted_at.is_not(None)
    # RCM §13: an organisation a Release Manager consulted before approval sees the RFC from then on.
    consulted = Rfc.id.in_(select(Consultation.rfc_id).where(Consultation.organisation_id == user.organisation_id))
    if user.role == Role.CENTRAL_PARTY:
        return public | (Rfc.organisation_id == user.organisation_id) | consulted
    return public | consulted


# Who may ever do an action, by role alone: the views' decorators read these (`@role_required(can_raise_rfc)`), and
# the object rules below start from them, so each role set is stated once.

def can_raise_rfc(user):
    """Central Parties raise, edit, submit and withdraw their organisation's RFCs."""
    return user.role == Role.CENTRAL_PARTY


def takes_part_in_rollout(user):
    """Release Managers and the raising Central Parties record deployments and closure reports."""
    return is_manager(user) or can_raise_rfc(user)


def is_reader_role(user):
    """Central Parties and Test Participants are sent release notes to read."""
    return user.role in (Role.CENTRAL_PARTY, Role.TEST_PARTICIPANT)


def owns_rfc(user, rfc):
    return can_raise_rfc(user) and rfc.organisation_id == user.organisation_id


def can_edit_rfc(user, rfc):
    return owns_rfc(user, rfc) and rfc.status in EDITABLE_STATUSES


def can_withdraw_rfc(user, rfc):
    return owns_rfc(user, rfc) and rfc.status in WITHDRAWABLE_STATUSES


def approved_phases(rfc):
    return {a.phase for a in rfc.approvals if a.revision == rfc.revision and a.decision == Decision.APPROVED}


def phases_to_decide(user, rfc):
    """The phases this manager can still decide on the current revision."""
    if not is_manager(user) or rfc.status != RfcStatus.SUBMITTED:
        return set()
    return (user.phases & rfc.phases) - approved_phases(rfc)


def needs_governance(rfc):
    """RCM Table 3: a Major release needs its GNG approval recorded before it can be approved."""
    return rfc.release_type == ReleaseType.MAJOR and not (rfc.gng_reference and rfc.gng_date)


def can_record_governance(user, rfc):
    return (is_manager(user) and rfc.release_type == ReleaseType.MAJOR
            and rfc.status in (RfcStatus.DRAFT, RfcStatus.SUBMITTED, RfcStatus.CHANGES_REQUESTED))


def can_tick_control_points(user, rfc):
    return is_manager(user) and rfc.status not in FINISHED


def can_record_deployment(user, rfc):
    return rfc.status == RfcStatus.APPROVED and (is_manager(user) or owns_rfc(user, rfc))


def deployment_offered(user, rfc, now=None):
    """Whether the RFC page offers Record deployment: the user may record one and the window has started (before it,
    there is nothing to record; the form stays reachable for an early start)."""
    return can_record_deployment(user, rfc) and rfc.window_start is not None \
        and rfc.window_start <= (now or utcnow())


def can_close_rfc(user, rfc):
    return is_manager(user) and rfc.status in OUTCOMES


def can_add_lessons(user, rfc):
    return (is_manager(user) or owns_rfc(user, rfc)) and rfc.status in OUTCOMES + (RfcStatus.CLOSED,)


def can_add_work_off_action(user, rfc):
    """RCM 5.2: work-off actions come from the review, by whoever writes the lessons learnt."""
    return can_add_lessons(user, rfc)


def can_finish_work_off_action(user, action):
    return action.done_at is None and (is_manager(user) or user.id == action.owner_id)


def ready_for_retest(defect):
    """Its fix reached the environment it was found in, and nobody has retested it yet."""
    return defect.ready_for_retest and not defect.retests


def tests_in(user, environment_id):
    """RCM §14: the user's organisation tests in this environment (kept by Release Managers)."""
    return any(e.id == environment_id for e in user.organisation.tests_in)


def can_record_retest(user, defect):
    """RCM §14: the Tester and each participant's Test Defect Manager retest and close defects: a user of any
    organisation that tests in the environment where the defect was found; the raising Central Party and Release
    Managers still may."""
    return ready_for_retest(defect) and (is_manager(user) or owns_rfc(user, defect.rfc)
                                         or tests_in(user, defect.found_in_id))


def can_consult(user, rfc):
    """RCM §13: before approval a Release Manager shares a submitted RFC with the impacted Central Parties and
    participants for awareness."""
    return is_manager(user) and rfc.status == RfcStatus.SUBMITTED


def is_consulted_role(user):
    """Who answers for a consulted organisation: its Central Party or Test Participant users."""
    return user.role in (Role.CENTRAL_PARTY, Role.TEST_PARTICIPANT)


def consultation_of(user, rfc):
    """The user's organisation's consultation on this RFC, or None."""
    return next((c for c in rfc.consultations if c.organisation_id == user.organisation_id), None) \
        if is_consulted_role(user) else None


def can_answer_consultation(user, rfc):
    """A consulted organisation's user records no objection or an objection while the RFC awaits approval."""
    return rfc.status == RfcStatus.SUBMITTED and consultation_of(user, rfc) is not None


def can_communicate(user, rfc, kind):
    return is_manager(user) and rfc.status in COMMUNICATION_STATUSES[kind]


JINJA_GLOBALS = {f.__name__: f for f in (
    can_raise_rfc, owns_rfc, can_edit_rfc, can_withdraw_rfc, phases_to_decide, needs_governance,
    can_record_governance, can_tick_control_points, can_record_deployment, deployment_offered, can_close_rfc,
    can_add_lessons, can_communicate, ready_for_retest, can_record_retest, takes_part_in_rollout,
    can_add_work_off_action, can_finish_work_off_action, can_consult, consultation_of, can_answer_consultation)}
