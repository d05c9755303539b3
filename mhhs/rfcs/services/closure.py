"""Review and closure (RCM 5.1, 5.2, Table 10 step 3): the rollout report, lessons learnt, closing, and the work-off
actions each with its owner and due date."""

from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from ...audit.services import record
from ...core.permissions import is_manager
from ...core.services import Invalid, Refused, unit_of_work
from ...core.time import to_london, utcnow
from ...directory.models import User
from ...extensions import db
from .. import rules
from ..models import CLOSURE_GATE, Rfc, WorkOffAction
from ..permissions import can_add_lessons, can_add_work_off_action, can_close_rfc, can_finish_work_off_action
from ..states import RfcStatus
from .common import CONFLICT
from .control_points import _tick


def _closure_fields(user, rfc, report, lessons, actions):
    """Control point 10 is met once the rollout report (and, after a deviation, the lessons learnt) are in."""
    rfc.rollout_report, rfc.lessons_learnt, rfc.work_off_actions = (
        (report or "").strip(), (lessons or "").strip(), (actions or "").strip())
    if not rules.closure_problems(rfc, rfc.rollout_report, rfc.lessons_learnt):
        _tick(rfc, "lessons", user, note="Rollout report" + (" and lessons learnt" if rfc.lessons_learnt else ""))


@unit_of_work(CONFLICT)
def add_lessons(user, rfc, report, lessons, actions):
    if not can_add_lessons(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value}: lessons learnt come after the deployment.")
    _closure_fields(user, rfc, report, lessons, actions)
    record("rfc.lessons", actor=user, obj=rfc, summary=rfc.lessons_learnt[:200])
    db.session.commit()


@unit_of_work(CONFLICT)
def close(user, rfc, report, lessons, actions):
    if not is_manager(user):
        raise Refused("A Release Manager closes the RFC; you can save the rollout report and lessons learnt.")
    if not can_close_rfc(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value}: it closes once every deployment outcome is recorded.")
    problems = rules.closure_problems(rfc, (report or "").strip(), (lessons or "").strip())
    if any(c.number == 10 and c.not_applicable for c in rfc.control_points):
        problems.pop("rollout_report", None)  # lessons after a deviation are still required (RCM 5.1)
    if problems:
        raise Invalid(problems)
    _closure_fields(user, rfc, report, lessons, actions)
    gate = [n for n in rules.open_control_points(rfc, CLOSURE_GATE) if n != 9]  # closing is control point 9
    if gate:
        raise Refused(rules.gate_message(gate, "closing"))
    rfc.status, rfc.closed_at = RfcStatus.CLOSED, utcnow()
    _tick(rfc, "close", user)
    record("rfc.closed", actor=user, obj=rfc,
           summary=f"lessons learnt: {rfc.lessons_learnt or 'none'}; actions: {rfc.work_off_actions or 'none'}")
    db.session.commit()



WORK_OFF_FIELDS = ["text", "owner_email", "due"]


def add_work_off_action(user, rfc, values, today=None):
    """An action of the review with its owner (an active user, by e-mail address) and due date (today or later)."""
    if not can_add_work_off_action(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value}: work-off actions come from the review after the "
                      "deployment, by its Central Party or a Release Manager.")
    today = today or to_london(utcnow()).date()
    text, email = (values["text"] or "").strip(), (values["owner_email"] or "").strip().lower()
    owner = db.session.scalar(select(User).where(func.lower(User.email) == email, User.active.is_(True))) \
        if email else None
    problems = {}
    if not text:
        problems["text"] = "Say what is to be done."
    if owner is None:
        problems["owner_email"] = (f"No active user of Release Desk has the address {email}." if email
                                   else "Name the owner by their e-mail address.")
    if values["due"] is None:
        problems["due"] = "Give the date it is due."
    elif values["due"] < today:
        problems["due"] = f"A due date cannot be in the past (today is {today:%d %b %Y})."
    if problems:
        raise Invalid(problems)
    action = WorkOffAction(rfc_id=rfc.id, text=text, owner_id=owner.id, due=values["due"], created_by_id=user.id)
    db.session.add(action)
    db.session.flush()
    record("rfc.work_off_action", actor=user, obj=rfc, summary=f"{text} — {owner.name}, due {values['due']:%d %b %Y}")
    db.session.commit()
    return action


def finish_work_off_action(user, action):
    if not can_finish_work_off_action(user, action):
        raise Refused("Only its owner or a Release Manager marks an open work-off action done.")
    action.done_at, action.done_by_id = utcnow(), user.id
    record("rfc.work_off_action_done", actor=user, obj=action.rfc, summary=action.text)
    db.session.commit()


@cache  # built at first use (the mappers configured), not at import
def _open_actions():
    """A user's work-off actions not yet done, built once, the user bound at execution (every home page asks)."""
    return (select(WorkOffAction).where(WorkOffAction.owner_id == bindparam("user_id"), WorkOffAction.done_at.is_(None))
            .options(joinedload(WorkOffAction.rfc).joinedload(Rfc.system))
            .order_by(WorkOffAction.due, WorkOffAction.id))


def open_work_off_actions(user):
    """The user's work-off actions not yet done, the soonest due first (their home page)."""
    return db.session.scalars(_open_actions(), {"user_id": user.id}).all()


@cache  # built at first use (the mappers configured), not at import
def _actions():
    """An RFC's work-off actions with their owners, built once, the RFC bound at execution."""
    return (select(WorkOffAction).where(WorkOffAction.rfc_id == bindparam("rfc_id"))
            .options(joinedload(WorkOffAction.owner)).order_by(WorkOffAction.id))


def work_off_actions(rfc):
    return db.session.scalars(_actions(), {"rfc_id": rfc.id}).all()
