"""A pipeline's "may I test (or deploy) now?" (EAP §12.1.2; Azure Pipelines' exclusive-lock and business-hours
checks): for a participant or an RFC and a time, `allowed`, `wait` until when, or `refused` and why — from the same
clash rule as the form, the queue and the calendar; and who holds an environment at a time."""
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from ..core.time import format_london
from ..extensions import db
from ..outages.downtime import overlapping
from ..outages.models import Outage
from ..participants.models import Participant
from ..participants.services import first_open_step
from ..rfcs.states import RfcStatus
from ..windows.support import freezes_between
from . import rules
from .models import HOLDING, Slot, SlotStatus, TestPhase, slot_participants

ALLOWED, WAIT, REFUSED = "allowed", "wait", "refused"


@dataclass
class Answer:
    answer: str
    reasons: list = field(default_factory=list)
    until: object = None  # wait: until when; allowed: how long it holds
    slot: object = None


def _wait_or_allowed(found, slot_end, slot=None):
    if found:
        return Answer(WAIT, [f"{c.label} {c.text}" for c in found], max(c.end or slot_end for c in found), slot)
    return Answer(ALLOWED, [], slot_end, slot)


# A participant's slot allocated in an environment that ends after a moment, the soonest first: through the
# participant's own slots (an index), not every slot; built once, its values bound at each check.
_OWN_NEXT = (select(Slot).where(
    Slot.id.in_(select(slot_participants.c.slot_id)
                .where(slot_participants.c.participant_id == bindparam("participant"))),
    Slot.environment_id == bindparam("environment"), Slot.status == SlotStatus.ALLOCATED, Slot.end > bindparam("at"))
    .order_by(Slot.start).limit(1))


def for_participant(participant, environment, at):
    """May the participant test in the environment at `at`? Refused without its connectivity signed off (the open
    step named) or without a slot of its own there; wait until its next slot starts, or until what blocks it now
    ends; allowed until its slot ends."""
    step = first_open_step(participant.id, environment)
    if step:
        return Answer(REFUSED, [step])
    asked = {"participant": participant.id, "environment": environment.id, "at": at}
    own = db.session.scalars(_OWN_NEXT, asked).first()
    if own is None:
        return Answer(REFUSED, [f"{participant.organisation.name} has no slot on {environment.name} from "
                                f"{format_london(at)}: request one."])
    if own.start > at:
        return Answer(WAIT, [f"Its next slot on {environment.name} starts {format_london(own.start)}."], own.start,
                      own)
    found = rules.clashes([rules.Want(0, environment, at, own.end, own.phase_id, (participant.id,), own.exclusive,
                                      own.id)])[0]
    return _wait_or_allowed([c for c in found if c.start is not None], own.end, own)


def for_rfc(rfc, at):
    """May the RFC deploy at `at`? Refused unless approved and within its window; wait until the window opens, or
    until a slot held on its environments ends; allowed until the window closes."""
    if rfc.status != RfcStatus.APPROVED:
        return Answer(REFUSED, [f"{rfc.number} is {rfc.status.value}, not approved."])
    if not rfc.window_start or at >= rfc.window_end:
        return Answer(REFUSED, [f"{rfc.number}'s window is over: agree a new one."])
    if at < rfc.window_start:
        return Answer(WAIT, [f"{rfc.number}'s window opens {format_london(rfc.window_start)}."], rfc.window_start)
    found = rules.clashes([rules.Want(e.id, e, at, rfc.window_end) for e in rfc.environments])
    held = [c for e in rfc.environments for c in found[e.id] if c.kind == "slot"]
    return _wait_or_allowed(held, rfc.window_end)


def holders(environment, at):
    """Who holds the environment at `at`: the slots, the stages, and any freeze or outage."""
    slots = db.session.scalars(select(Slot).options(selectinload(Slot.participants).selectinload(
        Participant.organisation)).where(Slot.environment_id == environment.id, Slot.status.in_(HOLDING),
                                         Slot.start <= at, Slot.end > at).order_by(Slot.start)).all()
    stages = [s for s in db.session.scalars(select(TestPhase).where(TestPhase.environment_id == environment.id))
              if s.starts <= at < s.ends]
    freezes = freezes_between([environment.id], at, at + timedelta(minutes=1))
    outages = db.session.scalars(select(Outage).where(overlapping(at, at + timedelta(minutes=1)),
                                                      Outage.environment_id == environment.id)).all()
    return dict(slots=slots, stages=stages, freezes=freezes, outages=[o for o in outages if o.start <= at])
