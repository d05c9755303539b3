"""RFC state changes as guarded transitions: each checks the state, records who/when/why, audits, commits."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..audit.services import record
from ..core.permissions import Role, is_manager
from ..core.time import utcnow
from ..directory.models import Environment, System
from ..extensions import db
from ..mail.services import queue
from . import rules
from .models import (CONTROL_POINTS, EDITABLE_STATUSES, OUTCOMES, PUBLIC_STATUSES, WITHDRAWABLE_STATUSES, Approval,
                     ChangeRequest, ControlPoint, Decision, DeployedVersion, Defect, ReleaseType, Revision, Rfc,
                     RfcStatus)
from .versions import parse


class Refused(Exception):
    """A transition that may not happen now; the message says why and what to do."""


class Invalid(Exception):
    """Content that cannot be submitted: problems maps form fields to messages."""

    def __init__(self, problems):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


class Conflict(Refused):
    pass


# Who may see and do what (SPEC §2) --------------------------------------------------------

def visible_clause(user):
    """The SQL condition for the RFCs this user may see."""
    public = Rfc.status.in_(PUBLIC_STATUSES)
    if user.role == Role.RELEASE_MANAGER:
        return Rfc.submitted_at.is_not(None)
    if user.role == Role.CENTRAL_PARTY:
        return public | (Rfc.organisation_id == user.organisation_id)
    return public


def can_see(user, rfc):
    if user.role == Role.RELEASE_MANAGER:
        return rfc.submitted_at is not None
    if user.role == Role.CENTRAL_PARTY and rfc.organisation_id == user.organisation_id:
        return True
    return rfc.status in PUBLIC_STATUSES


def owns(user, rfc):
    return user.role == Role.CENTRAL_PARTY and rfc.organisation_id == user.organisation_id


def can_edit(user, rfc):
    return owns(user, rfc) and rfc.status in EDITABLE_STATUSES


def can_withdraw(user, rfc):
    return owns(user, rfc) and rfc.status in WITHDRAWABLE_STATUSES


def phases_to_decide(user, rfc):
    """The phases this manager can still decide on the current revision."""
    if not is_manager(user) or rfc.status != RfcStatus.SUBMITTED:
        return set()
    return (user.phases & rfc.phases) - approved_phases(rfc)


def approved_phases(rfc):
    return {a.phase for a in rfc.approvals if a.revision == rfc.revision and a.decision == Decision.APPROVED}


def can_record_deployment(user, rfc):
    return rfc.status == RfcStatus.APPROVED and (is_manager(user) or owns(user, rfc))


def can_close(user, rfc):
    return is_manager(user) and rfc.status in OUTCOMES


def can_add_lessons(user, rfc):
    return (is_manager(user) or owns(user, rfc)) and rfc.status in OUTCOMES + (RfcStatus.CLOSED,)


def get_visible(user, rfc_id):
    rfc = db.session.get(Rfc, rfc_id)
    return rfc if rfc is not None and can_see(user, rfc) else None


# Versions --------------------------------------------------------------------------------

def system_versions(system_id, exclude_rfc_id=None):
    """(last approved version, every version used) for a system."""
    query = select(Rfc.version, Rfc.status).where(Rfc.system_id == system_id, Rfc.version != "")
    if exclude_rfc_id:
        query = query.where(Rfc.id != exclude_rfc_id)
    rows = db.session.execute(query).all()
    taken = {v for v, s in rows if s not in (RfcStatus.DRAFT, RfcStatus.REJECTED, RfcStatus.WITHDRAWN)}
    approved = [v for v, s in rows if s in PUBLIC_STATUSES and parse(v)]
    return (max(approved, key=parse) if approved else None), taken


# Drafts and submission -------------------------------------------------------------------

CONTENT_FIELDS = ["system_id", "release_type", "version", "title", "reason", "window_start", "window_end",
                  "expected_downtime", "implementation_plan", "rollback_plan", "stakeholders_impacted",
                  "known_issues", "installation_instructions"]


def _check_row_version(rfc, expected):
    if expected is not None and int(expected) != rfc.row_version:
        raise Conflict(f"{rfc.number} changed while you had it open (it is now {rfc.status.value}); nothing was "
                       "saved. Reload to see the latest, then try again.")


def _commit():
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict("Someone else changed this RFC at the same moment; nothing was saved. Reload and try again.")


def save_draft(user, rfc, content, expected_version=None):
    """Stores whatever was typed, however incomplete. content: the form's plain data."""
    if rfc.id is None:
        rfc.organisation_id, rfc.created_by_id, rfc.status = user.organisation_id, user.id, RfcStatus.DRAFT
        db.session.add(rfc)
    elif not can_edit(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value}: its content is frozen. To change it, a Release "
                      "Manager requests changes.")
    _check_row_version(rfc, expected_version)
    system = db.session.get(System, content["system_id"]) if content.get("system_id") else None
    if system is not None and system.organisation_id != user.organisation_id:
        raise Invalid({"system_id": "Choose one of your organisation's systems."})
    for field in CONTENT_FIELDS:
        setattr(rfc, field, content.get(field))
    rfc.version = (rfc.version or "").strip()
    rfc.environments = db.session.scalars(select(Environment).where(
        Environment.id.in_(content.get("environment_ids") or []))).all()
    rfc.defects = [Defect(position=i, defect_id=(d["defect_id"] or "").strip(), severity=d["severity"] or "",
                          summary=d["summary"] or "", found_in_id=d["found_in_id"])
                   for i, d in enumerate(content.get("defects", []))]
    rfc.change_requests = [ChangeRequest(position=i, cr_id=(c["cr_id"] or "").strip(), title=c["title"] or "",
                                         summary=c["summary"] or "")
                           for i, c in enumerate(content.get("change_requests", []))]
    db.session.flush()
    record("rfc.saved", actor=user, obj=rfc, summary=f"draft saved ({rfc.status.value})")
    _commit()
    return rfc


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
        "defects": [{"defect_id": d.defect_id, "severity": d.severity, "summary": d.summary,
                     "found_in": d.found_in.name if d.found_in else ""} for d in rfc.defects],
        "change_requests": [{"cr_id": c.cr_id, "title": c.title, "summary": c.summary} for c in rfc.change_requests],
    }


def submit(user, rfc, now=None):
    now = now or utcnow()
    if not can_edit(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value} and cannot be submitted.")
    last, taken = system_versions(rfc.system_id, exclude_rfc_id=rfc.id) if rfc.system_id else (None, set())
    problems = rules.submission_problems(rfc, now, last, taken)
    if problems:
        raise Invalid(problems)
    rfc.revision += 1
    rfc.status, rfc.submitted_at = RfcStatus.SUBMITTED, now
    db.session.add(Revision(rfc=rfc, number=rfc.revision, submitted_by_id=user.id, submitted_at=now,
                            content=snapshot(rfc)))
    _tick(rfc, "submit", user)
    record("rfc.submitted", actor=user, obj=rfc, summary=f"revision {rfc.revision}")
    _commit()


def withdraw(user, rfc, expected_version=None):
    if not can_withdraw(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value} and can no longer be withdrawn.")
    _check_row_version(rfc, expected_version)
    rfc.status = RfcStatus.WITHDRAWN
    record("rfc.withdrawn", actor=user, obj=rfc)
    _commit()


# Approval -------------------------------------------------------------------------------------

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
    if decision == Decision.APPROVED and rfc.release_type == ReleaseType.MAJOR and not (rfc.gng_reference and rfc.gng_date):
        raise Refused("A Major release needs the programme governance (GNG) approval reference and date "
                      "recorded before it can be approved.")
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
    record(f"rfc.{decision.name.lower()}", actor=user, obj=rfc,
           summary=f"{phase_text}, revision {rfc.revision}" + (f": {comment}" if comment else ""))
    _commit()


def record_governance(user, rfc, reference, day):
    if not is_manager(user) or rfc.status not in (RfcStatus.SUBMITTED, RfcStatus.CHANGES_REQUESTED, RfcStatus.DRAFT):
        raise Refused("Governance approval is recorded while the RFC awaits approval.")
    rfc.gng_reference, rfc.gng_date = reference.strip(), day
    _tick(rfc, "governance", user)
    record("rfc.governance", actor=user, obj=rfc, summary=f"GNG {rfc.gng_reference} on {day:%Y-%m-%d}")
    _commit()


# Deployment and closure --------------------------------------------------------------------

def record_deployment(user, rfc, outcome, actual_start, actual_end, issues, resolutions):
    if not can_record_deployment(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value}: a deployment is recorded once it is approved.")
    if outcome not in OUTCOMES:
        raise Invalid({"outcome": "Choose the outcome: deployed, rolled back or fixed forward."})
    if actual_end <= actual_start:
        raise Invalid({"actual_end": "The deployment must end after it starts."})
    rfc.status = rfc.outcome = outcome
    rfc.actual_start, rfc.actual_end = actual_start, actual_end
    rfc.deployment_issues, rfc.deployment_resolutions = issues, resolutions
    if outcome == RfcStatus.DEPLOYED:
        for environment in rfc.environments:
            current = db.session.scalar(select(DeployedVersion).where(
                DeployedVersion.environment_id == environment.id, DeployedVersion.system_id == rfc.system_id))
            if current is None:
                current = DeployedVersion(environment_id=environment.id, system_id=rfc.system_id)
                db.session.add(current)
            current.version, current.rfc_id, current.deployed_at = rfc.version, rfc.id, utcnow()
        for defect in rfc.defects:
            defect.ready_for_retest = True
    _tick(rfc, "deployment", user)
    record("rfc.deployment", actor=user, obj=rfc, summary=f"{outcome.value}; issues: {issues or 'none'}")
    _commit()


def add_lessons(user, rfc, lessons, actions):
    if not can_add_lessons(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value}: lessons learnt come after the deployment.")
    rfc.lessons_learnt, rfc.work_off_actions = (lessons or "").strip(), (actions or "").strip()
    if rfc.lessons_learnt:
        _tick(rfc, "lessons", user)
    record("rfc.lessons", actor=user, obj=rfc, summary=rfc.lessons_learnt[:200])
    _commit()


def close(user, rfc, lessons, actions):
    if not can_close(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value}: it closes once the deployment is recorded.")
    lessons, actions = (lessons or "").strip(), (actions or "").strip()
    if rfc.outcome != RfcStatus.DEPLOYED and not lessons:
        raise Invalid({"lessons_learnt": f"The release was {rfc.status.value}: record the lessons learnt "
                                         "before closing."})
    rfc.lessons_learnt, rfc.work_off_actions = lessons, actions
    rfc.status, rfc.closed_at = RfcStatus.CLOSED, utcnow()
    _tick(rfc, "close", user)
    if lessons:
        _tick(rfc, "lessons", user)
    record("rfc.closed", actor=user, obj=rfc, summary=f"lessons learnt: {lessons or 'none'}; actions: {actions or 'none'}")
    _commit()


# Control points ----------------------------------------------------------------------------

def _tick(rfc, event, user, note=""):
    for number, _text, _step, ticked_by in CONTROL_POINTS:
        if ticked_by == event and number not in {c.number for c in rfc.control_points}:
            rfc.control_points.append(ControlPoint(number=number, by_id=user.id, note=note))


def tick_control_point(user, rfc, number):
    if not is_manager(user):
        raise Refused("Only a Release Manager ticks control points.")
    if number not in {n for n, *_ in CONTROL_POINTS}:
        raise Refused("There is no such control point.")
    if number in {c.number for c in rfc.control_points}:
        raise Refused(f"Control point {number} is ticked already.")
    rfc.control_points.append(ControlPoint(number=number, by_id=user.id, note="ticked by hand"))
    record("rfc.control_point", actor=user, obj=rfc, summary=f"control point {number}")
    _commit()


# Emergency follow-up (RCM §12.8) --------------------------------------------------------

def outstanding_emergency_fixes(system_id):
    """[(emergency RFC, [defect IDs])] whose fixes no later regular release of the system lists yet."""
    rfcs = db.session.scalars(select(Rfc).where(
        Rfc.system_id == system_id, Rfc.status.not_in([RfcStatus.DRAFT, RfcStatus.REJECTED, RfcStatus.WITHDRAWN]))
        .options(selectinload(Rfc.defects))).all()
    regular = [r for r in rfcs if r.release_type != ReleaseType.EMERGENCY and parse(r.version)]
    outstanding = []
    for emergency in rfcs:
        if emergency.release_type != ReleaseType.EMERGENCY or emergency.status not in PUBLIC_STATUSES:
            continue
        later = {d.defect_id for r in regular if parse(r.version) > parse(emergency.version) for d in r.defects}
        missing = [d.defect_id for d in emergency.defects if d.defect_id not in later]
        if missing:
            outstanding.append((emergency, missing))
    return outstanding


# Communications (steps 4.3 and 5.2) ------------------------------------------------------

COMMUNICATION_STATUSES = {"release": PUBLIC_STATUSES, "closure": (RfcStatus.CLOSED,)}


def can_communicate(user, rfc, kind):
    return is_manager(user) and rfc.status in COMMUNICATION_STATUSES[kind]


def communicate(user, rfc, kind, organisations, subject, body, attachment):
    """Queues one message per organisation (its users only see their own colleagues' addresses)."""
    if not can_communicate(user, rfc, kind):
        raise Refused(f"{rfc.number} is {rfc.status.value}: there is no {kind} to communicate yet.")
    messages = []
    for organisation in organisations:
        recipients = [u.email for u in organisation.users if u.active]
        if recipients:
            messages.append(queue(recipients, subject, body, kind=kind, attachment=attachment, rfc_id=rfc.id,
                                  created_by=user))
    if not messages:
        raise Invalid({"organisation_ids": "None of the chosen organisations has an active user to write to."})
    record(f"rfc.communicated_{kind}", actor=user, obj=rfc,
           summary=f"{kind} communication to {len(messages)} organisation(s): {subject}")
    _commit()
    return messages
