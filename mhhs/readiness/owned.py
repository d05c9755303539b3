"""What conditions of a decision and EWG actions share: an owner (a person or an organisation), a due date, done
once by its owner or a Release Manager, and shown on the owner's home page until done."""
from datetime import date
from functools import cache

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import joinedload

from ..audit.services import record
from ..core.permissions import require
from ..core.services import Invalid, unit_of_work
from ..core.time import to_london, utcnow
from ..directory.models import Organisation, User
from ..extensions import db
from .models import DecisionCondition, EwgAction, ReadinessDecision
from .permissions import can_close_item

OWNER_MISSING = "Choose who owns it: a person or an organisation."
DUE_MISSING = "Enter the day it is due."
DUE_PAST = "The due day has passed: choose today or a later day."
TEXT_MISSING = "Say what is to be done."
TEXT_LIMIT = 1000


def today():
    return to_london(utcnow()).date()


def owner_choices():
    """("user:ID" | "organisation:ID", label) of every active person and every organisation, people first."""
    users = db.session.execute(select(User.id, User.name, Organisation.name).join(User.organisation)
                               .where(User.active.is_(True)).order_by(User.name, User.id)).all()
    organisations = db.session.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name)).all()
    return ([(f"user:{i}", f"{name} ({organisation})") for i, name, organisation in users]
            + [(f"organisation:{i}", f"{name} (organisation)") for i, name in organisations])


def parse_owner(value):
    """(user id, organisation id), one of them None, from an owner choice; (None, None) when none or unknown."""
    kind, _, number = (value or "").partition(":")
    if not number.isdigit() or kind not in ("user", "organisation"):
        return None, None
    model = User if kind == "user" else Organisation
    found = db.session.get(model, int(number)) if int(number) < 2**31 else None
    if found is None or (kind == "user" and not found.active):
        return None, None
    return (found.id, None) if kind == "user" else (None, found.id)


def item_problems(values, prefix=""):
    """{field: message} of an owned item's text, owner and due day (values: text, owner, due_on)."""
    problems = {}
    text = (values.get("text") or "").strip()
    if not text:
        problems[prefix + "text"] = TEXT_MISSING
    elif len(text) > TEXT_LIMIT:
        problems[prefix + "text"] = f"Keep it under {TEXT_LIMIT} characters."
    if parse_owner(values.get("owner")) == (None, None):
        problems[prefix + "owner"] = OWNER_MISSING
    due = values.get("due_on")
    if not isinstance(due, date):
        problems[prefix + "due_on"] = DUE_MISSING
    elif due < today():
        problems[prefix + "due_on"] = DUE_PAST
    return problems


def fill(item, values):
    """Sets an owned item's text, owner and due day from checked values."""
    item.text = values["text"].strip()
    item.owner_user_id, item.owner_organisation_id = parse_owner(values["owner"])
    item.due_on = values["due_on"]
    return item


@cache  # built at first use (the mappers configured), not at import
def _open_items():
    """The statements of a user's open conditions and EWG actions, built once, the user and their organisation bound
    at execution (every home page asks)."""
    def owned(model):
        return or_(model.owner_user_id == bindparam("user_id"),
                   model.owner_organisation_id == bindparam("organisation_id"))
    return (select(DecisionCondition).where(DecisionCondition.done_at.is_(None), owned(DecisionCondition))
            .options(joinedload(DecisionCondition.decision).joinedload(ReadinessDecision.environment),
                     joinedload(DecisionCondition.owner_user), joinedload(DecisionCondition.owner_organisation)),
            select(EwgAction).where(EwgAction.done_at.is_(None), owned(EwgAction))
            .options(joinedload(EwgAction.meeting), joinedload(EwgAction.owner_user),
                     joinedload(EwgAction.owner_organisation)))


def open_items_for(user):
    """The user's open conditions and EWG actions (their own and their organisation's), soonest due first: two
    queries whatever their number."""
    whose = {"user_id": user.id, "organisation_id": user.organisation_id}
    items = [item for statement in _open_items() for item in db.session.scalars(statement, whose)]
    return sorted(items, key=lambda item: (item.due_on, item.__tablename__, item.id))


def item_link(item):
    """(endpoint, arguments) of the page an owned item is on."""
    if isinstance(item, DecisionCondition):
        return "decisions.decision", {"decision_id": item.decision_id}
    return "decisions.ewg_meeting", {"meeting_id": item.meeting_id}


@unit_of_work()
def close_item(user, item, note=""):
    """Marks a condition or action done (its owner or a Release Manager), with an optional note."""
    require(can_close_item(user, item), "Only its owner or a Release Manager marks this done, once.")
    if len(note or "") > TEXT_LIMIT:
        raise Invalid({"done_note": f"Keep it under {TEXT_LIMIT} characters."})
    item.done_at, item.done_by_id, item.done_note = utcnow(), user.id, (note or "").strip()
    obj = item.decision if isinstance(item, DecisionCondition) else item.meeting
    kind = "condition" if isinstance(item, DecisionCondition) else "action"
    record(f"readiness.{kind}_done", actor=user, obj=obj, summary=item.text[:200])
    db.session.commit()
    return item


def overdue_actions(on_day):
    """EWG actions still open after their due day, oldest due first."""
    return db.session.scalars(select(EwgAction).where(EwgAction.done_at.is_(None), EwgAction.due_on < on_day)
                              .options(joinedload(EwgAction.owner_user), joinedload(EwgAction.owner_organisation),
                                       joinedload(EwgAction.meeting))
                              .order_by(EwgAction.due_on, EwgAction.id)).all()
