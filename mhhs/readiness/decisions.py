"""GO / CONDITIONAL GO / NO-GO for a stage's start on its environment (EAP §12.2 "SI Test Team will confirm
readiness through formal procedures"): a Release Manager decides against a snapshot of the evidence taken in the
same transaction and stored with the decision, so later changes never alter what the decision rested on.

The snapshot is a list of sections, each made by one builder of SECTIONS: f(environment, stage) ->
{"title", "columns", "rows", "empty"} (rows are lists of plain text, as the page and the PDF show them)."""
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..allocation.models import TestPhase
from ..audit.services import record
from ..baseline.services import PAIRED, drifting
from ..certificates.services import coverage_gaps
from ..core.permissions import Role, require
from ..core.services import Invalid, Refused, unit_of_work
from ..core.time import format_london, utcnow
from ..extensions import db
from ..mail.services import email_text, queue
from ..notifications import mail_groups
from ..notifications.models import MailGroup
from ..outages.models import Outage
from ..participants.models import ConnectivitySignOff
from ..participants.proving import proving_participants
from ..rfcs.services import outstanding_emergency_fixes
from . import criteria, health, proving_tests
from .models import DecisionCondition, Outcome, ReadinessDecision
from .owned import fill, item_problems
from .permissions import can_decide, review_readers

FIELDS = ["outcome", "rationale", "mail_group_id"]
CONDITION_ROWS = 3  # the form's rows for conditions; the blank ones are ignored
CONDITION_FIELDS = ["text", "owner", "due_on"]
RATIONALE_LIMIT = 4000
MAIL_KIND = "readiness_decision"


class _Programme:
    """Whoever sees everything (a Release Manager's view), for the sections that read a user's view."""
    is_authenticated = True
    role = Role.RELEASE_MANAGER
    id = organisation_id = None


def condition_prefix(number):
    return f"condition_{number}_"


# The snapshot's sections ---------------------------------------------------------------------------------------

def open_outages(environment, stage):
    """Outages of the environment not ended: going on, or planned ahead."""
    now = utcnow()
    outages = db.session.scalars(select(Outage).where(Outage.environment_id == environment.id,
                                                      or_(Outage.end.is_(None), Outage.end > now))
                                 .options(selectinload(Outage.systems)).order_by(Outage.start, Outage.id)).all()
    return {"title": "Open outages", "columns": ["From", "Until", "Kind", "Systems", "Description"],
            "rows": [[format_london(o.start), format_london(o.end) if o.end else "ongoing",
                      "Planned" if o.planned else "Unplanned", ", ".join(s.name for s in o.systems) or "—",
                      o.description] for o in outages],
            "empty": f"No outage of {environment.name} is going on or planned."}


def certificate_gaps(environment, stage):
    """Organisations testing in the environment without a valid certificate of a kind they need."""
    gaps = [(organisation, missing) for gap_environment, organisation, missing
            in coverage_gaps(_Programme(), utcnow()) if gap_environment.id == environment.id]
    return {"title": "Certificate gaps", "columns": ["Organisation", "Missing"],
            "rows": [[organisation.name, ", ".join(k.value for k in missing)] for organisation, missing in gaps],
            "empty": f"Everyone testing in {environment.name} holds the certificates they need."}


def baseline_drift(environment, stage):
    """Systems SIT-A and SIT-B run in different versions (the pair that should run the same)."""
    rows = [[d.system.name, ", ".join(f"{name} {version}" for name, version in sorted(d.versions.items())),
             format_london(d.since, "%d %b %Y") if d.since else ""] for d in drifting()]
    return {"title": f"{' / '.join(PAIRED)} drift", "columns": ["System", "Versions", "Since"], "rows": rows,
            "empty": f"{' and '.join(PAIRED)} run the same versions."}


def emergency_carry_overs(environment, stage):
    """Emergency releases of systems running in the environment whose fixes no regular release carries yet."""
    system_ids = {s.id for s in environment.systems}
    rows = [[rfc.number, rfc.system.name if rfc.system else "", rfc.version, ", ".join(defects)]
            for rfc, defects in outstanding_emergency_fixes() if rfc.system_id in system_ids]
    return {"title": "Open emergency carry-overs", "columns": ["RFC", "System", "Version", "Defects"], "rows": rows,
            "empty": "No emergency fix waits to be carried into a regular release."}


def connectivity(environment, stage):
    """The connectivity sign-off (EAP §11.3) of each participant proving connectivity to the environment (the
    proving matrix's participants)."""
    participants = db.session.scalars(proving_participants(environment.id)).all()
    signed = {s.participant_id: s for s in db.session.scalars(
        select(ConnectivitySignOff).where(ConnectivitySignOff.environment_id == environment.id,
                                          ConnectivitySignOff.voided_at.is_(None),
                                          ConnectivitySignOff.participant_id.in_([p.id for p in participants]))
        .options(joinedload(ConnectivitySignOff.signed_by)))}
    rows = [[p.organisation.name, "Signed off" if p.id in signed else "Not signed off",
             f"{signed[p.id].signed_by.name}, {format_london(signed[p.id].signed_at, '%d %b %Y')}"
             if p.id in signed else ""] for p in participants]
    return {"title": "Connectivity sign-offs", "columns": ["Participant", "Connectivity", "Signed off by"],
            "rows": rows, "empty": f"No participant proves connectivity to {environment.name} yet."}


SECTIONS = [criteria.snapshot_section, health.snapshot_section, proving_tests.snapshot_section, open_outages,
            certificate_gaps, baseline_drift, emergency_carry_overs, connectivity]


def take_snapshot(environment, stage, now):
    """The evidence as it stands now, as plain data (stored as JSON, never changed)."""
    return {"taken_at": now.isoformat(timespec="seconds"), "taken_at_words": format_london(now),
            "stage": stage.name, "environment": environment.name,
            "stage_days": f"{stage.first_day:%d %b %Y} – {stage.last_day:%d %b %Y}",
            "sections": [builder(environment, stage) for builder in SECTIONS]}


# Recording ----------------------------------------------------------------------------------------------------

def decision_problems(values, conditions, group):
    """{field: message} of a decision: its outcome, rationale, conditions and list."""
    problems = {}
    outcome = values.get("outcome")
    if outcome not in {o.value for o in Outcome}:
        problems["outcome"] = "Choose GO, CONDITIONAL GO or NO-GO."
    rationale = (values.get("rationale") or "").strip()
    if outcome == Outcome.NO_GO.value and not rationale:
        problems["rationale"] = "Say why it is a NO-GO: what the stage waits for."
    elif len(rationale) > RATIONALE_LIMIT:
        problems["rationale"] = f"Keep it under {RATIONALE_LIMIT} characters."
    given = [(n, c) for n, c in conditions if any(c.get(f) for f in CONDITION_FIELDS)]
    for number, condition in given:
        problems.update(item_problems(condition, condition_prefix(number)))
    if outcome == Outcome.CONDITIONAL_GO.value and not given:
        problems[condition_prefix(1) + "text"] = "A conditional GO needs at least one condition, its owner and " \
                                                 "due day."
    if outcome == Outcome.GO.value and given:
        problems[condition_prefix(given[0][0]) + "text"] = "A GO has no conditions: choose CONDITIONAL GO to " \
                                                           "set them."
    if group is None:
        problems["mail_group_id"] = "Choose the distribution list the decision is sent to."
    elif not review_readers(mail_groups.members_of([group])):
        problems["mail_group_id"] = f"{group.name} has no active Release Manager or Central Party to write to " \
                                    "(the decision is not sent to Test Participants): choose another list."
    return problems, [c for _, c in given]


@unit_of_work()
def record_decision(user, stage, values, conditions):
    """Records the decision, its snapshot and conditions, and queues it to the chosen list with the snapshot as a
    PDF; all of it, or nothing. conditions: [(row number, {text, owner, due_on})], blank rows included."""
    require(can_decide(user), "Only a Release Manager records a GO / NO-GO.")
    if stage is None:
        raise Refused("Choose the stage the decision is about.", "stage_id")
    group = db.session.get(MailGroup, values.get("mail_group_id") or 0)
    problems, given = decision_problems(values, conditions, group)
    if problems:
        raise Invalid(problems)
    now = utcnow()
    environment = stage.environment
    decision = ReadinessDecision(stage_id=stage.id, stage_name=stage.name, environment_id=environment.id,
                                 outcome=Outcome(values["outcome"]), rationale=values["rationale"].strip(),
                                 snapshot=take_snapshot(environment, stage, now), decided_by_id=user.id,
                                 decided_at=now, mail_group_id=group.id)
    decision.conditions = [fill(DecisionCondition(), c) for c in given]
    db.session.add(decision)
    db.session.flush()
    sent_to = _send(decision, group, user)
    record("readiness.decided", actor=user, obj=decision,
           summary=f"{decision.outcome.label} for {stage.name} in {environment.name}"
                   + (f" with {len(given)} condition{'s' if len(given) != 1 else ''}" if given else "")
                   + f", sent to {sent_words(group, sent_to)}")
    db.session.commit()
    return decision


def sent_words(group, sent_to):
    """Who a decision, an agenda or minutes went to, and that the list's Test Participants were left out."""
    readers = review_readers(sent_to)
    left_out = len(sent_to) - len(readers)
    words = f"{group.name}: {', '.join(u.name for u in readers)}"
    return words + (f" (not its {left_out} Test Participant{'s' if left_out != 1 else ''}: it carries other "
                    "participants' details)" if left_out else "")


def _send(decision, group, user):
    """Queues the decision to the list's members who may read it; returns every active member of the list."""
    subject, body = email_text("email/readiness_decision.txt", decision=decision)
    members = mail_groups.members_of([group])
    for member in review_readers(members):
        queue([member.email], subject, body, kind=MAIL_KIND, about=decision, created_by=user,
              attachment=(pdf_name(decision), None))
    return members


def pdf_name(decision):
    return f"decision-{decision.id}-{decision.environment.name}.pdf".replace(" ", "-")


# Reading ------------------------------------------------------------------------------------------------------

def decisions_query():
    return select(ReadinessDecision).options(joinedload(ReadinessDecision.environment),
                                             joinedload(ReadinessDecision.decided_by),
                                             selectinload(ReadinessDecision.conditions))


def decisions_between(start, end):
    """Decisions taken in [start, end), oldest first (the calendar, the weekly report)."""
    return db.session.scalars(decisions_query().where(ReadinessDecision.decided_at >= start,
                                                      ReadinessDecision.decided_at < end)
                              .order_by(ReadinessDecision.decided_at, ReadinessDecision.id)).all()


def open_conditions():
    """Conditions of decisions not done yet, soonest due first (the EWG's agenda)."""
    return db.session.scalars(select(DecisionCondition).where(DecisionCondition.done_at.is_(None))
                              .options(joinedload(DecisionCondition.decision).joinedload(ReadinessDecision.environment),
                                       joinedload(DecisionCondition.owner_user),
                                       joinedload(DecisionCondition.owner_organisation))
                              .order_by(DecisionCondition.due_on, DecisionCondition.id)).all()


def stages_to_decide(today):
    """The stages a decision may be about: those not ended, soonest first (ended ones within the last 30 days
    too, for a decision recorded late)."""
    return db.session.scalars(select(TestPhase).where(TestPhase.last_day >= today - timedelta(days=30))
                              .options(joinedload(TestPhase.environment))
                              .order_by(TestPhase.first_day, TestPhase.id)).all()
