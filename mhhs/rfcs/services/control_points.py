"""Control points (RCM Table 9): met by their step, or settled by a Release Manager with evidence or as not
applicable."""


from ...audit.services import record
from ...core.services import Invalid, Refused, unit_of_work
from ...core.time import utcnow
from ...extensions import db
from .. import rules, targets
from ..models import APPROVAL_GATE, BY_HAND, CONTROL_POINTS, ControlPoint
from ..permissions import can_tick_control_points
from ..states import ReleaseType
from .common import CONFLICT


def _tick(rfc, event, user, note=""):
    for number, _text, _step, ticked_by in CONTROL_POINTS:
        if ticked_by == event and number not in {c.number for c in rfc.control_points}:
            rfc.control_points.append(ControlPoint(number=number, by_id=getattr(user, "id", None), note=note))


def _emergency_not_applicable(rfc):
    """RCM §12.8, Table 10: the control points an Emergency release's three steps do not have are not applicable by
    themselves, with the reason (no one's name); a revision that is no longer an Emergency opens them again."""
    emergency = rfc.release_type == ReleaseType.EMERGENCY
    for point in list(rfc.control_points):
        if not emergency and point.by_id is None and point.not_applicable \
                and point.number in rules.EMERGENCY_NOT_APPLICABLE:
            rfc.control_points.remove(point)
    if emergency:
        for number, reason in rules.EMERGENCY_NOT_APPLICABLE.items():
            if number not in {c.number for c in rfc.control_points}:
                rfc.control_points.append(ControlPoint(number=number, not_applicable=True, note=reason))


@unit_of_work(CONFLICT)
def set_control_points(user, rfc, numbers, not_applicable=False, note=""):
    """A Release Manager ticks control points with their evidence, or marks them not applicable with the reason.
    Control point 3 takes its evidence from the baseline when the target environments run what the RFC builds on."""
    if not can_tick_control_points(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value}: its control points can no longer be changed.")
    if not numbers:
        raise Invalid({"numbers": "Choose the control points."})
    if set(numbers) - set(BY_HAND):
        raise Refused("Control points 1, 2, 7 and 9 are met by their own step: submission, the governance "
                      "approval, the approval and the closure.")
    gate = rules.current_gate(rfc)
    later = sorted(set(numbers) - set(gate))
    if later:
        raise Refused(f"Control point {', '.join(map(str, later))} comes "
                      f"{'after the deployment' if gate == APPROVAL_GATE else 'before the approval'}.")
    closed = [n for n in numbers if n in {c.number for c in rfc.control_points}
              or not rules.control_point_applies(rfc, n)]
    if closed:
        raise Refused(f"Control point {', '.join(map(str, closed))} is closed already.")
    note = (note or "").strip()
    evidence = {n: note for n in numbers}
    if 3 in numbers and not note and not not_applicable:
        running, _base, met = targets.target_baseline(rfc)
        if met:
            evidence[3] = "Baseline: " + ", ".join(f"{e.name} runs {v}" for e, v in running)
    if not all(evidence.values()):
        raise Invalid({"note": "Say why it does not apply." if not_applicable else
                       "Give the evidence (the baseline does not show control point 3)." if evidence.get(3) == ""
                       else "Give the evidence, e.g. where it was approved."})
    for number in sorted(numbers):
        rfc.control_points.append(ControlPoint(number=number, by_id=user.id, note=evidence[number][:500],
                                               not_applicable=not_applicable))
    rfc.updated_at = utcnow()  # a new row version: two managers at once conflict instead of colliding
    record("rfc.control_point", actor=user, obj=rfc,
           summary=f"{'marked' if not_applicable else 'ticked'} control point{'s' if len(numbers) > 1 else ''} "
                   f"{', '.join(map(str, sorted(numbers)))}{' not applicable' if not_applicable else ''}: "
                   + "; ".join(dict.fromkeys(evidence[n] for n in sorted(numbers))))
    db.session.commit()
