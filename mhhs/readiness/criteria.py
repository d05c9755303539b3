"""Entry criteria (EAP §12.2): which apply to a participant, where it stands on each (met, waived until a date, or
open; the derived ones read from the data) and its readiness for a phase. One rule for one participant and a list."""
import enum
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import NamedTuple

from sqlalchemy import String, bindparam, case, cast, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..audit.services import record
from ..certificates.models import Certificate, PkiOfficer
from ..certificates.services import NEEDED_KINDS, officer_gaps
from ..core.permissions import require
from ..core.services import Invalid, Refused, length_problems
from ..core.time import to_london, utcnow
from ..directory import choices
from ..directory.models import Organisation, OrgKind
from ..extensions import db
from ..participants.models import (
    ConnectivitySignOff,
    EnvironmentStatus,
    Participant,
    ParticipantEnvironment,
    ParticipantKind,
    Route,
    environment_manager_named,
    participant_market_roles,
)
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
        return _STATE_LABELS[self]


_STATE_LABELS = {State.MET: "Met", State.WAIVED: "Waived", State.OPEN: "Open"}


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
        return readiness_key(self.open, self.waived)

    @property
    def label(self):
        return readiness_label(self.open, self.waived)

    def standing_of(self, criterion_id):
        """The standing on one criterion, or None when it does not apply."""
        if len(self._by_criterion) != len(self.standings):
            self._by_criterion = {s.criterion.id: s for s in self.standings}
        return self._by_criterion.get(criterion_id)


def readiness_key(open_, waived):
    """"not-ready", "waivers" or "ready": the readiness of a participant with so many criteria open and waived."""
    return "not-ready" if open_ else "waivers" if waived else "ready"


def readiness_label(open_, waived):
    if open_:
        return f"Not ready ({open_} open)"
    return "Ready with waivers" if waived else "Ready"


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


# What the data says, as columns and sets for every participant of a phase at once --------------------------------

class _Row(NamedTuple):
    """What readiness reads of a participant (columns, not the object)."""
    id: int
    organisation_id: int
    name: str
    organisation_kind: OrgKind
    kind: ParticipantKind
    isd_loaded_on: date | None
    managed: bool  # an Environment Manager named


class _Place(NamedTuple):
    """An environment as the PKI officers' gaps read it."""
    id: int
    name: str
    position: int


class _Held(NamedTuple):
    """A current (not replaced) certificate as the derived criteria read it."""
    organisation_id: int
    environment_id: int
    kind: object
    valid_to: datetime
    environment: _Place


_ROWS = (select(Participant.id, Participant.organisation_id, Organisation.name, Organisation.kind, Participant.kind,
                Participant.isd_loaded_on, Participant.environment_manager_id, Participant.environment_manager_name,
                Participant.environment_manager_email)
         .join(Organisation, Organisation.id == Participant.organisation_id)
         .where(Participant.route == bindparam("phase")).order_by(Organisation.name, Participant.id))
# The phase's marks as one row per criterion and state, its participants' ids joined in a string (tens of rows read,
# not thousands): met, waived and holding through its last day (Europe/London, compared in SQL), or waived and
# expired (their last days read separately, for the words).
MET_, WAIVED_, EXPIRED_ = 0, 1, 2
_STATE = case((CriterionMark.mark == Mark.MET, MET_), (CriterionMark.waived_until >= bindparam("today"), WAIVED_),
              else_=EXPIRED_)
_MARKS = (select(CriterionMark.criterion_id, _STATE,
                 func.aggregate_strings(cast(CriterionMark.participant_id, String), ","))
          .join(Participant, Participant.id == CriterionMark.participant_id)
          .join(EntryCriterion, EntryCriterion.id == CriterionMark.criterion_id)
          .where(Participant.route == bindparam("phase"), EntryCriterion.phase == bindparam("phase"))
          .group_by(CriterionMark.criterion_id, _STATE))
_EXPIRED = (select(CriterionMark.criterion_id, CriterionMark.participant_id, CriterionMark.waived_until)
            .join(Participant, Participant.id == CriterionMark.participant_id)
            .where(Participant.route == bindparam("phase"), CriterionMark.mark == Mark.WAIVED,
                   CriterionMark.waived_until < bindparam("today")))
_ROLES = (select(participant_market_roles.c.participant_id, participant_market_roles.c.market_role_id)
          .join(Participant, Participant.id == participant_market_roles.c.participant_id)
          .where(Participant.route == bindparam("phase")))
_OWN_READY = (select(ParticipantEnvironment.participant_id).distinct()
              .join(Participant, Participant.id == ParticipantEnvironment.participant_id)
              .where(Participant.route == bindparam("phase"), ParticipantEnvironment.status == EnvironmentStatus.READY))
_SIGNED_OFF = (select(ConnectivitySignOff.participant_id, ConnectivitySignOff.environment_id)
               .join(Participant, Participant.id == ConnectivitySignOff.participant_id)
               .where(Participant.route == bindparam("phase"), ConnectivitySignOff.voided_at.is_(None)))
_CERTIFICATES = (select(Certificate.organisation_id, Certificate.environment_id, Certificate.kind, Certificate.valid_to)
                 .join(Participant, Participant.organisation_id == Certificate.organisation_id)
                 .where(Participant.route == bindparam("phase"), ~Certificate.replaced))
_OFFICERS = (select(PkiOfficer).join(Participant, Participant.organisation_id == PkiOfficer.organisation_id)
             .where(Participant.route == bindparam("phase")))


class _Facts:
    """What the derived criteria read, for every participant of a phase in a fixed number of queries (columns), and
    the rule of each: the participants the data meets it for (a set), and why it is open for one of them (words)."""

    def __init__(self, phase, rows, derived, now, only=None):
        self.rows, self.now, self.today = rows, now, to_london(now).date()
        parameters = {"phase": phase}
        self.signed_off = set(db.session.execute(_only(_SIGNED_OFF, only), parameters).all()) \
            if Derived.CONNECTIVITY in derived else set()
        self.own_ready = set(db.session.scalars(_only(_OWN_READY, only), parameters)) \
            if Derived.OWN_ENVIRONMENT in derived else set()
        self.held, self.gaps = defaultdict(set), {}
        if derived & {Derived.CERTIFICATES, Derived.PKI_OFFICERS}:
            places = {i: _Place(i, name, n) for n, (i, name) in enumerate(choices.environments())}
            certificates = defaultdict(list)
            found = db.session.execute(_only(_CERTIFICATES, only), parameters)
            for organisation_id, environment_id, kind, valid_to in found:
                certificates[organisation_id].append(
                    _Held(organisation_id, environment_id, kind, valid_to, places[environment_id]))
                if valid_to >= now:
                    self.held[organisation_id, environment_id].add(kind)
            if Derived.PKI_OFFICERS in derived:
                officers = defaultdict(list)
                for officer in db.session.scalars(_only(_OFFICERS, only), parameters):
                    officers[officer.organisation_id].append(officer)
                self.gaps = {r.organisation_id: officer_gaps(SimpleNamespace(name=r.name, kind=r.organisation_kind),
                                                             officers[r.organisation_id],
                                                             certificates[r.organisation_id]) for r in rows}

    def met(self, criterion):
        """The ids of the participants the data meets a derived criterion for."""
        rows = self.rows
        match criterion.derived:
            case Derived.CONNECTIVITY:
                return {p for p, e in self.signed_off if e == criterion.environment_id}
            case Derived.CERTIFICATES:
                needed = set(NEEDED_KINDS)
                return {r.id for r in rows if self.held[r.organisation_id, criterion.environment_id] >= needed}
            case Derived.PKI_OFFICERS:
                return {r.id for r in rows if not self.gaps[r.organisation_id]}
            case Derived.ENVIRONMENT_MANAGER:
                return {r.id for r in rows if r.managed}
            case Derived.OWN_ENVIRONMENT:
                return self.own_ready
            case Derived.STANDING_DATA:
                return {r.id for r in rows if r.isd_loaded_on is not None and r.isd_loaded_on <= self.today}
        return set()

    def why(self, criterion, row):
        """Why the data does not meet a derived criterion for a participant, in words."""
        environment = criterion.environment
        match criterion.derived:
            case Derived.CONNECTIVITY:
                return f"Connectivity to {environment.name} is not signed off."
            case Derived.CERTIFICATES:
                valid = self.held[row.organisation_id, criterion.environment_id]
                missing = [k.value for k in NEEDED_KINDS if k not in valid]
                return f"No valid {' or '.join(missing)} certificate for {environment.name}."
            case Derived.PKI_OFFICERS:
                return " ".join(self.gaps[row.organisation_id])
            case Derived.ENVIRONMENT_MANAGER:
                return "No Environment Manager named."
            case Derived.OWN_ENVIRONMENT:
                return "No own test environment is ready."
            case Derived.STANDING_DATA:
                return "Industry Standing Data not declared loaded."
        return ""


def _only(statement, participant_ids):
    """A statement of the phase's participants narrowed to some of them (None: all)."""
    return statement if participant_ids is None else statement.where(Participant.id.in_(participant_ids))


def _marked(phase, today, only=None):
    """{criterion id: (met, waived, {expired: its last day})} of participant ids, from the phase's marks. A waiver
    holds through its last day (Europe/London); after it the criterion is open again."""
    marked = defaultdict(lambda: (set(), set(), {}))
    parameters = {"phase": phase, "today": today}
    for criterion_id, state, ids in db.session.execute(_only(_MARKS, only), parameters):
        if state != EXPIRED_:
            marked[criterion_id][state].update(map(int, ids.split(",")))
    for criterion_id, participant_id, until in db.session.execute(_only(_EXPIRED, only), parameters):
        marked[criterion_id][2][participant_id] = until
    return marked


def _applicable(phase, criteria, rows, only=None):
    """{criterion id: the ids of the participants it applies to}: those of the phase, of its kind and market role."""
    everyone, by_kind, roles = {r.id for r in rows}, defaultdict(set), defaultdict(set)
    for r in rows:
        by_kind[r.kind].add(r.id)
    if any(c.market_role_id for c in criteria):
        for participant_id, role_id in db.session.execute(_only(_ROLES, only), {"phase": phase}):
            roles[role_id].add(participant_id)
    return {c.id: (everyone if c.kind is None else by_kind[c.kind])
            & (roles[c.market_role_id] if c.market_role_id is not None else everyone) for c in criteria}


class CriterionLine(NamedTuple):
    """A criterion as the matrix lists it."""
    id: int
    text: str
    applies_to: str
    how: str  # how it is met, in words


class Cell(NamedTuple):
    """Where a participant stands on a criterion, as the matrix shows it."""
    state: str  # State's value
    label: str
    why: str


class ParticipantLine(NamedTuple):
    """A participant's row of the matrix: its readiness and a cell per criterion (None: it does not apply)."""
    id: int
    name: str
    key: str
    label: str
    cells: tuple


class PhaseSummary(NamedTuple):
    """Every participant's readiness for a phase as plain values (no ORM object): what the matrix and the counts
    read, kept per process by readiness/counts.py."""
    phase: Route
    criteria: tuple  # CriterionLine
    participants: tuple  # ParticipantLine, by name
    ready: int  # participants with no criterion open
    counts: tuple  # (key, participants)


def _how(criterion):
    """How a criterion is met, in words."""
    if criterion.derived:
        where = f" ({criterion.environment.name})" if criterion.environment else ""
        return f"From the data: {criterion.derived.label}{where}"
    return "By the participant, with evidence" if criterion.evidence_required else "By the participant"


class PhaseReadiness:
    """Every participant's readiness for a phase, worked out once as sets: counts and keys for all of them, and the
    full Readiness (standings with their marks) for those a page shows. `only`: some participants' ids (one
    participant's page), not the whole phase."""

    def __init__(self, phase, now=None, only=None):
        self.phase, self.now = phase, now or utcnow()
        self.criteria = criteria_of(phase)
        self.rows = [_Row(i, o, name, okind, kind, isd, environment_manager_named(manager_id, manager_name, email))
                     for i, o, name, okind, kind, isd, manager_id, manager_name, email
                     in db.session.execute(_only(_ROWS, only), {"phase": phase})]
        self.facts = _Facts(phase, self.rows, {c.derived for c in self.criteria if c.derived}, self.now, only)
        marked = _marked(phase, self.facts.today, only) if self.criteria else {}
        applicable = _applicable(phase, self.criteria, self.rows, only)
        self.sets = {}  # criterion id: (applicable, met, waived, {expired: last day})
        for c in self.criteria:
            met, waived, expired = marked.get(c.id) or (set(), set(), {})
            self.sets[c.id] = (applicable[c.id], self.facts.met(c) if c.derived else met, waived, expired)
        self.open = Counter()
        self.waived = Counter()
        for applicable, met, waived, _ in self.sets.values():
            self.open.update(applicable - met - waived)
            self.waived.update(applicable & waived)

    def key(self, participant_id):
        """"not-ready", "waivers" or "ready" (Readiness.key)."""
        return readiness_key(self.open[participant_id], self.waived[participant_id])

    def ready_count(self):
        return sum(1 for r in self.rows if not self.open[r.id])

    def counts(self):
        """{key: participants}"""
        return Counter(self.key(r.id) for r in self.rows)

    def summary(self):
        """The phase's readiness as plain values (PhaseSummary), for a copy kept per process (readiness/counts.py)."""
        criteria = tuple(CriterionLine(c.id, c.text, c.applies_to, _how(c)) for c in self.criteria)
        plain = {state: Cell(state.value, state.label, "") for state in State}  # most cells: one tuple each
        participants = []
        for row in self.rows:
            cells = []
            for c in self.criteria:
                if row.id not in self.sets[c.id][0]:
                    cells.append(None)
                    continue
                state, why = self._state(c, row)
                cells.append(Cell(state.value, state.label, why) if why else plain[state])
            participants.append(ParticipantLine(row.id, row.name, self.key(row.id),
                                                readiness_label(self.open[row.id], self.waived[row.id]), tuple(cells)))
        return PhaseSummary(self.phase, criteria, tuple(participants), self.ready_count(), tuple(self.counts().items()))

    def readiness_of_many(self, participants, with_marks=True):
        """{participant id: Readiness} of these participants (objects, of this phase's route), with their marks (the
        evidence, who and when) unless only the states are shown (the matrix)."""
        ids = [p.id for p in participants]
        marks = {(m.criterion_id, m.participant_id): m for m in db.session.scalars(
            select(CriterionMark).where(CriterionMark.participant_id.in_(ids),
                                        CriterionMark.criterion_id.in_([c.id for c in self.criteria]))
            .options(joinedload(CriterionMark.by)))} if ids and with_marks else {}
        rows = {r.id: r for r in self.rows}
        return {p.id: Readiness(p, self.phase, [self._standing(c, rows[p.id], marks.get((c.id, p.id)))
                                                for c in self.criteria if p.id in self.sets[c.id][0]])
                if p.id in rows else Readiness(p, self.phase) for p in participants}

    def _standing(self, criterion, row, mark):
        state, why = self._state(criterion, row)
        if state == State.OPEN or (state == State.MET and criterion.derived):
            mark = None
        return Standing(criterion, state, mark, why)

    def _state(self, criterion, row):
        """(State, why it is open) of a participant on a criterion that applies to it."""
        _, met, waived, expired = self.sets[criterion.id]
        if row.id in waived:
            return State.WAIVED, ""
        if row.id in met:
            return State.MET, ""
        if criterion.derived:
            return State.OPEN, self.facts.why(criterion, row)
        until = expired.get(row.id)
        return State.OPEN, f"Waiver expired on {until:%d %b %Y}." if until else ""


def readiness_of_many(participants, phase, now=None):
    """{participant id: Readiness} for the phase: a fixed number of queries however many participants there are.
    A waiver holds through its last day (Europe/London); after it the criterion is open again."""
    return PhaseReadiness(phase, now, [p.id for p in participants]).readiness_of_many(participants)


def readiness_of(participant, phase=None, now=None):
    """A participant's readiness for a phase (its own route's when none is given)."""
    phase = phase or participant.route
    return readiness_of_many([participant], phase, now)[participant.id]


def ready_counts(now=None):
    """[(phase, participants ready, participants)] for every phase: for the home page and the weekly report."""
    counts = []
    for phase in Route:
        found = PhaseReadiness(phase, now)
        counts.append((phase, found.ready_count(), len(found.rows)))
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
