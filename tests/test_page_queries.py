"""The query count of every page in the benchmark (scripts/bench_http.py), pinned: the same with a handful of RFCs,
outages and certificates as with seven times as many, and equal to the figure below (a change that adds a query per
page changes it here, on purpose). The figures are SQLite's, whose requests begin with a BEGIN statement of their
own; PostgreSQL's are one fewer."""
import random
from datetime import datetime, time, timedelta

from sqlalchemy import func, insert, select

from mhhs.certificates.models import Certificate, Kind
from mhhs.core.time import london_to_utc, to_london, utcnow
from mhhs.directory.models import Environment, System, User
from mhhs.extensions import db
from mhhs.outages import downtime
from mhhs.outages.models import PLANNED_CATEGORIES, UNPLANNED_CATEGORIES, Outage, outage_systems
from mhhs.rfcs.models import Defect, Deployment, Rfc, rfc_environments
from mhhs.rfcs.services import rebuild_pending
from mhhs.rfcs.states import ReleaseType, RfcStatus

MANAGER, CENTRAL_PARTY, PARTICIPANT = "rm.sit@demo.test", "dip@demo.test", "supplier@demo.test"
# (who, URL, queries): the benchmark's pages; {rfc}, {environment} and {system} name the fill's objects, {day} the
# day of its clashing windows (the benchmark shows the calendar of today).
PAGES = [
    (MANAGER, "/outages/categories", 2),
    (MANAGER, "/", 68), (CENTRAL_PARTY, "/", 43), (PARTICIPANT, "/", 41),
    (MANAGER, "/rfcs", 8), (MANAGER, "/rfcs?last=1", 8), (CENTRAL_PARTY, "/rfcs", 8), (PARTICIPANT, "/rfcs", 9),
    (MANAGER, "/rfcs/{rfc}", 32), (MANAGER, "/approvals", 23),
    (MANAGER, "/outages", 17), (MANAGER, "/outages?last=1", 17), (MANAGER, "/outages/board", 7),
    (MANAGER, "/certificates", 16), (MANAGER, "/certificates?last=1", 16),
    (MANAGER, "/outages/availability", 6), (MANAGER, "/outages/availability?period=month&count=12", 7),
    (MANAGER, "/baseline", 9), (MANAGER, "/baseline/{environment}/{system}", 5),
    (MANAGER, "/calendar?date={day}", 24), (MANAGER, "/calendar?view=week&date={day}", 24), (MANAGER, "/plan", 9),
    (MANAGER, "/reports/weekly", 41), (CENTRAL_PARTY, "/retests", 10), (MANAGER, "/environments", 10),
    (MANAGER, "/search?q=Release+4", 3),
]
API = [("/rfcs", 18), ("/rfcs/{rfc}", 19), ("/baseline", 13), ("/outages", 13), ("/certificates", 12)]  # under /api/v1


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
    db.session.commit()
    rebuild_pending()
    downtime.rebuild(now)
    return first


def test_every_benchmark_page_costs_the_same_queries_at_any_size(app, as_user, count_queries, make_token, api):
    with app.app_context():
        rfc = fill(40, seed=1) + 1  # an approved one
        names = dict(rfc=rfc, environment=db.session.scalar(select(Environment.id).where(Environment.name == "SIT-A")),
                     system=db.session.scalar(select(System.id).where(System.name == "DIP")),
                     day=to_london(clashing_start(utcnow())).date().isoformat())
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
        return found

    small = counts()
    with app.app_context():
        fill(240, seed=2)
    large = counts()
    assert large == small
    with app.app_context():  # SQLite's requests open their transaction with a BEGIN of their own (core/db.py)
        begin = 1 if db.engine.dialect.name == "sqlite" else 0
    pinned = {(email, url): n - 1 + begin for email, url, n in PAGES} | {("api", url): n - 1 + begin for url, n in API}

    assert small == pinned
