"""Who may do what with stages, tranches and slots (SPEC §15): each rule once, asked by views, services, templates
and the API."""
from sqlalchemy import or_, select

from ..core.permissions import Role, is_manager
from ..extensions import db
from ..participants.models import Participant
from .models import Slot, SlotStatus, slot_participants


def can_keep_allocation(user):
    """Stages on environments, tranches, allocating slots, approving or declining requests: Release Managers."""
    return is_manager(user)


def can_request_slot(user):
    """A participant requests a slot for itself (the register says which organisations are participants)."""
    return user.is_authenticated and user.role in (Role.TEST_PARTICIPANT, Role.CENTRAL_PARTY)


def can_see_allocation(user):
    """The timeline and slots: everyone logged in (a participant's own slots in its feed and card)."""
    return user.is_authenticated


def own_participant_ids(user):
    """The register entries the user acts for: its organisation's (none for a Release Manager)."""
    if is_manager(user):
        return set()
    return set(_participant_ids(user.organisation_id))


def _participant_ids(organisation_id):
    return db.session.scalars(select(Participant.id).where(Participant.organisation_id == organisation_id)).all()


def visible_slots_clause(user):
    """A where-clause: the slots the user may see in detail (a Release Manager or Central Party every one; a Test
    Participant its own)."""
    if user.role in (Role.RELEASE_MANAGER, Role.CENTRAL_PARTY):
        return Slot.id.is_not(None)
    return Slot.id.in_(select(slot_participants.c.slot_id).join(
        Participant, Participant.id == slot_participants.c.participant_id)
        .where(Participant.organisation_id == user.organisation_id))


def is_own_slot(user, slot):
    return any(p.organisation_id == user.organisation_id for p in slot.participants)


HELD = (SlotStatus.ALLOCATED, SlotStatus.OFFERED)  # the time is taken, whoever asks


def slot_on_timeline(user, slot, organisation_ids):
    """How the timeline shows a slot (its participants' organisations given, read once for the page): "detail" (who,
    what) to those who see it in detail (`visible_slots_clause`), "held" (the time only) for another organisation's
    allocated or offered slot, None for its requests."""
    if user.role in (Role.RELEASE_MANAGER, Role.CENTRAL_PARTY) or user.organisation_id in organisation_ids:
        return "detail"
    return "held" if slot.status in HELD else None


def timeline_slots_clause(user):
    """A where-clause: the standing slots `slot_on_timeline` shows the user at all (its own and every one in detail,
    another organisation's only while it holds its time)."""
    if user.role in (Role.RELEASE_MANAGER, Role.CENTRAL_PARTY):
        return Slot.id.is_not(None)
    return or_(Slot.status.in_(HELD), visible_slots_clause(user))


def can_cancel_slot(user, slot):
    """A Release Manager cancels any standing slot; a participant its own request or waiting or offered one."""
    if slot.status in (SlotStatus.DECLINED, SlotStatus.CANCELLED):
        return False
    if can_keep_allocation(user):
        return True
    return is_own_slot(user, slot) and slot.status != SlotStatus.ALLOCATED


def can_accept_offer(user, slot):
    return slot.status == SlotStatus.OFFERED and is_own_slot(user, slot)


JINJA_GLOBALS = {"can_keep_allocation": can_keep_allocation, "can_request_slot": can_request_slot,
                 "can_cancel_slot": can_cancel_slot, "can_accept_offer": can_accept_offer}
