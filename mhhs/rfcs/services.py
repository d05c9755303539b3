"""RFC state changes as guarded transitions: each checks the state, records who/when/why, audits, commits."""

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from ..audit.services import record
from ..core import search
from ..core.permissions import is_manager
from ..core.services import Conflict, Invalid, Refused, get_visible_or_404, unit_of_work
from ..core.time import format_london, to_london, utcnow
from ..directory.models import Environment, System, User
from ..notifications import mail_groups
from ..notifications.models import MailGroup
from ..notifications.services import managers_of, notify, subscribers, users_of
from ..windows.support import freezes_between
from ..extensions import db
from ..baseline import services as baseline
from . import rules, targets
from .numbers import rfc_number
from .models import (APPROVAL_GATE, BY_HAND, CLOSURE_GATE, CONTROL_POINTS, SMOKE_RESULTS, Approval, ChangeRequest,
                     ControlPoint, Defect, Deployment, PendingApproval, Retest, RetestResult, Revision, Rfc,
                     WorkOffAction, priority_of, rfc_environments)
from .states import PUBLIC_STATUSES, Decision, Outcome, ReleaseType, RfcStatus, stands
from .permissions import (ready_for_retest, approved_phases, can_add_lessons, can_add_work_off_action, can_close_rfc,
                          can_edit_rfc, can_finish_work_off_action,
                          can_record_deployment, can_record_governance, can_record_retest, can_tick_control_points,
                          can_withdraw_rfc, needs_governance, phases_to_decide, visible_clause)
from .versions import next_version, version_problem
from ..baseline.versions import parse

CONFLICT = "Someone else changed this RFC at the same moment; nothing was saved. Reload and try again."


def visible_rfc(user, rfc_id):
    """The query for one RFC, which finds it only if this user may see it."""
    return select(Rfc).where(Rfc.id == rfc_id, visible_clause(user))


def get_visible(user, rfc_id):
    return db.session.scalar(visible_rfc(user, rfc_id))


def rfc_or_404(user, rfc_id):
    return get_visible_or_404(visible_rfc(user, rfc_id))


# Versions --------------------------------------------------------------------------------

def system_versions(system_id, exclude_rfc_id=None):
    """(the version a new release builds on, every version used) for a system. It builds on the higher of its last
    approved release (one rolled back everywhere no longer counts) and the highest version running anywhere."""
    query = select(Rfc.version, Rfc.status, Rfc.outcome).where(Rfc.system_id == system_id, Rfc.version != "")
    if exclude_rfc_id:
        query = query.where(Rfc.id != exclude_rfc_id)
    rows = db.session.connection().execute(query).all()  # plain rows: the ORM's are 8 times dearer to make
    taken = {v for v, s, _ in rows if s not in (RfcStatus.DRAFT, RfcStatus.REJECTED, RfcStatus.WITHDRAWN)}
    known = [(parsed, v) for v, s, outcome in rows if stands(s, outcome) and (parsed := parse(v))]
    running = baseline.highest_running(system_id)
    if running:
        known.append((parse(running), running))
    return (max(known)[1] if known else None), taken


def version_context(user, system_id, release_type, typed, rfc_id=None):
    """What the form says under Version: the proposal, the last approved version, a problem, emergency fixes."""
    system = db.session.get(System, system_id) if system_id else None
    if system is None or system.organisation_id != user.organisation_id:
        return {}
    last, taken = system_versions(system.id, exclude_rfc_id=rfc_id)
    context = {"last": last, "proposal": next_version(last, release_type, taken) if release_type else None}
    if typed and typed.strip() in baseline.sit_versions(system.id):
        context["promotion"] = typed.strip()  # allowed for an RFC that targets UIT only (rules.is_promotion)
    elif typed:
        context["problem"] = version_problem(typed, last, taken, release_type)
    if release_type in (ReleaseType.MINOR, ReleaseType.PATCH, ReleaseType.MAJOR):
        context["outstanding"] = outstanding_emergency_fixes(system.id)
    return context


# Drafts and submission -------------------------------------------------------------------

CONTENT_FIELDS = ["system_id", "release_type", "version", "title", "reason", "promotion_reason", "window_start",
                  "window_end", "expected_downtime", "implementation_plan", "rollback_plan", "stakeholders_impacted",
                  "known_issues", "installation_instructions", "build_reference", "build_sha256", "dev_test_evidence",
                  "not_carried_reason", "ado_work_item"]


def content_of(rfc):
    """An RFC's stored content as save_draft() takes it (times naive UTC), to change some of it."""
    return {**{name: getattr(rfc, name) for name in CONTENT_FIELDS},
            "environment_ids": [e.id for e in rfc.environments],
            "defects": [{"defect_id": d.defect_id, "severity": d.severity, "summary": d.summary,
                         "blocking": d.blocking, "found_in_id": d.found_in_id} for d in rfc.defects],
            "change_requests": [{"cr_id": c.cr_id, "title": c.title, "summary": c.summary}
                                for c in rfc.change_requests]}


def _check_row_version(rfc, expected):
    if expected is not None and str(expected) != str(rfc.row_version):
        raise Conflict(f"{rfc.number} changed while you had it open (it is now {rfc.status.value}); nothing was "
                       "saved. Reload to see the latest, then try again.")


def check_may_edit(user, rfc):
    if not can_edit_rfc(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value}: its content is frozen. To change it, a Release "
                      "Manager requests changes.")


@unit_of_work(CONFLICT)
def save_draft(user, rfc, content, expected_version=None, submit=False, now=None):
    """Stores whatever was typed, however incomplete (content: plain data, times in UTC); with `submit`, submits it
    too, in the same transaction. A submission that is refused keeps the draft: it is committed, then the problems
    are raised."""
    _store_draft(user, rfc, content, expected_version)
    problems = _submission_problems(user, rfc, now or utcnow()) if submit else {}
    if submit and not problems:
        _submit(user, rfc, now or utcnow())
    db.session.commit()
    if problems:
        raise Invalid(problems)
    return rfc


def _store_draft(user, rfc, content, expected_version):
    if rfc.id is None:
        rfc.organisation_id, rfc.created_by_id, rfc.status = user.organisation_id, user.id, RfcStatus.DRAFT
        db.session.add(rfc)
    else:
        check_may_edit(user, rfc)
    _check_row_version(rfc, expected_version)
    system = db.session.get(System, content["system_id"]) if content.get("system_id") else None
    if system is not None and system.organisation_id != user.organisation_id:
        raise Invalid({"system_id": "Choose one of your organisation's systems."})
    for field in CONTENT_FIELDS:
        setattr(rfc, field, content.get(field))
    for field in ("dev_test_evidence", "not_carried_reason"):
        setattr(rfc, field, getattr(rfc, field) or "")
    for field in ("version", "promotion_reason", "build_reference", "build_sha256", "ado_work_item"):
        setattr(rfc, field, (getattr(rfc, field) or "").strip())
    rfc.build_sha256 = rfc.build_sha256.lower()
    rfc.environments = db.session.scalars(select(Environment).where(
        Environment.id.in_(content.get("environment_ids") or []))).all()
    rfc.defects = [Defect(position=i, defect_id=(d["defect_id"] or "").strip(), severity=d["severity"] or "",
                          summary=d["summary"] or "", found_in_id=d["found_in_id"], blocking=bool(d.get("blocking")))
                   for i, d in enumerate(content.get("defects", []))]
    rfc.change_requests = [ChangeRequest(position=i, cr_id=(c["cr_id"] or "").strip(), title=c["title"] or "",
                                         summary=c["summary"] or "")
                           for i, c in enumerate(content.get("change_requests", []))]
    db.session.flush()
    index_for_search(rfc, system, user.organisation)
    record("rfc.saved", actor=user, obj=rfc, summary=f"draft saved ({rfc.status.value})")


def index_for_search(rfc, system, organisation):
    """The RFC (number, system, version, title) and each defect it fixes (by its ID) in the search index."""
    search.put("rfc", rfc.id, [rfc.number, system.name if system else "", rfc.version, rfc.title],
               organisation.name, rfc.release_type.value if rfc.release_type else "")
    search.put_children("defect", rfc.id, [(d.id, [d.defect_id, d.summary], rfc.number, d.severity,
                                             d.found_in.name if d.found_in else "") for d in rfc.defects if d.defect_id])


def reindex_named(kind, object_id):
    column = {"system": Rfc.system_id, "organisation": Rfc.organisation_id}.get(kind)
    if column is not None:
        for rfc in db.session.scalars(select(Rfc).where(column == object_id)
                                      .options(joinedload(Rfc.system), joinedload(Rfc.organisation),
                                               selectinload(Rfc.defects).joinedload(Defect.found_in))):
            index_for_search(rfc, rfc.system, rfc.organisation)



# What a person calls a part of an RFC's content, where a revision tells what changed.
CHANGE_WORDS = {"window_start": "window", "window_end": "window", "target_environments": "environments",
                "expected_downtime": "expected downtime", "release_type": "release type"}


def revision_changes(rfc):
    """What the RFC's latest revision changed since the one before (["window", "implementation plan"]), in order;
    [] for a first revision."""
    if len(rfc.revisions) < 2:
        return []
    before, after = rfc.revisions[-2].content, rfc.revisions[-1].content
    changed = [CHANGE_WORDS.get(key, key.replace("_", " ")) for key in after if after.get(key) != before.get(key)]
    return list(dict.fromkeys(changed))


def snapshot(rfc):
    """The RFC's content as plain data, frozen in a revision."""
    return {
        "system": rfc.system.name if rfc.system else "",
        "release_type": rfc.release_type.value if rfc.release_type else "",
        "version": rfc.version, "title": rfc.title, "reason": rfc.reason,
        "target_environments": [e.name for e in rfc.environments],
        "window_start": rfc.window_start.isoformat() if rfc.window_start else "",
        "window_end": rfc.window_end.isoformat() if rfc.window_end else "",
        "expected_downtime": rfc.expected_downtime,
        "implementation_plan": rfc.implementation_plan, "rollback_plan": rfc.rollback_plan,
        "stakeholders_impacted": rfc.stakeholders_impacted, "known_issues": rfc.known_issues,
        "installation_instructions": rfc.installation_instructions,
        "promotion_reason": rfc.promotion_reason, "build_reference": rfc.build_reference,
        "build_sha256": rfc.build_sha256, "dev_test_evidence": rfc.dev_test_evidence,
        "not_carried_reason": rfc.not_carried_reason, "ado_work_item": rfc.ado_work_item,
        "defects": [{"defect_id": d.defect_id, "severity": d.severity, "summary": d.summary, "blocking": d.blocking,
                     "found_in": d.found_in.name if d.found_in else ""} for d in rfc.defects],
        "change_requests": [{"cr_id": c.cr_id, "title": c.title, "summary": c.summary} for c in rfc.change_requests],
    }


@unit_of_work(CONFLICT)
def submit(user, rfc, now=None):
    now = now or utcnow()
    problems = _submission_problems(user, rfc, now)
    if problems:
        raise Invalid(problems)
    _submit(user, rfc, now)
    db.session.commit()


def _submission_problems(user, rfc, now):
    """{field: message} that stop this RFC being submitted now; refuses one that cannot be submitted at all."""
    if not can_edit_rfc(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value} and cannot be submitted.")
    last, taken = system_versions(rfc.system_id, exclude_rfc_id=rfc.id) if rfc.system_id else (None, set())
    problems = rules.submission_problems(rfc, now, last, taken,
                                         baseline.sit_versions(rfc.system_id) if rfc.system_id else set())
    if "window_start" not in problems and "window_end" not in problems:
        problem = rules.freeze_problem(rfc, freezes_between([e.id for e in rfc.environments], rfc.window_start,
                                                            rfc.window_end) if rfc.window_start else [])
        if problem:
            problems["window_start"] = problem
    owed = [] if rfc.not_carried_reason.strip() else owed_by(rfc)
    if owed:
        problems.setdefault("not_carried_reason", (
            f"All emergency fixes go into the next available release (RCM §12.8 NB): {not_carried_text(owed)}. "
            "Carry them into the defects (the Version field offers them) or say here why not."))
    return problems


def _submit(user, rfc, now):
    rfc.revision += 1
    rfc.status, rfc.submitted_at = RfcStatus.SUBMITTED, now
    db.session.add(Revision(rfc=rfc, number=rfc.revision, submitted_by_id=user.id, submitted_at=now,
                            content=snapshot(rfc)))
    _tick(rfc, "submit", user)
    _emergency_not_applicable(rfc)
    sync_pending(rfc)
    record("rfc.submitted", actor=user, obj=rfc, summary=f"revision {rfc.revision}")
    notify("rfc_submitted", managers_of(rfc.phases), "rfcs.detail", {"rfc_id": rfc.id}, rfc=rfc)


@unit_of_work(CONFLICT)
def withdraw(user, rfc, expected_version=None):
    if not can_withdraw_rfc(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value} and can no longer be withdrawn.")
    _check_row_version(rfc, expected_version)
    rfc.status = RfcStatus.WITHDRAWN
    sync_pending(rfc)
    record("rfc.withdrawn", actor=user, obj=rfc)
    db.session.commit()


# Approval -------------------------------------------------------------------------------------

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


@unit_of_work(CONFLICT)
def decide(user, rfc, decision, comment="", expected_version=None):
    """Approve, reject or request changes for the manager's phases on the current revision."""
    _check_row_version(rfc, expected_version)
    if rfc.status != RfcStatus.SUBMITTED:
        raise Refused(f"{rfc.number} is {rfc.status.value}: there is nothing to decide.")
    phases = phases_to_decide(user, rfc)
    if not phases:
        if user.phases & rfc.phases:
            raise Refused(f"Your phase has already approved revision {rfc.revision} of {rfc.number}.")
        raise Refused(f"{rfc.number} targets {', '.join(sorted(p.value for p in rfc.phases))} only: "
                      "it is outside your phase scope.")
    comment = (comment or "").strip()
    if decision != Decision.APPROVED and not comment:
        raise Invalid({"comment": f"Say why: a comment is needed to {'reject' if decision == Decision.REJECTED else 'request changes'}."})
    if decision == Decision.APPROVED:
        if needs_governance(rfc):
            raise Refused("A Major release needs the programme governance (GNG) approval reference and date "
                          "recorded before it can be approved.")
        gate = rules.open_control_points(rfc, APPROVAL_GATE)
        if gate:
            raise Refused(rules.gate_message(gate, "approving"))
        higher = overtaken_by([rfc]).get(rfc.id)
        if higher and not comment:
            raise Invalid({"comment": f"{version_order_text(rfc, higher)}: confirm with a comment that "
                                      f"{rfc.version} should still go ahead."})
    now = utcnow()
    for phase in sorted(phases):
        rfc.approvals.append(Approval(revision=rfc.revision, phase=phase, decision=decision, by_id=user.id, at=now,
                                      comment=comment))
    phase_text = "+".join(sorted(p.value for p in phases))
    if decision == Decision.REJECTED:
        rfc.status = RfcStatus.REJECTED
    elif decision == Decision.CHANGES_REQUESTED:
        rfc.status = RfcStatus.CHANGES_REQUESTED
    elif approved_phases(rfc) | phases >= rfc.phases:
        rfc.status, rfc.approved_at = RfcStatus.APPROVED, now
        _tick(rfc, "approve", user)
    sync_pending(rfc)
    record(f"rfc.{decision.name.lower()}", actor=user, obj=rfc,
           summary=f"{phase_text}, revision {rfc.revision}" + (f": {comment}" if comment else ""))
    if rfc.status != RfcStatus.SUBMITTED:  # decided: the raising organisation hears
        notify("rfc_decided", users_of(rfc.organisation_id), "rfcs.detail", {"rfc_id": rfc.id}, rfc=rfc, by=user,
               comment=comment)
    db.session.commit()


@unit_of_work(CONFLICT)
def record_governance(user, rfc, reference, day):
    if not can_record_governance(user, rfc):
        raise Refused("Governance approval is recorded for a Major release while it awaits approval.")
    rfc.gng_reference, rfc.gng_date = reference.strip(), day
    _tick(rfc, "governance", user)
    record("rfc.governance", actor=user, obj=rfc, summary=f"GNG {rfc.gng_reference} on {day:%Y-%m-%d}")
    db.session.commit()


# Deployment and closure --------------------------------------------------------------------

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


# Work-off actions (RCM 5.2, Table 10 step 3) ---------------------------------------------------------

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


def open_work_off_actions(user):
    """The user's work-off actions not yet done, the soonest due first (their home page)."""
    return db.session.scalars(select(WorkOffAction).where(WorkOffAction.owner_id == user.id,
                                                          WorkOffAction.done_at.is_(None))
                              .options(joinedload(WorkOffAction.rfc).joinedload(Rfc.system))
                              .order_by(WorkOffAction.due, WorkOffAction.id)).all()


def work_off_actions(rfc):
    return db.session.scalars(select(WorkOffAction).where(WorkOffAction.rfc_id == rfc.id)
                              .options(joinedload(WorkOffAction.owner)).order_by(WorkOffAction.id)).all()


# Retests (RCM §7.4) ------------------------------------------------------------------------------

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


# Control points ----------------------------------------------------------------------------

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


# Version order at approval -------------------------------------------------------------------------

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


def deployed_out_of_order(rfcs):
    """{rfc id: the lower-versioned RFCs of the same system that are approved, not deployed yet, and whose window
    starts after this RFC's}: approving it puts the higher version in before them (the approver sees it first)."""
    rfcs = [r for r in rfcs if r.system_id and r.window_start and parse(r.version)]
    if not rfcs:
        return {}
    others = db.session.execute(select(Rfc.id, Rfc.system_id, Rfc.version, Rfc.window_start).where(
        Rfc.system_id.in_({r.system_id for r in rfcs}), Rfc.status == RfcStatus.APPROVED)).all()  # plain rows
    result = {}
    for rfc in rfcs:
        lower = [o for o in others if o.id != rfc.id and o.system_id == rfc.system_id and o.window_start
                 and o.window_start > rfc.window_start and (v := parse(o.version)) and v < parse(rfc.version)]
        if lower:
            result[rfc.id] = sorted(lower, key=lambda o: o.window_start)
    return result


def out_of_order_text(rfc, lower):
    return (f"{', '.join(f'{o.version} ({rfc_number(o.id)}, window {format_london(o.window_start)})' for o in lower)} "
            f"approved and not deployed yet, with a later window: approving {rfc.version} puts it in before "
            f"{'a lower version' if len(lower) == 1 else 'lower versions'}")


def version_order_text(rfc, higher):
    return (f"{rfc.system.name} {higher.version} ({rfc_number(higher.id)}) was approved after this RFC was submitted, "
            f"and is higher than {rfc.version}")


# Emergency follow-up (RCM §12.8) --------------------------------------------------------

# The emergency releases whose carry-over is followed (home page, environments, the weekly report, the RFC form):
# every one not yet carried, whatever its age (RCM §12.8 NB), the newest CARRY_OVER_LIMIT at most.
CARRY_OVER_LIMIT = 200
COUNTED = (RfcStatus.DRAFT, RfcStatus.REJECTED, RfcStatus.WITHDRAWN)  # statuses of a regular RFC that carries nothing


def outstanding_emergency_fixes(system_id=None, now=None):
    """[(emergency RFC, [defect IDs])], newest first, of the emergency releases (of one system, or all) whose fixes no
    later regular release lists yet, nor says why not (Rfc.not_carried_reason)."""
    waiver = aliased(Rfc)
    waived = select(waiver.id).where(
        waiver.system_id == Rfc.system_id, waiver.release_type != ReleaseType.EMERGENCY,
        waiver.status.not_in(COUNTED), waiver.not_carried_reason != "", waiver.submitted_at > Rfc.submitted_at)
    query = select(Rfc).where(Rfc.release_type == ReleaseType.EMERGENCY, Rfc.status.in_(PUBLIC_STATUSES),
                              ~waived.exists())
    if system_id is not None:
        query = query.where(Rfc.system_id == system_id)
    return carry_overs(db.session.scalars(
        query.options(joinedload(Rfc.system), selectinload(Rfc.defects))
        .order_by(Rfc.window_start.desc(), Rfc.id.desc()).limit(CARRY_OVER_LIMIT)).all())


def owed_by(rfc):
    """RCM §12.8 NB: [(emergency RFC, [defect IDs])] a regular RFC must carry (or say why not): the fixes of its
    system's earlier emergency releases that it does not list and no later regular release lists yet."""
    mine = parse(rfc.version)
    if rfc.release_type in (None, ReleaseType.EMERGENCY) or rfc.system_id is None or mine is None:
        return []
    listed = {d.defect_id for d in rfc.defects}
    owed = []
    for emergency, defect_ids in outstanding_emergency_fixes(rfc.system_id):
        missing = [d for d in defect_ids if d not in listed]
        if emergency.id != rfc.id and (parse(emergency.version) or ()) < mine and missing:
            owed.append((emergency, missing))
    return owed


def not_carried_text(owed):
    return "; ".join(f"{e.number} ({e.version}) fixed {', '.join(ids)}" for e, ids in owed)


def carry_overs(emergencies):
    """[(emergency RFC, [defect IDs])] of these emergency RFCs whose fixes no later regular release of their system
    lists yet (RCM §12.8): the highest regular version listing each of their defect IDs, read for those IDs only."""
    defect_ids = {d.defect_id for e in emergencies for d in e.defects}
    highest = {}
    for system_id, version, defect_id in db.session.execute(
            select(Rfc.system_id, Rfc.version, Defect.defect_id).join(Defect, Defect.rfc_id == Rfc.id)
            .where(Defect.defect_id.in_(defect_ids), Rfc.release_type != ReleaseType.EMERGENCY,
                   Rfc.status.not_in(COUNTED))) \
            if defect_ids else []:
        parsed = parse(version)
        if parsed and parsed > highest.get((system_id, defect_id), ()):
            highest[(system_id, defect_id)] = parsed
    found = []
    for emergency in emergencies:
        mine = parse(emergency.version) or ()
        missing = [d.defect_id for d in emergency.defects if highest.get((emergency.system_id, d.defect_id), ()) <= mine]
        if missing:
            found.append((emergency, missing))
    return found


