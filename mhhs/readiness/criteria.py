"""Entry criteria (EAP §12.2): which apply to a participant, where it stands on each (met, waived until a date, or
open; the derived ones read from the data) and its readiness for a phase. One rule for one participant and a list."""
import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..audit.services import record
from ..certificates.models import Certificate, PkiOfficer
from ..certificates.services import NEEDED_KINDS, officer_gaps
from ..core.permissions import require
from ..core.services import Invalid, Refused, length_problems
from ..core.time import to_london, utcnow
from ..directory.models import Organisation
from ..extensions import db
from ..participants.models import EnvironmentStatus, Participant, ParticipantKind, Route
from ..participants.services import signed_off_pairs
from .models import CriterionMark, Derived, EntryCriterion, Mark
from .permissions import can_keep_criteria, can_meet_criteria_of

CRITERION_FIELDS = ("phase", "text", "kind", "market_role_id", "evidence_required", "derived", "environment_id")
LIMITS = {"text": 2000, "note": 4000}
MAX_FILE_BYTES = 5 * 1024 * 1024


class State(str, enum.Enum):
    MET = "met"
    WAIVED = "waived"
    OPEN = "open"

    @property
    def label(self):
        return self.value.capitalize()


@dataclass(frozen=True)
class Standing:
    """Where a participant stands on one criterion; `why`: what the data says for a derived one."""
    criterion: EntryCriterion
    state: State
    mark: CriterionMark | None = None
    why: str = ""


@dataclass
class Readiness:
    """A participant's readiness for a phase: ready, ready with waivers, or not ready (n open)."""
    participant: Participant
    phase: Route
    standings: list = field(default_factory=list)
    _by_criterion: dict = field(default_factory=dict, repr=False, compare=False)

    def count(self, state):
        return sum(1 for s in self.standings if s.state == state)

    @property
    def open(self):
        return self.count(State.OPEN)

    @property
    def waived(self):
        return self.count(State.WAIVED)

    @property
    def ready(self):
        return self.open == 0

    @property
    def key(self):
        return "not-ready" if self.open else "waivers" if self.waived else "ready"

    @property
    def label(self):
        if self.open:
            return f"Not ready ({self.open} open)"
        return "Ready with waivers" if self.waived else "Ready"

    def standing_of(self, criterion_id):
        """The standing on one criterion, or None when it does not apply."""
        if len(self._by_criterion) != len(self.standings):
            self._by_criterion = {s.criterion.id: s for s in self.standings}
        return self._by_criterion.get(criterion_id)


def today_in_london(now=None):
    return to_london(now or utcnow()).date()


# Which criteria apply ------------------------------------------------------------------------------

def criteria_of(phase):
    return db.session.scalars(select(EntryCriterion).where(EntryCriterion.phase == phase)
                              .options(joinedload(EntryCriterion.market_role), joinedload(EntryCriterion.environment))
                              .order_by(EntryCriterion.position, EntryCriterion.id)).all()


def applies(criterion, participant):
    """A criterion applies to the participants of its phase (those on that route) of its kind and market role."""
    return (participant.route == criterion.phase
            and (criterion.kind is None or participant.kind == criterion.kind)
            and (criterion.market_role_id is None
                 or any(r.id == criterion.market_role_id for r in participant.market_roles)))


def participants_of(phase):
    """The participants of a phase (on that route), by name, with what their readiness reads loaded alongside."""
    return db.session.scalars(select(Participant).join(Participant.organisation).where(Participant.route == phase)
                              .options(joinedload(Participant.organisation), selectinload(Participant.market_roles),
                                       selectinload(Participant.environments))
                              .order_by(Organisation.name)).all()


# What the data says --------------------------------------------------------------------------------

@dataclass
class _Facts:
    """What the derived criteria read, fetched once for a list of participants."""
    signed_off: set = field(default_factory=set)
    certificates: dict = field(default_factory=lambda: defaultdict(list))  # organisation id: current certificates
    officers: dict = field(default_factory=lambda: defaultdict(list))  # organisation id: PKI officers


def _facts(participants, criteria):
    derived = {c.derived for c in criteria if c.derived}
    facts = _Facts()
    ids = [p.id for p in participants]
    organisation_ids = [p.organisation_id for p in participants]
    if Derived.CONNECTIVITY in derived:
        facts.signed_off = signed_off_pairs(ids)
    if derived & {Derived.CERTIFICATES, Derived.PKI_OFFICERS}:
        for certificate in db.session.scalars(select(Certificate).where(
                Certificate.organisation_id.in_(organisation_ids), ~Certificate.replaced)
                .options(joinedload(Certificate.environment))):
            facts.certificates[certificate.organisation_id].append(certificate)
    if Derived.PKI_OFFICERS in derived:
        for officer in db.session.scalars(select(PkiOfficer).where(PkiOfficer.organisation_id.in_(organisation_ids))):
            facts.officers[officer.organisation_id].append(officer)
    return facts


def _derived_problem(criterion, participant, facts, today, now):
    """Why a derived criterion is not met, in words, or None when the data meets it."""
    environment = criterion.environment
    match criterion.derived:
        case Derived.CONNECTIVITY:
            if (participant.id, criterion.environment_id) not in facts.signed_off:
                return f"Connectivity to {environment.name} is not signed off."
        case Derived.CERTIFICATES:
            held = {c.kind for c in facts.certificates[participant.organisation_id]
                    if c.environment_id == criterion.environment_id and c.valid_to >= now}
            missing = [k.value for k in NEEDED_KINDS if k not in held]
            if missing:
                return f"No valid {' or '.join(missing)} certificate for {environment.name}."
        case Derived.PKI_OFFICERS:
            gaps = officer_gaps(participant.organisation, facts.officers[participant.organisation_id],
                                facts.certificates[participant.organisation_id])
            if gaps:
                return " ".join(gaps)
        case Derived.ENVIRONMENT_MANAGER:
            if not participant.has_environment_manager:
                return "No Environment Manager named."
        case Derived.OWN_ENVIRONMENT:
            if not any(e.status == EnvironmentStatus.READY for e in participant.environments):
                return "No own test environment is ready."
        case Derived.STANDING_DATA:
            if participant.isd_loaded_on is None or participant.isd_loaded_on > today:
                return "Industry Standing Data not declared loaded."
    return None


def _standing(criterion, participant, mark, facts, today, now):
    if mark is not None and mark.mark == Mark.WAIVED and mark.waived_until >= today:
        return Standing(criterion, State.WAIVED, mark)
    if criterion.derived:
        why = _derived_problem(criterion, participant, facts, today, now)
        return Standing(criterion, State.OPEN if why else State.MET, None, why or "")
    if mark is not None and mark.mark == Mark.MET:
        return Standing(criterion, State.MET, mark)
    expired = mark is not None and mark.mark == Mark.WAIVED
    return Standing(criterion, State.OPEN, None, f"Waiver expired on {mark.waived_until:%d %b %Y}." if expired else "")


def readiness_of_many(participants, phase, now=None):
    """{participant id: Readiness} for the phase: a fixed number of queries however many participants there are.
    A waiver holds through its last day (Europe/London); after it the criterion is open again."""
    now = now or utcnow()
    today = today_in_london(now)
    criteria = criteria_of(phase)
    facts = _facts(participants, criteria)
    marks = {(m.criterion_id, m.participant_id): m for m in db.session.scalars(
        select(CriterionMark).where(CriterionMark.participant_id.in_([p.id for p in participants]),
                                    CriterionMark.criterion_id.in_([c.id for c in criteria]))
        .options(joinedload(CriterionMark.by)))}
    return {p.id: Readiness(p, phase, [_standing(c, p, marks.get((c.id, p.id)), facts, today, now)
                                       for c in criteria if applies(c, p)])
            for p in participants}


def readiness_of(participant, phase=None, now=None):
    """A participant's readiness for a phase (its own route's when none is given)."""
    phase = phase or participant.route
    return readiness_of_many([participant], phase, now)[participant.id]


def ready_counts(now=None):
    """[(phase, participants ready, participants)] for every phase: for the weekly report."""
    counts = []
    for phase in Route:
        found = readiness_of_many(participants_of(phase), phase, now).values()
        counts.append((phase, sum(1 for r in found if r.ready), len(found)))
    return counts


def snapshot_section(environment, stage=None, now=None):
    """The participants' readiness for the phase of a stage on an environment, as a section of the GO / NO-GO
    snapshot (readiness/decisions.py: plain text, frozen with the decision)."""
    phase = phase_of(environment, stage)
    rows = [[r.participant.organisation.name, r.label,
             "; ".join(f"{s.criterion.text} (until {s.mark.waived_until:%d %b %Y})"
                       for s in r.standings if s.state == State.WAIVED) or "—"]
            for r in readiness_of_many(participants_of(phase), phase, now).values()]
    return {"title": f"Participants' readiness for {phase.label} ({environment.name})",
            "columns": ["Participant", "Readiness", "Waived"], "rows": rows,
            "empty": f"No participant is on the {phase.label} route."}


def not_ready(now=None):
    """[(participant, phase, readiness)] of every participant not ready for the phase of its route (for the EWG)."""
    found = []
    for phase in Route:
        found += [(r.participant, phase, r) for r in readiness_of_many(participants_of(phase), phase, now).values()
                  if r.open]
    return found


def phase_of(environment, stage=None):
    """The phase a stage on an environment belongs to: its name says Qualification or Sandbox; otherwise a SIT
    environment's stages are SIT and a UIT one's Qualification."""
    name = (stage.name if stage is not None else "").lower()
    if "sandbox" in name:
        return Route.SANDBOX
    if "qualification" in name:
        return Route.QUALIFICATION
    return Route.SIT if environment.phase.value == "SIT" else Route.QUALIFICATION


# Keeping criteria (Release Managers) -----------------------------------------------------------------

def criterion_problems(values):
    problems = length_problems(values, {"text": LIMITS["text"]})
    if not (values.get("text") or "").strip():
        problems["text"] = "Write the criterion, e.g. \"Test data loaded and verified\"."
    derived = values.get("derived")
    if derived and Derived(derived).needs_environment and not values.get("environment_id"):
        problems["environment_id"] = f"Choose the central environment \"{Derived(derived).label}\" is about."
    return problems


def save_criterion(user, criterion, values):
    """values: CRITERION_FIELDS as plain data (enums as their values, ids as ints or None)."""
    require(can_keep_criteria(user), "Only Release Managers keep the entry criteria.")
    problems = criterion_problems(values)
    if problems:
        raise Invalid(problems)
    criterion.phase = Route(values["phase"])
    criterion.text = values["text"].strip()
    criterion.kind = ParticipantKind(values["kind"]) if values.get("kind") else None
    criterion.market_role_id = values.get("market_role_id") or None
    criterion.evidence_required = bool(values.get("evidence_required")) and not values.get("derived")
    criterion.derived = Derived(values["derived"]) if values.get("derived") else None
    criterion.environment_id = values.get("environment_id") or None
    if criterion.id is None:
        criterion.position = (db.session.scalar(select(db.func.max(EntryCriterion.position))) or 0) + 1
        db.session.add(criterion)
    db.session.flush()
    record("entry_criterion.saved", actor=user, obj=criterion, summary=f"{criterion.phase.label}: {criterion.text}")
    db.session.commit()
    return criterion


def remove_criterion(user, criterion):
    require(can_keep_criteria(user), "Only Release Managers keep the entry criteria.")
    record("entry_criterion.removed", actor=user, obj=criterion, summary=f"{criterion.phase.label}: {criterion.text}")
    db.session.delete(criterion)
    db.session.commit()


# A participant's marks -------------------------------------------------------------------------------

def _mark_of(criterion, participant):
    return db.session.scalar(select(CriterionMark).where(CriterionMark.criterion_id == criterion.id,
                                                         CriterionMark.participant_id == participant.id))


def _check_applies(criterion, participant):
    if not applies(criterion, participant):
        raise Refused(f"\"{criterion.text}\" does not apply to {participant.organisation.name}.", "criterion")


def meet(user, participant, criterion, note, file=None):
    """The participant meets a criterion by hand: evidence (a note or a file, `file` as (name, type, bytes)) when the
    criterion asks for it. A derived criterion is met by the data, never by hand."""
    require(can_meet_criteria_of(user, participant), "Only the participant itself meets its entry criteria.")
    _check_applies(criterion, participant)
    if criterion.derived:
        raise Refused(f"\"{criterion.text}\" follows from the data: {criterion.derived.label.lower()}.", "note")
    note = (note or "").strip()
    problems = length_problems({"note": note}, {"note": LIMITS["note"]})
    if criterion.evidence_required and not note and not file:
        problems["note"] = "This criterion needs evidence: describe it or attach a file."
    if file and len(file[2]) > MAX_FILE_BYTES:
        problems["file"] = "The file is larger than 5 MB; attach a smaller one or describe where the evidence is."
    if problems:
        raise Invalid(problems)
    mark = _mark_of(criterion, participant) or CriterionMark(criterion_id=criterion.id, participant_id=participant.id)
    mark.mark, mark.note, mark.waived_until, mark.by_id, mark.at = Mark.MET, note, None, user.id, utcnow()
    mark.file_name, mark.file_type, mark.file_data = file if file else (None, None, None)
    db.session.add(mark)
    record("participant.criterion_met", actor=user, obj=participant, summary=criterion.text)
    db.session.commit()
    return mark


def waive(user, participant, criterion, reason, until, today=None):
    """A Release Manager waives a criterion for a participant until a date (inclusive): a reason is needed, and a
    date from today on."""
    require(can_keep_criteria(user), "Only Release Managers waive entry criteria.")
    _check_applies(criterion, participant)
    today = today or today_in_london()
    reason = (reason or "").strip()
    problems = length_problems({"reason": reason}, {"reason": LIMITS["note"]})
    if not reason:
        problems["reason"] = "Give the reason for the waiver."
    if until is None:
        problems["until"] = "Give the last day the waiver holds, e.g. the stage's first day."
    elif until < today:
        problems["until"] = f"The waiver's last day is in the past; give {today:%d %b %Y} or later."
    if problems:
        raise Invalid(problems)
    mark = _mark_of(criterion, participant) or CriterionMark(criterion_id=criterion.id, participant_id=participant.id)
    mark.mark, mark.note, mark.waived_until, mark.by_id, mark.at = Mark.WAIVED, reason, until, user.id, utcnow()
    mark.file_name = mark.file_type = mark.file_data = None
    db.session.add(mark)
    record("participant.criterion_waived", actor=user, obj=participant,
           summary=f"{criterion.text}, until {until:%d %b %Y}: {reason}")
    db.session.commit()
    return mark


def reopen(user, participant, criterion):
    """Takes back a mark: the participant (its own "met") or a Release Manager (any)."""
    mark = _mark_of(criterion, participant)
    require(mark is not None and (can_keep_criteria(user) or (can_meet_criteria_of(user, participant)
                                                              and mark.mark == Mark.MET)),
            "You may not reopen this criterion.")
    db.session.delete(mark)
    record("participant.criterion_reopened", actor=user, obj=participant, summary=criterion.text)
    db.session.commit()


def declare_standing_data(user, participant, loaded_on, today=None):
    """The participant declares Industry Standing Data loaded into its test environment on a day (EAP §7.2.2)."""
    require(can_meet_criteria_of(user, participant), "Only the participant itself declares its standing data.")
    today = today or today_in_london()
    if loaded_on is None:
        raise Refused("Give the day the Industry Standing Data was loaded.", "loaded_on")
    if loaded_on > today:
        raise Refused("That day is still to come; declare the load once it is done.", "loaded_on")
    if loaded_on < date(2000, 1, 1):
        raise Refused("Give a day from the year 2000 on.", "loaded_on")
    participant.isd_loaded_on = loaded_on
    record("participant.standing_data", actor=user, obj=participant, summary=f"{loaded_on:%d %b %Y}")
    db.session.commit()
