"""Deployment (RCM 4.4): each target environment's outcome, which sets the baseline; retests where a defect was found
(RCM §7.4, §14)."""


from ...audit.services import record
from ...baseline import services as baseline
from ...baseline.versions import parse
from ...core.services import Invalid, Refused, unit_of_work
from ...core.time import utcnow
from ...extensions import db
from ...notifications import mail_groups
from ...notifications.models import MailGroup
from ...notifications.services import notify, subscribers
from .. import rules
from ..models import SMOKE_RESULTS, Deployment, Retest, RetestResult
from ..permissions import can_record_deployment, can_record_retest, ready_for_retest
from ..states import Outcome
from .common import CONFLICT
from .control_points import _tick


def check_may_record_deployment(user, rfc):
    if not can_record_deployment(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value}: a deployment is recorded once it is approved.")


@unit_of_work(CONFLICT)
def record_deployment(user, rfc, environment_id, outcome, actual_start, actual_end, version="", issues="",
                      resolutions="", now=None, smoke_test="not run", confirmed_by="", instruction_errors=""):
    """The outcome in one target environment; the RFC takes its overall outcome once every target has one. RCM 4.4:
    the sign-off records the smoke test result, who confirmed it (needed once it ran) and the errors found in the
    installation instructions."""
    check_may_record_deployment(user, rfc)
    environment = next((e for e in rfc.awaiting_outcome if e.id == environment_id), None)
    version = (version or "").strip()
    problems = rules.deployment_problems(rfc, outcome, actual_start, actual_end, version, now or utcnow())
    if environment is None:
        problems["environment_id"] = "Choose a target environment whose outcome is not recorded yet."
    confirmed_by = (confirmed_by or "").strip()
    if smoke_test not in SMOKE_RESULTS:
        problems["smoke_test"] = "Choose passed, failed or not run."
    elif smoke_test != "not run" and not confirmed_by:
        problems["confirmed_by"] = f"Name who confirmed the smoke test {smoke_test} (RCM 4.4)."
    if problems:
        raise Invalid(problems)
    running = {Outcome.DEPLOYED: rfc.version, Outcome.FIXED_FORWARD: ".".join(map(str, parse(version) or ()))
               }.get(outcome, "")
    deployment = Deployment(environment_id=environment.id, environment=environment, outcome=outcome,
                            actual_start=actual_start, actual_end=actual_end,
                            version=running,
                            issues=(issues or "").strip(), resolutions=(resolutions or "").strip(), by_id=user.id,
                            smoke_test=smoke_test, confirmed_by=confirmed_by,
                            instruction_errors=(instruction_errors or "").strip())
    rfc.deployments.append(deployment)
    rfc.updated_at = utcnow()  # a new row version: two people recording the same environment at once conflict
    baseline.set_cell(environment.id, rfc.system_id, running, actual_end, outcome.value, by=user, rfc=rfc,
                      moves=outcome != Outcome.ROLLED_BACK)
    if deployment.received:
        ready = [d for d in rfc.defects if d.found_in_id == environment.id and not d.ready_for_retest]
        for defect in ready:
            defect.ready_for_retest = True
        if ready:
            _tell_testers(rfc, environment, ready)
    if not rfc.awaiting_outcome:
        rfc.status = rfc.outcome = rules.overall_outcome(rfc.deployments)
        _tick(rfc, "deployment", user)
    record("rfc.deployment", actor=user, obj=rfc,
           summary=f"{environment.name}: {outcome.value}" + (f" ({running})" if outcome == Outcome.FIXED_FORWARD
                                                             else "") + f"; issues: {deployment.issues or 'none'}"
                   + f"; smoke test {smoke_test}" + (f", confirmed by {confirmed_by}" if confirmed_by else ""))
    db.session.commit()
    return deployment


def _tell_testers(rfc, environment, defects):
    """RCM 5.1: the users who test in the environment hear, once (a defect becomes ready for retest once), that its
    defects are ready for retest: those who follow the environment or the system, and the members of the
    participants' list of the environment's phase (no record says which organisation tests where)."""
    notify("ready_for_retest", subscribers([rfc.system_id], [environment.id]), "retests.retests",
           {"environment": environment.id},
           listed=mail_groups.members_of(mail_groups.standing(MailGroup.participants_key(environment.phase))),
           rfc=rfc, environment=environment, defects=defects)



def check_waits_for_retest(defect):
    if not ready_for_retest(defect):
        raise Refused(f"{defect.defect_id} is not waiting for a retest in {defect.found_in.name}.")


def record_retest(user, defect, result, note, follow_up):
    check_waits_for_retest(defect)
    if not can_record_retest(user, defect):
        raise Refused(f"You do not record retests of {defect.defect_id}.")
    note, follow_up = (note or "").strip(), (follow_up or "").strip()
    if result == RetestResult.FAILED and not follow_up:
        raise Invalid({"follow_up": "A failed retest needs its follow-up: the defect or RFC that takes it on."})
    defect.retests.append(Retest(result=result, note=note, follow_up=follow_up, by_id=user.id))
    record("rfc.retest", actor=user, obj=defect.rfc,
           summary=f"{defect.defect_id} in {defect.found_in.name}: {result.value}"
                   + (f"; follow-up {follow_up}" if follow_up else "") + (f"; {note}" if note else ""))
    db.session.commit()
