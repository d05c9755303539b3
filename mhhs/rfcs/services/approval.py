"""Approval (RCM 4.2): the queue's pending rows, decisions per phase, governance approval of a Major release, version
order at approval."""

from functools import lru_cache

from sqlalchemy import Integer, bindparam, case, delete, func, insert, inspect, select, union_all
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ...audit.services import record
from ...baseline.versions import parse
from ...core.services import Conflict, Invalid, Refused, unit_of_work
from ...core.time import format_london, utcnow
from ...directory.models import Environment
from ...extensions import db
from ...notifications.services import members, notify
from .. import rules
from ..models import APPROVAL_GATE, Approval, Consultation, PendingApproval, Rfc, priority_of, rfc_environments
from ..numbers import rfc_number
from ..permissions import approved_phases, can_record_governance, needs_governance, phases_to_decide
from ..states import Decision, ReleaseType, RfcStatus, stands
from .common import CONFLICT, _check_row_version
from .consultation import objection_text
from .control_points import _tick


def sync_pending(rfc):
    """The RFC's rows in the approval queue: one per phase still to approve its current revision, none once it is
    no longer submitted. Called by every service that moves an RFC into, through or out of the queue."""
    waiting = rfc.phases - approved_phases(rfc) if rfc.status == RfcStatus.SUBMITTED else set()
    keep = [p for p in rfc.pending if p.phase in waiting]
    rfc.pending = keep + [PendingApproval(phase=phase, priority=priority_of(rfc), window_start=rfc.window_start)
                          for phase in sorted(waiting - {p.phase for p in keep})]


def rebuild_pending():
    """Every queue row made again from the RFCs and their approvals (after a bulk load); returns how many."""
    approved = select(Approval.rfc_id).where(Approval.rfc_id == Rfc.id, Approval.revision == Rfc.revision,
                                             Approval.decision == Decision.APPROVED,
                                             Approval.phase == Environment.phase)
    rows = select(Rfc.id, Environment.phase, case((Rfc.release_type == ReleaseType.EMERGENCY, 0), else_=1),
                  Rfc.window_start).distinct() \
        .join(rfc_environments, rfc_environments.c.rfc_id == Rfc.id) \
        .join(Environment, Environment.id == rfc_environments.c.environment_id) \
        .where(Rfc.status == RfcStatus.SUBMITTED, ~approved.exists())
    db.session.execute(delete(PendingApproval))
    db.session.execute(insert(PendingApproval).from_select(["rfc_id", "phase", "priority", "window_start"], rows))
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(PendingApproval))


def _phases_or_refuse(user, rfc):
    """The manager's phases still to decide on the RFC's current revision; refuses when there are none."""
    if rfc.status != RfcStatus.SUBMITTED:
        raise Refused(f"{rfc.number} is {rfc.status.value}: there is nothing to decide.")
    phases = phases_to_decide(user, rfc)
    if not phases:
        if user.phases & rfc.phases:
            raise Refused(f"Your phase has already approved revision {rfc.revision} of {rfc.number}.")
        raise Refused(f"{rfc.number} targets {', '.join(sorted(p.value for p in rfc.phases))} only: "
                      "it is outside your phase scope.")
    return phases


def _check_may_approve(rfc, comment):
    """What stops an approval: governance of a Major release, open control points, a higher version approved since
    the submission (which a comment confirms)."""
    if needs_governance(rfc):
        raise Refused("A Major release needs the programme governance (GNG) approval reference and date "
                      "recorded before it can be approved.")
    gate = rules.open_control_points(rfc, APPROVAL_GATE)
    if gate:
        raise Refused(rules.gate_message(gate, "approving"))
    higher = None if comment else overtaken_by([rfc]).get(rfc.id)  # a comment confirms it whatever was approved
    if higher:
        raise Invalid({"comment": f"{version_order_text(rfc, higher)}: confirm with a comment that "
                                  f"{rfc.version} should still go ahead."})


@unit_of_work(CONFLICT)
def decide(user, rfc, decision, comment="", expected_version=None):
    """Approve, reject or request changes for the manager's phases on the current revision; returns the objections
    an approval goes ahead over ("" when none), which the manager is told. Everything is read first, then written in
    one flush: no statement in between waits for a flush (SQLite's write lock is held the shortest time)."""
    _read_for_decision(rfc)
    _check_row_version(rfc, expected_version)
    phases = _phases_or_refuse(user, rfc)
    comment = (comment or "").strip()
    if decision != Decision.APPROVED and not comment:
        action = "reject" if decision == Decision.REJECTED else "request changes"
        raise Invalid({"comment": f"Say why: a comment is needed to {action}."})
    objected = ""
    if decision == Decision.APPROVED:
        _check_may_approve(rfc, comment)
        # RCM §13: an objection of a consulted organisation does not block approval; the approval names it.
        objected = objection_text(rfc)
    finished = decision != Decision.APPROVED or approved_phases(rfc) | phases >= rfc.phases
    with db.session.no_autoflush:  # the recipients' queries below need none of these rows
        now = utcnow()
        for phase in sorted(phases):
            rfc.approvals.append(Approval(revision=rfc.revision, phase=phase, decision=decision, by_id=user.id,
                                          at=now, comment=comment))
        if decision == Decision.REJECTED:
            rfc.status = RfcStatus.REJECTED
        elif decision == Decision.CHANGES_REQUESTED:
            rfc.status = RfcStatus.CHANGES_REQUESTED
        elif finished:
            rfc.status, rfc.approved_at = RfcStatus.APPROVED, now
            _tick(rfc, "approve", user)
        _leave_queue(rfc, None if finished else phases)
        record(f"rfc.{decision.name.lower()}", actor=user, obj=rfc,
               summary=f"{'+'.join(sorted(p.value for p in phases))}, revision {rfc.revision}"
                       + (f", over the objection of {objected}" if objected else "")
                       + (f": {comment}" if comment else ""))
        if finished:  # decided: the raising organisation hears
            notify("rfc_decided", members(rfc.organisation_id), "rfcs.detail", {"rfc_id": rfc.id}, rfc=rfc, by=user,
                   comment=comment)
    db.session.commit()
    return objected


def _read_for_decision(rfc):
    """The RFC as it is now (under SQLite's write lock), with all a decision reads of it, in two statements: its
    approvals, control points (the gate), consultations (objections) and system (the e-mail) joined (each a handful
    of rows), then its environments (the phases; joined, SQLite would scan every RFC's environments first), set as
    loaded: a selectinload would build its statement again at every decision."""
    state = inspect(rfc)
    seen = state.dict.get("row_version")  # the version the caller holds, unless its transaction ended since
    rfc_id = {"rfc_id": state.identity[0]}  # (not rfc.id: one more read)
    db.session.execute(_DECISION_READ, rfc_id).unique().one()
    set_committed_value(rfc, "environments", db.session.scalars(_DECISION_ENVIRONMENTS, rfc_id).all())
    if seen is not None and seen != rfc.row_version:  # changed since the caller read it: a lost update, refused
        raise Conflict(CONFLICT)


# One statement object each for every decision: SQLAlchemy makes their cache keys once, not per request.
_DECISION_READ = select(Rfc).where(Rfc.id == bindparam("rfc_id")).options(
    joinedload(Rfc.approvals), joinedload(Rfc.control_points),
    joinedload(Rfc.consultations).joinedload(Consultation.organisation), joinedload(Rfc.system)) \
    .execution_options(populate_existing=True)
_DECISION_ENVIRONMENTS = select(Environment) \
    .join(rfc_environments, rfc_environments.c.environment_id == Environment.id) \
    .where(rfc_environments.c.rfc_id == bindparam("rfc_id")).order_by(Environment.position) \
    .execution_options(populate_existing=True)


def _leave_queue(rfc, phases):
    """What a decision changes in the approval queue: the rows of the phases just approved, or every row of the RFC
    once it is decided (None). The queue held one row per phase still to approve before (sync_pending); the other
    rows stay as they are, unread."""
    if phases is None:
        db.session.execute(_LEAVE_QUEUE, {"rfc_id": rfc.id})
    else:
        db.session.execute(_LEAVE_QUEUE_PHASES, {"rfc_id": rfc.id, "phases": list(phases)})
    db.session.expire(rfc, ["pending"])


_PENDING = PendingApproval.__table__
_LEAVE_QUEUE = delete(_PENDING).where(_PENDING.c.rfc_id == bindparam("rfc_id"))  # built and keyed once
_LEAVE_QUEUE_PHASES = _LEAVE_QUEUE.where(_PENDING.c.phase.in_(bindparam("phases", expanding=True)))


@unit_of_work(CONFLICT)
def record_governance(user, rfc, reference, day):
    if not can_record_governance(user, rfc):
        raise Refused("Governance approval is recorded for a Major release while it awaits approval.")
    rfc.gng_reference, rfc.gng_date = reference.strip(), day
    _tick(rfc, "governance", user)
    record("rfc.governance", actor=user, obj=rfc, summary=f"GNG {rfc.gng_reference} on {day:%Y-%m-%d}")
    db.session.commit()



def overtaken_by(rfcs):
    """{rfc id: the highest-versioned RFC of the same system approved since it was submitted, with a higher version}."""
    rfcs = [r for r in rfcs if r.system_id and r.submitted_at and parse(r.version)]
    if not rfcs:
        return {}
    # The index on system and approved_at finds them (few RFCs of a system are approved after any one submission);
    # the rest of the conditions are tested here, so that no planner prefers the index on status.
    query = select(Rfc.id, Rfc.system_id, Rfc.version, Rfc.approved_at, Rfc.status, Rfc.outcome).where(
        Rfc.system_id.in_({r.system_id for r in rfcs}), Rfc.approved_at > min(r.submitted_at for r in rfcs))
    rows = db.session.connection().execute(query).all()  # plain rows
    # Each system's candidates, highest version first: an RFC's answer is the first approved since its submission.
    candidates = {}
    for version, other in sorted(((version, o) for o in rows if stands(o.status, o.outcome)
                                  and (version := parse(o.version))), key=lambda found: found[0], reverse=True):
        candidates.setdefault(other.system_id, []).append((version, other))
    result = {}
    for rfc in rfcs:
        version = parse(rfc.version)
        for higher, other in candidates.get(rfc.system_id, []):
            if higher <= version:
                break
            if other.id != rfc.id and other.approved_at > rfc.submitted_at:
                result[rfc.id] = other
                break
    return result


# How many of a system's approved windows after an RFC's the version-order check reads (the nearest first): a system
# has a handful waiting to deploy, and the warning names the first few lower versions.
LATER_WINDOWS = 10
NAMED = 3  # lower versions named before "and more"


def deployed_out_of_order(rfcs):
    """{rfc id: the lower-versioned RFCs of the same system that are approved, not deployed yet, and whose window
    starts after this RFC's (the nearest first)}: approving it puts the higher version in before them (the approver
    sees it first). One statement for the page's RFCs, reading at most LATER_WINDOWS windows after each."""
    rfcs = [r for r in rfcs if r.system_id and r.window_start and parse(r.version)]
    if not rfcs:
        return {}
    params = {}
    for index, rfc in enumerate(rfcs):
        params |= {f"rfc{index}": rfc.id, f"system{index}": rfc.system_id, f"after{index}": rfc.window_start}
    later = {}
    for row in db.session.execute(_later_windows(len(rfcs)), params):  # plain rows
        later.setdefault(row.for_id, []).append(row)
    result = {}
    for rfc in rfcs:
        mine = parse(rfc.version)
        lower = [o for o in later.get(rfc.id, ()) if (version := parse(o.version)) and version < mine]
        if lower:
            result[rfc.id] = sorted(lower, key=lambda o: (o.window_start, o.id))
    return result


@lru_cache(maxsize=32)
def _later_windows(count):
    """The statement reading, for each of `count` RFCs (bound as rfc{i}, system{i} and after{i}: its window start),
    the first LATER_WINDOWS approved windows of its system after its own: built once per number of RFCs and reused
    with new values, so that SQLAlchemy neither builds nor keys it again."""
    parts = []
    for index in range(count):
        rfc_id = bindparam(f"rfc{index}", type_=Integer)
        parts.append(select(rfc_id.label("for_id"), Rfc.id, Rfc.version, Rfc.window_start)
                     .where(Rfc.system_id == bindparam(f"system{index}"), Rfc.status == RfcStatus.APPROVED,
                            Rfc.window_start > bindparam(f"after{index}"), Rfc.id != rfc_id)
                     .order_by(Rfc.window_start, Rfc.id).limit(LATER_WINDOWS).subquery())
    return union_all(*(select(part) for part in parts))


def out_of_order_text(rfc, lower):
    named = ", ".join(f"{o.version} ({rfc_number(o.id)}, window {format_london(o.window_start)})"
                      for o in lower[:NAMED])
    more = " and more" if len(lower) > NAMED else ""
    return (f"{named}{more} approved and not deployed yet, with a later window: approving {rfc.version} puts it in "
            f"before {'a lower version' if len(lower) == 1 else 'lower versions'}")


def version_order_text(rfc, higher):
    return (f"{rfc.system.name} {higher.version} ({rfc_number(higher.id)}) was approved after this RFC was submitted, "
            f"and is higher than {rfc.version}")
