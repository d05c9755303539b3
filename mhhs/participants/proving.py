"""DIP onboarding and connectivity proving (EAP §10.1, §11.3): the steps per participant and central environment,
their order, which ones derive themselves from the PKI officers and certificates, their regression, the sign-off
(the quality gate) and the reminders.

Regression is found two ways, by one function (`sync`): when the officers or certificates change, the certificates
services call the hook `certificates.services.CHANGED` (registered in create_app: certificates sit below us) in the
transaction of the change, so a replacement or a removal voids the sign-off at once; a certificate that simply
expires changes no row, so `flask participants sweep` (daily, like the certificate reminders) finds it. Between two
sweeps the pages and the gate (`first_open_step`) derive the steps at read time, so they never show an expired
certificate as proven."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, exists, func, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from ..audit.services import history, record
from ..certificates.models import Certificate, PkiOfficer, Scheme
from ..certificates.services import NEEDED_KINDS, scheme_gaps
from ..core.changes import PROVING, REFERENCE, cached
from ..core.permissions import Role
from ..core.services import Invalid, Refused, length_problems
from ..core.time import utcnow
from ..directory import choices
from ..directory.models import Environment, Organisation, User
from ..extensions import db
from ..notifications.services import notify, users_of
from .models import (
    ConnectivitySignOff,
    OnboardingInterval,
    Participant,
    ParticipantEnvironment,
    ProvingReminder,
    ProvingStep,
    StepStatus,
    Tranche,
)
from .permissions import can_record_connectivity_step, can_sign_off_connectivity
from .register import role_codes_of

# The steps in the EAP's order (§11.3.1–§11.3.2), and the one each needs done first.
STEPS = {1: "PKI officers determined", 2: "PKI certificates (TLS and JWS) requested and installed",
         3: "Webhooks registered", 4: "DIP message sent and its response received", 5: "Internal connectivity proven"}
NEEDS = {2: 1, 3: 2, 4: 3}
DERIVED = (1, 2)  # tick themselves from the PKI officers and the certificates
RECORDED = (3, 4, 5)
MESSAGE_STEP = 4
MESSAGE_FROM_INTERVAL = 3  # EAP §11.3.1.3: from interval 3 onwards
RECEIVING_ONLY_ROLES = {"EES"}  # EAP §11.3.1.3: a recipient of DIP messages, it sends none
REMIND_WITHIN_DAYS = 14
STEP_FIELDS = ["status", "blocked_by", "not_applicable_reason", "note", "message_id", "message_at"]
LIMITS = {"blocked_by": 500, "not_applicable_reason": 500, "note": 4000, "message_id": 200}


def step_words(number):
    """A step's name inside a sentence: "webhooks registered", "PKI officers determined"."""
    first, _, rest = STEPS[number].partition(" ")
    return f"{first if first.isupper() else first.lower()} {rest}"


@dataclass
class Facts:
    """What a participant's steps in one environment are derived from, loaded in bulk (`facts_for`)."""
    participant: Participant
    environment: Environment
    officers: list = field(default_factory=list)  # the organisation's DIP officers
    kinds_held: set = field(default_factory=set)  # DIP certificate kinds current and valid there
    held_until: datetime = None  # when the first of those kinds stops being held, as time alone passes
    rows: dict = field(default_factory=dict)  # step number -> ProvingStep
    sign_off: ConnectivitySignOff = None  # the standing one


@dataclass
class StepState:
    number: int
    status: StepStatus
    detail: str = ""  # what blocks it, what is missing, or why it does not apply
    required: bool = True
    row: ProvingStep = None
    waiting: bool = False  # blocked because a step it needs is not done

    @property
    def name(self):
        return STEPS[self.number]

    @property
    def words(self):
        return step_words(self.number)

    @property
    def derived(self):
        return self.number in DERIVED

    @property
    def open(self):
        return self.required and self.status != StepStatus.DONE


# Rules ----------------------------------------------------------------------------------------------------------

def message_exemption(participant):
    """Why step 4 does not apply to the participant, or None: it tests only the EES market role."""
    roles = participant.role_codes
    if roles and roles <= RECEIVING_ONLY_ROLES:
        return "The EES market role receives DIP messages and sends none (EAP §11.3.1.3)."
    return None


def message_not_required(participant):
    """Why step 4 is not required of the participant, or None when it is (from interval 3 onwards)."""
    exemption = message_exemption(participant)
    if exemption:
        return exemption
    number = participant.interval_number
    if number is not None and number < MESSAGE_FROM_INTERVAL:
        return (f"Required from interval {MESSAGE_FROM_INTERVAL} onwards (EAP §11.3.1.3); this participant onboards "
                f"in interval {number}.")
    return None


def _derived_state(number, facts):
    if number == 1:
        gaps = scheme_gaps(Scheme.DIP, facts.officers, [facts.environment])
        status = StepStatus.DONE if not gaps else StepStatus.IN_PROGRESS if facts.officers else StepStatus.NOT_STARTED
        return StepState(1, status, " ".join(gaps))
    missing = [kind for kind in NEEDED_KINDS if kind not in facts.kinds_held]
    status = StepStatus.DONE if not missing else StepStatus.IN_PROGRESS if facts.kinds_held else StepStatus.NOT_STARTED
    return StepState(2, status, " ".join(f"No valid {kind.value} certificate for {facts.environment.name}."
                                         for kind in missing))


def _recorded_state(number, facts):
    row = facts.rows.get(number)
    status = row.status if row else StepStatus.NOT_STARTED
    detail = (row.blocked_by if status == StepStatus.BLOCKED else
              row.not_applicable_reason if status == StepStatus.NOT_APPLICABLE else "") if row else ""
    state = StepState(number, status, detail, row=row)
    if number == MESSAGE_STEP:
        not_required = message_not_required(facts.participant)
        state.required = not_required is None
        if message_exemption(facts.participant) or (not_required and status == StepStatus.NOT_STARTED):
            state.status, state.detail = StepStatus.NOT_APPLICABLE, not_required
    return state


def evaluate(facts):
    """The five steps as they stand now, in order: a step whose prerequisite is not done waits for it (blocked),
    whatever was recorded; so a regression of step 2 leaves steps 3–5 no longer proven."""
    states = {}
    for number in STEPS:
        state = _derived_state(number, facts) if number in DERIVED else _recorded_state(number, facts)
        if number in DERIVED:
            state.row = facts.rows.get(number)
        need = NEEDS.get(number)
        if need and states[need].status != StepStatus.DONE and state.status not in (StepStatus.NOT_APPLICABLE,
                                                                                      StepStatus.BLOCKED):
            before = states[need]
            state.status, state.waiting = StepStatus.BLOCKED, True
            # A chain of waits names the step it all waits for: "Waits for step 2, …: No valid DIP TLS certificate".
            state.detail = before.detail if before.waiting else (
                f"Waits for step {need}, {before.words}" + (f": {before.detail}" if before.detail else "."))
        states[number] = state
    return list(states.values())


def first_open(states):
    """The first required step not done, or None."""
    return next((state for state in states if state.open), None)


def open_step_words(state):
    return f"Step {state.number}, {state.words}, is not done" + (f": {state.detail}" if state.detail else ".")


def recordable(state):
    """Whether a step's form is worth offering: a recorded step (3–5) that neither waits for the step before it nor
    does not apply (a required step is never "not applicable"); anything else would be refused or overridden."""
    return state.number in RECORDED and not state.waiting and state.status != StepStatus.NOT_APPLICABLE


# Queries --------------------------------------------------------------------------------------------------------

def _in_environment(environment_id):
    """Which participants prove connectivity to a central environment: an own environment connects to it, a
    tranche is there, a DIP certificate is held for it, or a step or sign-off was recorded for it."""
    return or_(
        exists().where(ParticipantEnvironment.participant_id == Participant.id,
                       ParticipantEnvironment.environment_id == environment_id),
        exists().where(ProvingStep.participant_id == Participant.id, ProvingStep.environment_id == environment_id),
        exists().where(ConnectivitySignOff.participant_id == Participant.id,
                       ConnectivitySignOff.environment_id == environment_id),
        exists().where(Certificate.organisation_id == Participant.organisation_id,
                       Certificate.environment_id == environment_id, Certificate.kind.in_(NEEDED_KINDS)),
        exists().where(Tranche.environment_id == environment_id,
                       or_(Tranche.id == Participant.qualification_tranche_id,
                           Tranche.id == Participant.sandbox_tranche_id)))


def proving_participants(environment_id):
    """The participants proving connectivity to the environment, by organisation name, with what the matrix shows."""
    return (select(Participant).join(Participant.organisation).where(_in_environment(environment_id))
            .options(joinedload(Participant.organisation), joinedload(Participant.interval),
                     joinedload(Participant.qualification_tranche), joinedload(Participant.sandbox_tranche),
                     selectinload(Participant.market_roles))
            .order_by(Organisation.name))


@dataclass(slots=True)
class ProvingParticipant:
    """A participant as the proving matrix reads it: its columns, not the ORM object with its relationships (the
    rules ask it what they ask a Participant)."""
    id: int
    organisation_id: int
    name: str
    kind: object
    route: object
    interval_id: int
    interval_number: int
    qualification_tranche_id: int
    sandbox_tranche_id: int
    environment_manager_id: int
    environment_manager_name: str
    environment_manager_email: str
    role_codes: set = field(default_factory=set)
    has_environment_manager = Participant.has_environment_manager  # the one rule, read off these columns


_MATRIX_PARTICIPANTS = (
    select(Participant.id, Participant.organisation_id, Organisation.name, Participant.kind, Participant.route,
           Participant.interval_id, OnboardingInterval.number, Participant.qualification_tranche_id,
           Participant.sandbox_tranche_id, Participant.environment_manager_id, Participant.environment_manager_name,
           Participant.environment_manager_email)
    .join(Organisation, Organisation.id == Participant.organisation_id)
    .outerjoin(OnboardingInterval, OnboardingInterval.id == Participant.interval_id)
    .where(_in_environment(bindparam("environment_id"))).order_by(Organisation.name, Participant.id))


MATRIX_ORDER = [Organisation.name, Participant.id]  # the matrix's order, as the paginator pages through it
MATRIX_PER_PAGE = 25


def matrix_page_statement(environment_id, interval_id=None, tranche_id=None, route=None, kind=None, only=None):
    """The matrix's rows its filters keep, to page through by MATRIX_ORDER (core/pagination.py); only: the ids a gap
    filter keeps (derived from the steps, not stored). The counts above the page are of every participant."""
    query = (select(Participant.id, Organisation.name)
             .join(Organisation, Organisation.id == Participant.organisation_id).where(_in_environment(environment_id)))
    if interval_id is not None:
        query = query.where(Participant.interval_id == interval_id)
    if tranche_id is not None:
        query = query.where(or_(Participant.qualification_tranche_id == tranche_id,
                                Participant.sandbox_tranche_id == tranche_id))
    if route is not None:
        query = query.where(Participant.route == route)
    if kind is not None:
        query = query.where(Participant.kind == kind)
    if only is not None:
        query = query.where(Participant.id.in_(only))
    return query


def matrix_participants(environment_id):
    """[ProvingParticipant] of those proving connectivity to the environment, by name, in two queries."""
    participants = [ProvingParticipant(*row) for row in db.session.execute(_MATRIX_PARTICIPANTS,
                                                                           {"environment_id": environment_id})]
    by_id = {p.id: p for p in participants}
    for participant_id, codes in role_codes_of(by_id).items():
        by_id[participant_id].role_codes = set(codes)
    return participants


def proving_environments(participant):
    """The central environments the participant proves connectivity to, in the programme's order (one query)."""
    return db.session.scalars(select(Environment).join(Participant, true()).where(
        Participant.id == participant.id, _in_environment(Environment.id)).order_by(Environment.position)).all()


def first_busy_environment(environments):
    """The first of the environments someone proves connectivity to (the proving matrix opens on it), else the
    first one."""
    return next((environment for environment in environments if db.session.scalar(
        select(Participant.id).where(_in_environment(environment.id)).limit(1)) is not None),
        environments[0] if environments else None)


def overview(participant, now):
    """[(environment, first open StepState or None, signed off)] of the participant's central environments: the
    home page's card and the participant's page, read off each environment's evaluation (the matrix's, shared), so
    no query of its own while nothing changed."""
    rows = []
    for environment in choices.environments():
        found = standing_in(participant.id, environment.id, now)
        if found is not None:
            rows.append((environment, *found))
    return rows


def standing_in(participant_id, environment_id, now):
    """(first open StepState or None, whether signed off) of a participant proving connectivity to the environment,
    read off the environment's evaluation (the matrix's, shared, kept per process: `_evaluation`); None for one not
    proving there."""
    entry = _evaluation(environment_id, now).by_id.get(participant_id)
    return None if entry is None else (first_open(entry[1]), entry[2] is not None)


PROVING_ACTIONS = ("proving.step_recorded", "connectivity.signed_off", "connectivity.voided", "connectivity.regressed")


def proving_history(participant, environment):
    """The participant's audit trail of its proving in one environment: steps recorded, sign-offs, voids and
    regressions there, whose summaries start with the environment's name."""
    return [event for event in history(participant) if event.action in PROVING_ACTIONS
            and (event.summary == environment.name or event.summary.startswith((f"{environment.name},",
                                                                               f"{environment.name}:")))]


# What the matrix and the API read of the officers, steps and sign-offs (the rules and `_step` ask no more).
_OFFICER_COLUMNS = select(PkiOfficer.organisation_id, PkiOfficer.scheme, PkiOfficer.role, PkiOfficer.environment_id)
_STEP_COLUMNS = select(ProvingStep.participant_id, ProvingStep.step, ProvingStep.status, ProvingStep.blocked_by,
                       ProvingStep.not_applicable_reason, ProvingStep.message_id, ProvingStep.message_at,
                       ProvingStep.recorded_at)
_SIGN_OFF_COLUMNS = select(ConnectivitySignOff.participant_id, ConnectivitySignOff.signed_at)


def _read(statement, columns):
    result = db.session.execute(statement)
    return result if columns else result.scalars()


def facts_for(environment, participants, now, columns=False):
    """{participant id: Facts} for one environment, in a fixed number of queries however many participants. With
    columns, the officers, step rows and sign-offs are read as the columns the matrix and the API show, not as
    objects (the page's forms and evidence, and the regression's writes, need the objects)."""
    by_org = {p.organisation_id: p for p in participants}
    facts = {p.id: Facts(p, environment) for p in participants}
    if not participants:
        return facts
    officers = _OFFICER_COLUMNS if columns else select(PkiOfficer)
    for officer in _read(officers.where(PkiOfficer.scheme == Scheme.DIP, PkiOfficer.organisation_id.in_(by_org)),
                         columns):
        facts[by_org[officer.organisation_id].id].officers.append(officer)
    for organisation_id, kind, last_valid in db.session.execute(
            select(Certificate.organisation_id, Certificate.kind, func.max(Certificate.valid_to)).where(
                Certificate.environment_id == environment.id, ~Certificate.replaced, Certificate.valid_to >= now,
                Certificate.kind.in_(NEEDED_KINDS), Certificate.organisation_id.in_(by_org))
            .group_by(Certificate.organisation_id, Certificate.kind)):
        one = facts[by_org[organisation_id].id]
        one.kinds_held.add(kind)
        one.held_until = min(one.held_until or last_valid, last_valid)
    steps = _STEP_COLUMNS if columns else select(ProvingStep).options(joinedload(ProvingStep.recorded_by))
    for row in _read(steps.where(ProvingStep.environment_id == environment.id, ProvingStep.participant_id.in_(facts)),
                     columns):
        facts[row.participant_id].rows[row.step] = row
    sign_offs = (_SIGN_OFF_COLUMNS if columns
                 else select(ConnectivitySignOff).options(joinedload(ConnectivitySignOff.signed_by)))
    for sign_off in _read(sign_offs.where(ConnectivitySignOff.environment_id == environment.id,
                                          ConnectivitySignOff.voided_at.is_(None),
                                          ConnectivitySignOff.participant_id.in_(facts)), columns):
        facts[sign_off.participant_id].sign_off = sign_off
    return facts


def steps_of(participant, environment, now=None):
    """(Facts, [StepState]) of one participant in one environment."""
    facts = facts_for(environment, [participant], now or utcnow())[participant.id]
    return facts, evaluate(facts)


def next_step(participant, now=None):
    """(environment, first open StepState) of the participant's first environment with an open step, or None."""
    for environment in proving_environments(participant):
        facts, states = steps_of(participant, environment, now)
        state = first_open(states)
        if state is not None:
            return environment, state
    return None


GAPS = {"sign-off": "Not signed off", "environment-manager": "No Environment Manager",
        **{str(n): f"Step {n} open" for n in STEPS}}


def _has_gap(gap, row):
    participant, states, sign_off = row
    if gap == "sign-off":
        return sign_off is None
    if gap == "environment-manager":
        return not participant.has_environment_manager
    return states[int(gap) - 1].open


@dataclass(frozen=True)
class _Evaluated:
    """Every participant proving connectivity to one environment with its steps as they stand, and the counts."""
    every: list  # (ProvingParticipant, [StepState], sign-off columns or None), by name
    by_id: dict  # participant id: its entry of every
    done: dict
    applicable: dict
    per_interval: list
    until: datetime  # when a certificate counted here expires (None: none does)


def _evaluate_environment(environment_id):
    environment, now = db.session.get(Environment, environment_id), utcnow()
    participants = matrix_participants(environment_id)
    facts = facts_for(environment, participants, now, columns=True)
    every = [(p, evaluate(facts[p.id]), facts[p.id].sign_off) for p in participants]
    done = {n: sum(1 for _, states, _ in every if states[n - 1].required and states[n - 1].status == StepStatus.DONE)
            for n in STEPS}  # of those who must do it: a step done though not required is not counted
    applicable = {n: sum(1 for _, states, _ in every if states[n - 1].required) for n in STEPS}
    intervals = {}
    for participant, _, sign_off in every:
        counts = intervals.setdefault(participant.interval_number, [0, 0])
        counts[0] += 1
        counts[1] += sign_off is not None
    return _Evaluated(every, {entry[0].id: entry for entry in every}, done, applicable,
                      sorted(intervals.items(), key=lambda item: (item[0] is None, item[0] or 0)),
                      min((f.held_until for f in facts.values() if f.held_until), default=None))


def _evaluation(environment_id, now):
    """The environment's _Evaluated, once per process while nothing it rests on changes (core/changes.py: the
    PROVING counter, moved by every write to the register, steps, sign-offs, officers and certificates; REFERENCE,
    by names and market roles) and no certificate it counted has expired since."""
    return cached(_evaluate_environment, PROVING, REFERENCE, key=(environment_id,),
                  fresh=lambda copy: copy.until is None or now <= copy.until)


def matrix(environment, now, gap=None):
    """The proving matrix of one environment: rows (ProvingParticipant, states, standing sign-off) with the gap, if
    one is asked, and the counts of every participant proving there: done per step, and per interval participants
    and signed off; `until`, when a certificate counted expires (None: none does). Evaluated once (`_evaluation`),
    read as columns in a fixed number of queries however many participants; the page's other filters are the paged
    statement's (`matrix_page_statement`)."""
    found = _evaluation(environment.id, now)
    rows = [row for row in found.every if gap is None or _has_gap(gap, row)]
    return {"rows": rows, "total": len(found.every), "done": found.done, "applicable": found.applicable,
            "per_interval": found.per_interval, "until": found.until}


def progress(now):
    """The weekly report's proving progress: [(environment, [(interval number or None, participants, every
    required step done, signed off)])] for the environments someone proves connectivity to."""
    report = []
    for environment in db.session.scalars(select(Environment).order_by(Environment.position)):
        rows = matrix(environment, now)["rows"]
        if not rows:
            continue
        per_interval = {}
        for participant, states, sign_off in rows:
            counts = per_interval.setdefault(participant.interval_number, [0, 0, 0])
            counts[0] += 1
            counts[1] += first_open(states) is None
            counts[2] += sign_off is not None
        report.append((environment, sorted(per_interval.items(), key=lambda item: (item[0] is None, item[0] or 0))))
    return report


def regressions_between(start, end):
    """[(ProvingStep, participant, environment)] of the derived steps that regressed in [start, end)."""
    return db.session.execute(
        select(ProvingStep, Participant, Environment).join(Participant, Participant.id == ProvingStep.participant_id)
        .join(Environment, Environment.id == ProvingStep.environment_id)
        .where(ProvingStep.regressed_at >= start, ProvingStep.regressed_at < end)
        .options(joinedload(Participant.organisation)).order_by(ProvingStep.regressed_at)).all()


# Regression -----------------------------------------------------------------------------------------------------

def _release_managers():
    return db.session.scalars(select(User).where(User.role == Role.RELEASE_MANAGER, User.active.is_(True))).all()


def sync(facts, now):
    """Keeps the derived steps' rows to what the data says; a step that was done and no longer is has regressed:
    the standing sign-off is voided and the participant's users and the Release Managers are told, once. Returns
    the regressed StepState or None."""
    states = evaluate(facts)
    regressed = None
    for number in DERIVED:
        state, row = states[number - 1], facts.rows.get(number)
        if row is None:
            row = ProvingStep(participant_id=facts.participant.id, environment_id=facts.environment.id, step=number,
                              status=state.status)
            db.session.add(row)
            facts.rows[number] = row
        elif row.status == StepStatus.DONE and state.status != StepStatus.DONE:
            row.regressed_at, row.regressed_reason = now, state.detail
            regressed = regressed or state
        elif state.status == StepStatus.DONE:
            row.regressed_at, row.regressed_reason = None, ""
        row.status, row.blocked_by, row.recorded_at = state.status, state.detail, now
    if regressed is not None:
        _regressed(facts, regressed, now)
    return regressed


def _regressed(facts, state, now):
    participant, environment = facts.participant, facts.environment
    reason = f"Step {state.number}, {state.words}, regressed: {state.detail}"
    voided = facts.sign_off
    if voided is not None:
        voided.voided_at, voided.voided_reason = now, reason
        record("connectivity.voided", obj=participant, summary=f"{environment.name}: {reason}")
        facts.sign_off = None
    record("connectivity.regressed", obj=participant, summary=f"{environment.name}: {reason}")
    notify("proving_regressed", [*users_of(participant.organisation_id), *_release_managers()], "proving.page",
           {"participant_id": participant.id, "environment_id": environment.id}, participant=participant,
           environment=environment, state=state, voided=voided is not None)


def certificates_changed(organisation_id):
    """The hook `certificates.services.CHANGED`: an organisation's officers or certificates changed."""
    participant = db.session.scalar(select(Participant).where(Participant.organisation_id == organisation_id))
    if participant is None:
        return
    now = utcnow()
    for environment in proving_environments(participant):
        sync(facts_for(environment, [participant], now)[participant.id], now)


def sweep(now):
    """Every participant in every environment brought up to date (certificates that expired): the number of
    regressions found. Meant for a daily job: `flask participants sweep`."""
    found = 0
    for environment in db.session.scalars(select(Environment).order_by(Environment.position)):
        participants = db.session.scalars(proving_participants(environment.id)).unique().all()
        for facts in facts_for(environment, participants, now).values():
            found += sync(facts, now) is not None
    db.session.commit()
    return found


# Writes ---------------------------------------------------------------------------------------------------------

def _step_problems(participant, number, values, states):
    status = values["status"]
    problems = length_problems(values, LIMITS)
    if number == MESSAGE_STEP and message_exemption(participant):
        problems["status"] = (f"Step 4 does not apply to {participant.organisation.name}: "
                              f"{message_exemption(participant)}")
        return problems
    need = NEEDS.get(number)
    if status == StepStatus.DONE and need and states[need - 1].status != StepStatus.DONE:
        problems["status"] = (f"Step {number} needs step {need}, {step_words(need)}, done first"
                              + (f": {states[need - 1].detail}" if states[need - 1].detail else "."))
    if status == StepStatus.BLOCKED and not values["blocked_by"]:
        problems["blocked_by"] = "Say what blocks this step."
    if status == StepStatus.NOT_APPLICABLE:
        if states[number - 1].required:
            problems["status"] = f"Step {number} is required of {participant.organisation.name}: it cannot be " \
                                 "marked not applicable."
        elif not values["not_applicable_reason"]:
            problems["not_applicable_reason"] = "Say why this step does not apply."
    if number == MESSAGE_STEP and status == StepStatus.DONE:
        if not values["message_id"]:
            problems["message_id"] = "Enter the id of the DIP message sent."
        if values["message_at"] is None:
            problems["message_at"] = "Enter when the message was sent and its response received."
    if values.get("message_at") is not None and values["message_at"] > utcnow():
        problems["message_at"] = "This time is in the future."
    return problems


def record_step(user, participant, environment, number, values, evidence=None):
    """values: STEP_FIELDS as plain data (status a StepStatus, message_at naive UTC or None); evidence: (file name,
    bytes) or None. Steps 1–2 derive themselves and are not recorded."""
    if not can_record_connectivity_step(user, participant):
        raise Refused(f"Only {participant.organisation.name} or a Release Manager records its steps.", "status")
    if number in DERIVED:
        raise Refused(f"Step {number}, {step_words(number)}, ticks itself from the PKI officers and certificates.",
                      "status")
    if number not in RECORDED:
        raise Refused(f"There is no step {number}: the steps are 1 to {len(STEPS)}.", "status")
    facts, states = steps_of(participant, environment)
    problems = _step_problems(participant, number, values, states)
    if problems:
        raise Invalid(problems)
    sync(facts, utcnow())  # the derived steps' rows say what they were when this was recorded
    row = facts.rows.get(number)
    if row is None:
        row = ProvingStep(participant_id=participant.id, environment_id=environment.id, step=number)
        db.session.add(row)
    status = values["status"]
    row.status = status
    row.blocked_by = values["blocked_by"] if status == StepStatus.BLOCKED else ""
    row.not_applicable_reason = values["not_applicable_reason"] if status == StepStatus.NOT_APPLICABLE else ""
    row.note = values["note"]
    if number == MESSAGE_STEP:
        row.message_id, row.message_at = values["message_id"], values["message_at"]
    if evidence is not None:
        row.evidence_name, row.evidence = evidence
    row.recorded_by_id, row.recorded_at = user.id, utcnow()
    db.session.flush()
    record("proving.step_recorded", actor=user, obj=participant,
           summary=f"{environment.name}, step {number} ({step_words(number)}): {status.label.lower()}")
    db.session.commit()
    return row


def sign_off(user, participant, environment):
    """A Release Manager's "connectivity proven": refused while a required step is open, naming it."""
    if not can_sign_off_connectivity(user):
        raise Refused("Only a Release Manager signs off connectivity; a participant never signs itself off.")
    now = utcnow()
    facts, states = steps_of(participant, environment, now)
    if facts.sign_off is not None:
        raise Refused(f"Connectivity to {environment.name} is signed off already.")
    state = first_open(states)
    if state is not None:
        raise Refused(f"Not signed off: {open_step_words(state)}")
    sync(facts, now)  # the derived steps' rows say "done", so a regression is noticed
    signed = ConnectivitySignOff(participant_id=participant.id, environment_id=environment.id,
                                 signed_by_id=user.id, signed_at=now)
    db.session.add(signed)
    db.session.flush()
    record("connectivity.signed_off", actor=user, obj=participant, summary=environment.name)
    db.session.commit()
    return signed


def void_sign_off(user, participant, environment, reason):
    if not can_sign_off_connectivity(user):
        raise Refused("Only a Release Manager voids a sign-off.")
    if not reason:
        raise Refused("Say why the sign-off is voided.", "reason")
    if len(reason) > LIMITS["blocked_by"]:
        raise Refused(f"Keep the reason to {LIMITS['blocked_by']} characters.", "reason")
    standing = db.session.scalar(select(ConnectivitySignOff).where(
        ConnectivitySignOff.participant_id == participant.id, ConnectivitySignOff.environment_id == environment.id,
        ConnectivitySignOff.voided_at.is_(None)))
    if standing is None:
        raise Refused(f"Connectivity to {environment.name} is not signed off.", "reason")
    standing.voided_at, standing.voided_reason = utcnow(), reason
    record("connectivity.voided", actor=user, obj=participant, summary=f"{environment.name}: {reason}")
    db.session.commit()
    return standing


# Reminders ------------------------------------------------------------------------------------------------------

def send_reminders(today):
    """Participants whose interval starts within 14 days and have required steps open are told of them: once per
    step and week. Returns the number of participant × environment reminders queued."""
    week = today - timedelta(days=today.weekday())
    participants = db.session.scalars(
        select(Participant).join(Participant.interval)
        .where(OnboardingInterval.first_day >= today,
               OnboardingInterval.first_day <= today + timedelta(days=REMIND_WITHIN_DAYS))
        .options(joinedload(Participant.organisation), joinedload(Participant.interval),
                 selectinload(Participant.market_roles))).unique().all()
    sent = {(r.participant_id, r.environment_id, r.step) for r in db.session.scalars(select(ProvingReminder).where(
        ProvingReminder.week == week, ProvingReminder.participant_id.in_([p.id for p in participants])))}
    queued = 0
    for participant in participants:
        for environment in proving_environments(participant):
            _, states = steps_of(participant, environment)
            due = [s for s in states if s.open and (participant.id, environment.id, s.number) not in sent]
            if not due:
                continue
            told = notify("proving_reminder", users_of(participant.organisation_id), "proving.page",
                          {"participant_id": participant.id, "environment_id": environment.id},
                          participant=participant, environment=environment, steps=due)
            if told:  # an organisation without users (or all of them opted out) is reminded once someone can hear
                db.session.add_all(ProvingReminder(participant_id=participant.id, environment_id=environment.id,
                                                   step=s.number, week=week) for s in due)
                queued += 1
    db.session.commit()
    return queued
