"""Environment allocation: slots listed and requested (as the slots page does), who holds an environment at a
time, and the pipeline's check: allowed, wait (until) or refused (why)."""
from flask import abort
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..allocation import check as checks
from ..allocation import services
from ..allocation.models import Purpose, Slot, TestPhase
from ..allocation.permissions import can_keep_allocation, can_request_slot, own_participant_ids
from ..core.time import format_london, utcnow
from ..directory.models import Organisation
from ..extensions import db
from ..participants.models import Participant, Route, Tranche
from ..rfcs.models import Rfc
from ..rfcs.numbers import parse_rfc_number
from ..rfcs.permissions import visible_clause
from ..windows.support import freeze_text
from . import schemas
from .authentication import api_access
from .blueprint import bp
from .errors import invalid
from .names import Names


def _books(user):
    return can_keep_allocation(user) or can_request_slot(user)


# The participants of some organisations, by name: built once, the names bound at each request.
_BY_NAME = (select(Participant).join(Organisation, Organisation.id == Participant.organisation_id)
            .where(Organisation.name.in_(bindparam("names", expanding=True))))


def _participants(names):
    found = db.session.scalars(_BY_NAME, {"names": list(names)}).all()
    if len(found) != len(set(names)):
        known = {p.organisation.name for p in found}
        invalid([{"field": "participants", "detail": f"“{n}” is not on the participant register."}
                 for n in names if n not in known])
    return found


@bp.route("/allocation/slots", methods=["GET"])
@api_access("allocation")
@bp.arguments(schemas.SlotFilters(), location="query")
@bp.response(200, schemas.SlotList)
def slot_list(filters):
    """The slots to come that the token's user may see (a Test Participant its own), soonest first, at most 200."""
    query = services.visible_slots(current_user).where(Slot.end > utcnow())
    if filters.get("environment"):
        names = Names()
        environment = names.environment(filters["environment"], "environment")
        names.check()
        query = query.where(Slot.environment_id == environment.id)
    return {"items": db.session.scalars(query.order_by(Slot.start, Slot.id).limit(200)).all()}


@bp.route("/allocation/slots", methods=["POST"])
@api_access("allocation", _books)
@bp.arguments(schemas.SlotIn())
@bp.response(201, schemas.SlotList)
def request_slot(data):
    """Allocate a slot (a Release Manager) or request one for the token's own organisation; a series of weekdays
    with repeat_until. A request whose time is held waits on the waitlist (status waiting)."""
    names = Names()
    environment = names.environment(data["environment"], "environment")
    names.check()
    participants = _participants(data["participants"])
    if not can_keep_allocation(current_user) and {p.id for p in participants} - own_participant_ids(current_user):
        abort(404, "There is no such participant you may request for.")
    stage = None
    if data.get("stage_name"):
        stage = db.session.scalar(select(TestPhase).where(TestPhase.name == data["stage_name"],
                                                          TestPhase.environment_id == environment.id))
        if stage is None:
            invalid([{"field": "stage", "detail": f"There is no stage “{data['stage_name']}” on {environment.name}."}])
    slots = services.book(current_user, environment.id, stage and stage.id, [p.id for p in participants],
                          data["start"], data["end"], Purpose(data["purpose"]), data["note"], data["repeat_until"])
    return {"items": slots}, 201


@bp.route("/tranches", methods=["GET"])
@api_access("allocation")
@bp.arguments(schemas.TrancheFilters(), location="query")
@bp.response(200, schemas.TrancheList)
def tranche_list(filters):
    """The Qualification and E2E Sandbox tranches, by kind and first day: environment, days, the participants the
    Code Bodies allocated, who allocated them and who entered it (as the tranches page shows everyone)."""
    query = select(Tranche).options(joinedload(Tranche.environment), joinedload(Tranche.entered_by)).order_by(
        Tranche.route, Tranche.first_day, Tranche.name)
    if filters.get("environment"):
        names = Names()
        environment = names.environment(filters["environment"], "environment")
        names.check()
        query = query.where(Tranche.environment_id == environment.id)
    if filters.get("kind"):
        query = query.where(Tranche.route == Route(filters["kind"]))
    tranches = db.session.scalars(query).all()
    members = services.tranche_members([t.id for t in tranches])
    for tranche in tranches:
        tranche.participants = [p.organisation.name for p in members.get(tranche.id, [])]
    return {"items": tranches}


@bp.route("/stages", methods=["GET"])
@api_access("allocation")
@bp.arguments(schemas.StageFilters(), location="query")
@bp.response(200, schemas.StageList)
def stage_list(filters):
    """The test stages on environments, by first day: days, whether each runs alone, and the recorded leave for it to
    overlap another stage (with the reason), as the test-phase plan shows everyone."""
    query = select(TestPhase).options(joinedload(TestPhase.environment)).order_by(TestPhase.first_day, TestPhase.id)
    if filters.get("environment"):
        names = Names()
        environment = names.environment(filters["environment"], "environment")
        names.check()
        query = query.where(TestPhase.environment_id == environment.id)
    stages = db.session.scalars(query).all()
    overlaps = {}
    for record in services.overlap_records([s.id for s in stages]):
        for this, other in ((record.first, record.second), (record.second, record.first)):
            overlaps.setdefault(this.id, []).append({
                "stage": other.name, "reason": record.reason, "recorded_by": record.recorded_by.name,
                "recorded_at": record.recorded_at})
    for stage in stages:
        stage.overlaps = overlaps.get(stage.id, [])
    return {"items": stages}


@bp.route("/environments/<name>/allocation", methods=["GET"])
@api_access("allocation")
@bp.arguments(schemas.CheckQuery(only=("at",)), location="query")
@bp.response(200, schemas.Holders)
def environment_allocation(query, name):
    """Who holds the environment at a time (now when `at` is absent): its slots, stages, freezes and outages."""
    names = Names()
    environment = names.environment(name, "name")
    names.check()
    at = query.get("at") or utcnow()
    found = checks.holders(environment, at)
    mine = own_participant_ids(current_user)
    return {"environment": environment.name, "at": at,
            "slots": [s for s in found["slots"] if current_user.role.value != "test_participant"
                      or {p.id for p in s.participants} & mine],
            "stages": [s.name for s in found["stages"]], "freezes": [freeze_text(f) for f in found["freezes"]],
            "outages": [f"{'Planned' if o.planned else 'Unplanned'} outage from {format_london(o.start)}"
                        for o in found["outages"]]}


@bp.route("/allocation/check", methods=["GET"])
@api_access("allocation")
@bp.arguments(schemas.CheckQuery(), location="query")
@bp.response(200, schemas.CheckAnswer)
def check(query):
    """May a participant test, or an RFC deploy, at a time (now when absent)? allowed (until when it holds), wait
    (until when) or refused (why)."""
    at = query.get("at") or utcnow()
    if query.get("rfc"):
        number = parse_rfc_number(query["rfc"])
        rfc = db.session.scalar(select(Rfc).where(Rfc.id == number, visible_clause(current_user))) if number else None
        if rfc is None:
            abort(404, "There is no such RFC you may see.")
        return checks.for_rfc(rfc, at)
    if not query.get("participant") or not query.get("environment"):
        invalid([{"field": "participant", "detail": "Name a participant and an environment, or an RFC."}])
    names = Names()
    environment = names.environment(query["environment"], "environment")
    names.check()
    participant = _participants([query["participant"]])[0]
    if current_user.role.value == "test_participant" and participant.id not in own_participant_ids(current_user):
        abort(404, "There is no such participant you may ask about.")
    return checks.for_participant(participant, environment, at)
