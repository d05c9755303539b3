"""The query count of every page in the benchmark (scripts/bench_http.py), pinned: the same with a handful of RFCs,
outages, certificates, participants (proving steps, sign-offs, criteria and their marks), slots and days of health
checks as with seven times as many, and equal to the figure below (a change that adds a query per
page changes it here, on purpose). The figures are SQLite's, whose requests begin with a BEGIN statement of their
own; PostgreSQL's are one fewer."""
import random
from datetime import datetime, time, timedelta

from sqlalchemy import func, insert, select, text

from mhhs.allocation.models import Purpose, Slot, SlotStatus, slot_participants
from mhhs.baseline.versions import sort_key
from mhhs.certificates.models import Certificate, Kind, OfficerRole, PkiOfficer, Scheme
from mhhs.core.changes import OUTAGES, REFERENCE, SLOTS, WINDOWS, bump
from mhhs.core.time import london_to_utc, to_london, utcnow
from mhhs.directory.models import Environment, MarketRole, Organisation, OrgKind, System, User, environment_systems
from mhhs.extensions import db
from mhhs.outages import downtime
from mhhs.outages.models import PLANNED_CATEGORIES, UNPLANNED_CATEGORIES, Outage, outage_systems
from mhhs.participants.models import (
    ConnectivitySignOff,
    OnboardingInterval,
    Participant,
    ParticipantEnvironment,
    ParticipantKind,
    ProvingStep,
    Route,
    StepStatus,
    participant_market_roles,
)
from mhhs.readiness.counts import READINESS
from mhhs.readiness.models import CriterionMark, Derived, EntryCriterion, Health, HealthCheck, Mark
from mhhs.rfcs.models import Defect, Deployment, Rfc, rfc_environments
from mhhs.rfcs.services import rebuild_pending, system_versions
from mhhs.rfcs.states import ReleaseType, RfcStatus
from mhhs.rfcs.versions import next_version
from tests.rfcs.factory import make_rfc

MANAGER, CENTRAL_PARTY, PARTICIPANT = "rm.sit@demo.test", "dip@demo.test", "supplier@demo.test"
# (who, URL, queries): the benchmark's pages; {rfc}, {environment} and {system} name the fill's objects, {day} the
# day of its clashing windows (the benchmark shows the calendar of today). A page that finds the outages overlapping
# a period reads the stored change counters (one small query) for the longest outage kept per process
# (outages/downtime.py), so as not to read every outage ending after the period's start. A home page reads its own
# cards only: those the same for every viewer alike (a Release Manager, an organisation) are kept rendered
# (home._kept). The weekly report of the last complete week, warmed, is the process's copy for the viewer
# (reports/views._ended_week_body): the user and the counters are read (the current week's, read at each request:
# tests/reports/test_weekly.py). The environments page is rendered once per
# process (reports/environments.py): warm, it reads the user and the change counters.
PAGES = [
    (MANAGER, "/outages/categories", 2),
    (MANAGER, "/", 7), (CENTRAL_PARTY, "/", 13), (PARTICIPANT, "/", 12),
    # The RFC list and the queue offer their filters' environments, systems and organisations from the copies kept
    # per process behind the reference data's counter (directory/choices.py): the counters' one read (which the queue
    # makes anyway), not a query each. The list's rows and pager, warmed, are the process's copy for the viewer and
    # query string (rfcs/views/index.py); a search reads them (tests/rfcs/test_queue_and_list.py).
    (MANAGER, "/rfcs", 3), (MANAGER, "/rfcs?last=1", 3), (CENTRAL_PARTY, "/rfcs", 3), (PARTICIPANT, "/rfcs", 3),
    # An RFC's page reads the RFC with its organisation and system, then each collection it shows in one statement
    # (rfcs/queries.SHOWN), the people and environments its rows name joined in.
    (MANAGER, "/rfcs/{rfc}", 30),
    # The queue: its count and its rows with their decisions, control points and consultations (what says whether
    # the rows' copies hold); the rows and their warnings kept rendered per process per viewer and rows' state behind
    # the counters of what they read (rfcs.views.approval._rows).
    (MANAGER, "/approvals", 8),
    # The outages page: a page of the log's rows (per viewer and query string), its count, the board rendered, the
    # filters' choices and the regions under the board kept per process behind the counters.
    (MANAGER, "/outages", 3), (MANAGER, "/outages?last=1", 3), (MANAGER, "/outages/board", 3),
    # The certificates' rows and pager, their counts, gaps and the list's count kept per process per reader (the rows
    # per query string), until time alone moves one of the reader's certificates to another status.
    (MANAGER, "/certificates", 3), (MANAGER, "/certificates?last=1", 3),
    # Availability: what it reads kept per process per period and day (outages/services._availability_reads).
    (MANAGER, "/outages/availability", 3), (MANAGER, "/outages/availability?period=month&count=12", 3),
    # The baseline grid is rendered once per process per filters and manager-or-not (baseline.views._kept_grid): the
    # user and the counters are read, nothing else while no counter moves; the filters' choices are the kept ones.
    # A cell's history: the environment's and system's names from the kept choices, its lines as one read of columns.
    (MANAGER, "/baseline", 3), (MANAGER, "/baseline/{environment}/{system}", 4),
    # The calendar, warmed: the process's copy for the viewer, filters and day (schedule/views.py) behind the
    # counters (its count read again after a change: tests/schedule/test_pages.py).
    (MANAGER, "/calendar?date={day}", 3), (MANAGER, "/calendar?view=week&date={day}", 3),
    (MANAGER, "/plan", 4),  # the stages, freezes and roadmap kept per process and day (schedule/plan.shown)
    (MANAGER, "/reports/weekly", 3), (CENTRAL_PARTY, "/retests", 3), (MANAGER, "/environments", 3),
    (MANAGER, "/search?q=Release+4", 3),
    # The proving matrix, warmed: rendered once per process per query string behind the counters
    # (participants/proving_views.py); the user and the counters are read, nothing else.
    (MANAGER, "/participants/proving?environment={sit_a}", 3),
    # A participant: its entry (and market roles) read; its environments, officers and certificates, and its outages
    # (until one starts or ends), rendered once per process per viewer behind the counters (participants.views).
    (MANAGER, "/participants/{participant}", 5),
    # The register, warmed: rendered once per process per viewer and query string behind PROVING and REFERENCE
    # (participants/views.py).
    (MANAGER, "/participants", 3),
    # The timeline is drawn once per process per viewer and period (allocation.views._drawn): the user and the
    # counters are read, nothing else while no counter moves.
    (MANAGER, "/allocation/timeline?view=month", 3), (MANAGER, "/readiness", 3),
    # Today's checks, warmed: rendered once per process per viewer behind HEALTH and REFERENCE (readiness/views.py).
    (MANAGER, "/readiness/health", 3),
]
# Under /api/v1: the outages', the certificates' and the baseline's JSON is kept per process per query string (and
# reader: the certificates) behind their counters (api/outages.py, certificates.services.kept_listing): the
# counters' read only, after the token and the rate limiter. One RFC: read with its organisation and system, then
# each collection it sends in one statement (api/rfcs.SENT). The allocation check reads the participant's
# connectivity steps off the environment's proving evaluation kept per process (the matrix's: proving.standing_in).
# A page naming windows' clashes reads the longest scheduled window kept per process (rfcs.clashes.longest_window).
API = [("/rfcs", 13), ("/rfcs/{rfc}", 12), ("/baseline", 6), ("/outages", 6), ("/certificates", 6),
       ("/allocation/check?participant={participant_name}&environment=SIT-A&at={checked_at}", 19)]
# The morning health check a Central Party's monitor posts (an update once the day's check is there: made if missing,
# then locked and read, so two at once both go on), with the day's checks' change counter (`health`: the home page's
# readiness cards).
HEALTH_CHECK = {"system": "DIP", "environment": "SIT-A", "health": "green"}
HEALTH_CHECK_QUERIES = {"sqlite": 13, "postgresql": 11}  # SQLite's two transactions each open with a BEGIN
# An API request's count in the rate limiter: one transaction (its UPSERT; SQLite's figures above include its BEGIN),
# and one statement alone (the address's failed tokens); the X-RateLimit headers read nothing more.
RATE_LIMIT_TRANSACTIONS = 1
# The benchmark's writers: a Release Manager approves an RFC from its page (with a comment): the user and the RFC;
# the RFC with what the decision reads (2), its queue rows removed, the recipients with their opt-outs, and the
# writes (audit, e-mail, RFC, approval, control point 7, the schedule's change counter: the RFC's status moved).
# SQLite's adds its BEGIN, then the write lock's BEGIN IMMEDIATE (the reading transaction ended; the session's user
# is kept as it was read, not read again: core.db.writing).
DECISION_QUERIES = {"sqlite": 14, "postgresql": 12}


CLASHING = 6


def clashing_start(now):
    """Two days ahead at 10:00 London: in the week and month the calendar rows below show."""
    return london_to_utc(datetime.combine(to_london(now).date() + timedelta(days=2), time(10)))


def fill(count, seed):
    """count RFCs of every status (with environments, a defect, deployments where deployed), outages over the last
    and next weeks, and certificates, as bulk rows (as the benchmark fills)."""
    rng, now = random.Random(seed), utcnow()
    systems = db.session.scalars(select(System)).all()
    environments = db.session.scalars(select(Environment.id)).all()
    author = db.session.scalar(select(User).where(User.email == CENTRAL_PARTY))
    first = (db.session.scalar(select(func.max(Rfc.id))) or 0) + 1
    statuses = [RfcStatus.SUBMITTED, RfcStatus.APPROVED, RfcStatus.DEPLOYED, RfcStatus.CLOSED, RfcStatus.DRAFT]
    rfcs, links, defects, deployments = [], [], [], []
    dip = next(s for s in systems if s.name == "DIP")
    sit_a_uit = db.session.scalars(select(Environment.id).where(Environment.name.in_(("SIT-A", "UIT")))).all()
    for rfc_id in range(first, first + count):
        system, status = rng.choice(systems), statuses[rfc_id % len(statuses)]
        start = now + timedelta(hours=rng.randint(-100, 160))
        if rfc_id - first < CLASHING:  # the Central Party's own, waiting and approved, clashing with each other
            system, status = dip, (RfcStatus.SUBMITTED, RfcStatus.APPROVED)[rfc_id % 2]
            start = clashing_start(now) + timedelta(minutes=20 * (rfc_id - first))
        rfcs.append(dict(id=rfc_id, organisation_id=system.organisation_id, system_id=system.id,
                         release_type=rng.choice(list(ReleaseType)), version=f"{rfc_id}.0.0.0",
                         version_key=sort_key(f"{rfc_id}.0.0.0"),
                         title=f"Release {rfc_id}", reason="Test", window_start=start,
                         window_end=start + timedelta(hours=2), window_minutes=121, expected_downtime=30,
                         status=status, revision=1, created_by_id=author.id, created_at=now, updated_at=now,
                         submitted_at=now, approved_at=now, row_version=1, implementation_plan="", rollback_plan="",
                         stakeholders_impacted="", known_issues="", installation_instructions=""))
        targets = sit_a_uit if rfc_id - first < CLASHING else rng.sample(environments, 2)
        links += [{"rfc_id": rfc_id, "environment_id": e} for e in targets]
        defects.append(dict(rfc_id=rfc_id, position=0, defect_id=f"DEF-{rfc_id}", severity="High", summary="Test",
                            found_in_id=targets[0], ready_for_retest=True))
        if status in (RfcStatus.DEPLOYED, RfcStatus.CLOSED):
            deployments.append(dict(rfc_id=rfc_id, environment_id=targets[0], outcome=RfcStatus.DEPLOYED,
                                    actual_start=start, actual_end=start + timedelta(hours=1),
                                    version=f"{rfc_id}.0.0.0", at=start))
    outages, outage_links = [], []
    first_outage = (db.session.scalar(select(func.max(Outage.id))) or 0) + 1
    for outage_id in range(first_outage, first_outage + count):
        environment = rng.choice(environments)
        planned, start = rng.random() < 0.4, now + timedelta(hours=rng.randint(-400, 200))
        outages.append(dict(id=outage_id, environment_id=environment, organisation_id=systems[0].organisation_id,
                            planned=planned, category=rng.choice(PLANNED_CATEGORIES if planned
                                                                 else UNPLANNED_CATEGORIES),
                            start=start, end=start + timedelta(hours=rng.randint(1, 30)),
                            description=f"Outage {outage_id}",
                            impact="", defect_reference="", root_cause="", reported_by_id=author.id,
                            reporter_organisation_id=author.organisation_id, created_at=now, row_version=1))
        outage_links.append({"outage_id": outage_id, "system_id": rng.choice(systems).id})
    certificates = [dict(organisation_id=author.organisation_id, environment_id=rng.choice(environments),
                         kind=rng.choice(list(Kind)), mpid="", subject=f"CN=test-{seed}-{i}.test", issuer="CN=CA",
                         serial=f"{seed}{i:X}", valid_from=now - timedelta(days=300),
                         valid_to=now + timedelta(days=rng.randint(-60, 400)), fingerprint=f"{seed}{i:063X}",
                         alt_names="", technical_contact="", der=b"\x30\x00", uploaded_at=now) for i in range(count)]
    for model, rows in ((Rfc, rfcs), (rfc_environments, links), (Defect, defects), (Deployment, deployments),
                        (Outage, outages), (outage_systems, outage_links), (Certificate, certificates)):
        if rows:
            db.session.execute(insert(model), rows)
    # Certificates, outages and RFCs added beside the ORM: what readiness reads, the longest outage, the schedule.
    bump(READINESS, OUTAGES, WINDOWS)
    db.session.commit()
    rebuild_pending()
    downtime.rebuild(now)
    fill_participants(count // 10, seed, now)
    fill_slots(count // 2, seed, now)
    fill_readiness(count // 10, seed, now)
    return first


def fill_participants(count, seed, now):
    """count Test Participants of intervals 1-6, an own environment each, steps 3-5 in every environment, every
    other one proven in SIT-A (PKI officers and certificates there, steps 1-5 done) and signed off (bulk rows, as the
    benchmark fills)."""
    environments = db.session.scalars(select(Environment.id)).all()
    sit_a = db.session.scalar(select(Environment.id).where(Environment.name == "SIT-A"))
    manager = db.session.scalar(select(User.id).where(User.email == MANAGER))
    roles = db.session.scalars(select(MarketRole.id)).all()
    if not db.session.scalar(select(func.count()).select_from(OnboardingInterval)):
        db.session.execute(insert(OnboardingInterval), [dict(number=n, first_day=now.date() + timedelta(weeks=n),
                                                             last_day=now.date() + timedelta(weeks=n, days=11))
                                                        for n in range(1, 7)])
    intervals = db.session.scalars(select(OnboardingInterval.id).order_by(OnboardingInterval.number)).all()
    first = (db.session.scalar(select(func.max(Organisation.id))) or 0) + 1
    db.session.execute(insert(Organisation), [dict(id=first + n, name=f"Participant {seed}-{n}", fix_forward=False,
                                                   kind=OrgKind.TEST_PARTICIPANT, mpids="") for n in range(count)])
    db.session.execute(insert(Participant), [dict(id=first + n, organisation_id=first + n, route=Route.SIT,
                                                  kind=list(ParticipantKind)[n % 3], interval_id=intervals[n % 6],
                                                  environment_manager_name="EM", environment_manager_email="em@x.test")
                                             for n in range(count)])
    ids = range(first, first + count)
    signed = [i for i in ids if i % 2 == first % 2]  # organisation id = participant id here
    for model, rows in (
            (ParticipantEnvironment, [dict(participant_id=i, name="Test", environment_id=sit_a) for i in ids]),
            (participant_market_roles, [{"participant_id": i, "market_role_id": roles[i % len(roles)]} for i in ids]),
            (ProvingStep, [dict(participant_id=i, environment_id=e, step=step, recorded_by_id=manager, recorded_at=now,
                                status=StepStatus.DONE if (i in signed and e == sit_a)
                                else list(StepStatus)[(i + step) % 4])
                           for i in ids for e in environments for step in (3, 4, 5)]),
            (PkiOfficer, [dict(organisation_id=i, role=role, scheme=Scheme.DIP, name="Officer", email="pki@x.test",
                               environment_id=environment_id) for i in signed
                          for role, environment_id in ((OfficerRole.SRO, None),
                                                       (OfficerRole.TECHNICAL_CONTACT, sit_a))]),
            (Certificate, [dict(organisation_id=i, environment_id=sit_a, kind=kind, mpid="", subject=f"CN=p{i}.test",
                                issuer="CN=CA", serial=f"P{i}{kind.name}", valid_from=now - timedelta(days=30),
                                valid_to=now + timedelta(days=365), fingerprint=f"P{i}{kind.name}", alt_names="",
                                technical_contact="", der=b"\x30\x00", uploaded_at=now)
                           for i in signed for kind in (Kind.DIP_TLS, Kind.DIP_JWS)]),
            (ConnectivitySignOff, [dict(participant_id=i, environment_id=sit_a, signed_by_id=manager, signed_at=now)
                                   for i in signed])):
        db.session.execute(insert(model), rows)
    bump(REFERENCE, READINESS)  # organisations and participants added beside the ORM (core/changes.py)
    db.session.commit()


def fill_slots(count, seed, now):
    """count slots of an hour, evenly from ten days back to a fortnight ahead (so that every week shown holds some),
    in each environment in turn, every other one allocated, each of one or two participants."""
    rng, environments = random.Random(seed), db.session.scalars(select(Environment.id)).all()
    participants = db.session.scalars(select(Participant.id)).all()
    manager = db.session.scalar(select(User.id).where(User.email == MANAGER))
    first = (db.session.scalar(select(func.max(Slot.id))) or 0) + 1
    slots, links = [], []
    for slot_id in range(first, first + count):
        n = slot_id - first
        start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=-240 + n * 576 // count)
        slots.append(dict(id=slot_id, environment_id=environments[n % len(environments)], start=start,
                          end=start + timedelta(hours=1), purpose=rng.choice(list(Purpose)),
                          status=SlotStatus.ALLOCATED if n % 2 else rng.choice(list(SlotStatus)),
                          requested_by_id=manager, requested_at=now, changed_at=now))
        links += [{"slot_id": slot_id, "participant_id": p} for p in rng.sample(participants, rng.randint(1, 2))]
    db.session.execute(insert(Slot), slots)
    db.session.execute(insert(slot_participants), links)
    bump(SLOTS)  # slots added beside the ORM: the clash rule's longest slot (core/changes.py)
    db.session.commit()


def own_slot(participant_id, environment_id):
    """An allocated slot of the participant's (proven and signed off there) over the clashing windows' time: the API's
    allocation check asked inside it walks the whole rule (the gate, its slot, every source of clashes) and answers
    wait. Returns the time to ask about."""
    start = clashing_start(utcnow())
    manager = db.session.scalar(select(User.id).where(User.email == MANAGER))
    slot_id = (db.session.scalar(select(func.max(Slot.id))) or 0) + 1
    db.session.execute(insert(Slot), [dict(id=slot_id, environment_id=environment_id, start=start,
                                           end=start + timedelta(hours=1), purpose=Purpose.TESTING,
                                           status=SlotStatus.ALLOCATED, requested_by_id=manager,
                                           requested_at=utcnow(), changed_at=utcnow())])
    db.session.execute(insert(slot_participants), [{"slot_id": slot_id, "participant_id": participant_id}])
    bump(SLOTS)
    db.session.commit()
    return start + timedelta(minutes=10)


def fill_readiness(days, seed, now):
    """Five SIT criteria (three kept by the data: the readiness pages read each kind's facts), the participants'
    marks on the others, and `days` more days of health checks of every system in every environment (each system
    linked to each environment)."""
    environments = db.session.scalars(select(Environment.id)).all()
    systems = db.session.scalars(select(System.id)).all()
    manager = db.session.scalar(select(User.id).where(User.email == MANAGER))
    linked = set(db.session.execute(select(environment_systems.c.environment_id, environment_systems.c.system_id)))
    missing = [{"environment_id": e, "system_id": s} for e in environments for s in systems if (e, s) not in linked]
    if missing:
        db.session.execute(insert(environment_systems), missing)
        bump(REFERENCE)
    bump(READINESS)  # criteria and marks added beside the ORM
    sit_a = db.session.scalar(select(Environment.id).where(Environment.name == "SIT-A"))
    derived = {0: Derived.ENVIRONMENT_MANAGER, 1: Derived.CONNECTIVITY, 2: Derived.OWN_ENVIRONMENT}
    db.session.execute(insert(EntryCriterion), [dict(phase=Route.SIT, text=f"Criterion {seed}-{n}", position=n,
                                                     derived=derived.get(n),
                                                     environment_id=sit_a if n == 1 else None)
                                                for n in range(5)])
    manual = db.session.scalars(select(EntryCriterion.id).where(EntryCriterion.derived.is_(None))).all()
    marked = set(db.session.execute(select(CriterionMark.criterion_id, CriterionMark.participant_id)))
    db.session.execute(insert(CriterionMark), [
        dict(criterion_id=c, participant_id=p, mark=list(Mark)[(c + p) % 2], note="Evidence", by_id=manager, at=now,
             waived_until=now.date() + timedelta(days=(c + p) % 5 - 2))
        for c in manual for p in db.session.scalars(select(Participant.id)) if (c, p) not in marked and (c + p) % 3])
    last = db.session.scalar(select(func.min(HealthCheck.day))) or to_london(now).date() + timedelta(days=1)
    db.session.execute(insert(HealthCheck), [
        dict(system_id=s, environment_id=e, day=last - timedelta(days=back), health=list(Health)[(s + back) % 3],
             note="", first_reported_at=now, reported_at=now, reported_by_id=manager)
        for back in range(1, days + 1) for e in environments for s in systems])
    db.session.commit()


def test_every_benchmark_page_costs_the_same_queries_at_any_size(app, as_user, count_queries, make_token, api):
    with app.app_context():
        rfc = fill(40, seed=1) + 1  # an approved one
        names = dict(rfc=rfc, environment=db.session.scalar(select(Environment.id).where(Environment.name == "SIT-A")),
                     system=db.session.scalar(select(System.id).where(System.name == "DIP")),
                     day=to_london(clashing_start(utcnow())).date().isoformat())
        names["sit_a"] = names["environment"]
        participant = db.session.scalar(select(ConnectivitySignOff.participant_id).order_by(ConnectivitySignOff.id))
        checked_at = own_slot(participant, names["environment"])
        names |= dict(participant=participant, participant_name=db.session.get(Participant, participant).organisation
                      .name.replace(" ", "+"), checked_at=f"{checked_at.isoformat()}Z")
    clients = {email: as_user(email) for email in (MANAGER, CENTRAL_PARTY, PARTICIPANT)}
    secret = make_token()

    def counts():
        found = {}
        for email, url, _ in PAGES:
            clients[email].get(url.format(**names))  # what a first request does once (the session's "seen" time)
            with count_queries() as counter:
                response = clients[email].get(url.format(**names))
            assert response.status_code == 200, url
            found[(email, url)] = counter.count
        for url, _ in API:
            api("GET", url.format(**names), secret)  # the token's last use, written at most once a minute
            with count_queries() as counter:
                response = api("GET", url.format(**names), secret)
            assert response.status_code == 200, url
            found[("api", url)] = counter.count
        api("POST", "/health-checks", secret, HEALTH_CHECK)  # the day's check made, or updated: an update after
        with count_queries() as counter:
            response = api("POST", "/health-checks", secret, HEALTH_CHECK)
        assert response.status_code == 201, response.get_json()
        found[("api", "POST /health-checks")] = counter.count
        with app.app_context():  # submitted, control points 1-6 met: only the decision stands before approval
            if db.engine.dialect.name == "postgresql":  # the fill's RFCs carry their ids: the sequence follows them
                db.session.execute(text("SELECT setval(pg_get_serial_sequence('rfcs', 'id'), max(id)) FROM rfcs"))
            last, taken = system_versions(names["system"])
            waiting = make_rfc(version=next_version(last, ReleaseType.MINOR, taken),
                               not_carried_reason="Carried by the next release")
            seen = db.session.get(Rfc, waiting).row_version
        with count_queries() as counter:
            response = clients[MANAGER].post(f"/rfcs/{waiting}/decide", {
                "decision": "approve", "row_version": seen, "comment": "Approved by the benchmark"})
        assert response.status_code == 303 and response.location == f"/rfcs/{waiting}"
        with app.app_context():
            assert db.session.get(Rfc, waiting).status == RfcStatus.APPROVED
        found[(MANAGER, "POST /rfcs/<id>/decide")] = counter.count
        return found

    small = counts()
    with app.app_context():
        fill(240, seed=2)
    large = counts()
    assert large == small
    with app.app_context():  # SQLite's requests open their transaction with a BEGIN of their own (core/db.py)
        begin, db_name = (1 if db.engine.dialect.name == "sqlite" else 0), db.engine.dialect.name
    # An API request also counts in the rate limiter's own transaction (core/rate_limits.py): SQLite's opens with a
    # BEGIN of its own too.
    api_begin = (1 + RATE_LIMIT_TRANSACTIONS) * begin
    pinned = {(email, url): n - 1 + begin for email, url, n in PAGES} | {
        ("api", url): n - 1 - RATE_LIMIT_TRANSACTIONS + api_begin for url, n in API}
    pinned[("api", "POST /health-checks")] = HEALTH_CHECK_QUERIES[db_name]
    pinned[(MANAGER, "POST /rfcs/<id>/decide")] = DECISION_QUERIES[db_name]

    assert small == pinned, {key: n for key, n in small.items() if pinned[key] != n}
