"""Demo participants (demo database only, invented names): the onboarding intervals 1–6 around today, about a dozen
participants over intervals and routes (one on the E2E Sandbox after passing SIT, one without an Environment
Manager, one testing the EES market role), the demo supplier's own SIT-A environment, central connection details
and a data refresh announced ahead."""
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from ..certificates.demo import add_demo_certificate
from ..certificates.models import Certificate, Kind, OfficerRole, PkiOfficer, Scheme
from ..core.permissions import Role
from ..core.time import add_business_days, london_to_utc, to_london, utcnow
from ..directory.models import Environment, MarketRole, Organisation, OrgKind, System, User
from ..extensions import db
from . import proving, services
from .models import (
    ConnectivitySignOff,
    EnvironmentStatus,
    OnboardingInterval,
    Participant,
    ParticipantEnvironment,
    ParticipantKind,
    ProvingStep,
    Route,
    StepStatus,
    Tranche,
)

# Invented organisations that test, besides the directory's demo Test Participants: name: MPIDs.
ORGANISATIONS = {
    "Harrowgate Power": "HRGP", "Kestrel Metering": "KSTM", "Larkspur Data Services": "LKDS",
    "Quayside Energy Supply": "QYES", "Redbank Networks": "RDBN", "Saltmarsh Agents": "SLTA",
    "Tidewater DIP Connect": "TWDC", "Upland Utilities": "UPLU", "Wychwood Energy": "WYCE",
}
# organisation: kind, market roles, route, (passed route, days ago), interval, Environment Manager (None: a gap)
PARTICIPANTS = {
    "Northwold Energy": (ParticipantKind.SUPPLIER, ("SUP-D", "SUP-ND"), Route.SIT, None, 2, "supplier@demo.test"),
    "Brightmeter Services": (ParticipantKind.AGENT, ("MSS", "SDS"), Route.SIT, None, 1,
                             ("Bea Marlow", "bea.marlow@brightmeter.example")),
    "Fenland Networks": (ParticipantKind.DNO, ("NETOPS", "UMSO"), Route.QUALIFICATION, None, 3,
                         ("Fergus Lund", "fergus.lund@fenland.example")),
    "Harrowgate Power": (ParticipantKind.SUPPLIER, ("SUP-D",), Route.SANDBOX, (Route.SIT, 40), 1,
                         ("Hattie Grove", "hattie.grove@harrowgate.example")),
    "Kestrel Metering": (ParticipantKind.AGENT, ("MSA", "ADS"), Route.QUALIFICATION, None, 4, None),
    "Larkspur Data Services": (ParticipantKind.AGENT, ("DC", "DA", "EES"), Route.QUALIFICATION, None, 4,
                               ("Lars Penn", "lars.penn@larkspur.example")),
    "Quayside Energy Supply": (ParticipantKind.SUPPLIER, ("SUP-ND",), Route.QUALIFICATION, None, 5,
                               ("Quinn Adair", "quinn.adair@quayside.example")),
    "Redbank Networks": (ParticipantKind.DNO, ("NETOPS",), Route.SIT, None, 2,
                         ("Rosa Bankes", "rosa.bankes@redbank.example")),
    "Saltmarsh Agents": (ParticipantKind.AGENT, ("MOP",), Route.QUALIFICATION, None, 6,
                         ("Sol Marsh", "sol.marsh@saltmarsh.example")),
    "Tidewater DIP Connect": (ParticipantKind.DIP_CONNECTION_PROVIDER, (), Route.SIT, None, 3,
                              ("Tess Waters", "tess.waters@tidewater.example")),
    "Upland Utilities": (ParticipantKind.SUPPLIER, ("SUP-D", "SUP-ND"), Route.QUALIFICATION, None, 5,
                         ("Ula Hart", "ula.hart@upland.example")),
    "Wychwood Energy": (ParticipantKind.SUPPLIER, ("SUP-D",), Route.QUALIFICATION, None, 6,
                        ("Wyn Wood", "wyn.wood@wychwood.example")),
}
QUALIFICATION_TRANCHE = "Qualification tranche 1"


def interval_dates(today):
    """Intervals 1–6, two weeks apart, interval 3 in the week commencing the Monday after today."""
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    return {n: (monday + timedelta(weeks=2 * (n - 3)), monday + timedelta(weeks=2 * (n - 3), days=11))
            for n in range(1, 7)}


def seed_demo_participants():
    """Returns the number of rows added; running it again adds nothing."""
    if db.session.scalar(select(Participant.id).limit(1)) is not None:
        return 0
    today, now = utcnow().date(), utcnow()
    added = 0
    for name, mpids in ORGANISATIONS.items():
        if db.session.scalar(select(Organisation.id).where(Organisation.name == name)) is None:
            db.session.add(Organisation(name=name, kind=OrgKind.TEST_PARTICIPANT, mpids=mpids))
            added += 1
    intervals = {}
    for number, (first, last) in interval_dates(today).items():
        intervals[number] = db.session.scalar(select(OnboardingInterval).where(OnboardingInterval.number == number)) \
            or OnboardingInterval(number=number, first_day=first, last_day=last)
        db.session.add(intervals[number])
    uit = db.session.scalar(select(Environment).where(Environment.name == "UIT"))
    tranche = db.session.scalar(select(Tranche).where(Tranche.route == Route.QUALIFICATION,
                                                      Tranche.name == QUALIFICATION_TRANCHE))
    if tranche is None:
        tranche = Tranche(route=Route.QUALIFICATION, name=QUALIFICATION_TRANCHE, environment_id=uit.id,
                          first_day=today + timedelta(days=42), last_day=today + timedelta(days=97),
                          allocated_by="Code Bodies' allocation (demo)")
        db.session.add(tranche)
    db.session.flush()
    roles = {r.code: r for r in db.session.scalars(select(MarketRole))}
    for name, (kind, codes, route, passed, number, manager) in PARTICIPANTS.items():
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
        participant = Participant(organisation_id=organisation.id, kind=kind, route=route,
                                  market_roles=[roles[c] for c in codes], interval_id=intervals[number].id,
                                  qualification_tranche_id=tranche.id if route == Route.QUALIFICATION and number <= 4
                                  else None)
        if passed:
            participant.passed_route, participant.passed_on = passed[0], today - timedelta(days=passed[1])
        if isinstance(manager, str):
            participant.environment_manager_id = db.session.scalar(select(User.id).where(User.email == manager))
        elif manager:
            participant.environment_manager_name, participant.environment_manager_email = manager
        db.session.add(participant)
        added += 1
    db.session.flush()
    added += _environments(now)
    db.session.commit()
    return added


# organisation: [(name, serves, central environment, status, endpoints, host names, addresses)]
ENVIRONMENTS = {
    "Northwold Energy": [
        ("Northwold SIT-A", "SIT Functional", "SIT-A", EnvironmentStatus.READY,
         "https://dip-sit-a.northwold.example/webhooks", "dip-sit-a.northwold.example", "203.0.113.16/29"),
        ("Northwold SIT-B", "SIT Non-Functional", "SIT-B", EnvironmentStatus.BEING_BUILT, "", "", ""),
    ],
    "Fenland Networks": [
        ("Fenland QUAL", "Qualification", "UIT", EnvironmentStatus.READY,
         "https://mhhs-uit.fenland.example/dip/inbound", "mhhs-uit.fenland.example", "198.51.100.40\n2001:db8:fe::/48"),
    ],
    "Brightmeter Services": [
        ("Brightmeter SIT-B", "SIT Functional Settlement", "SIT-B", EnvironmentStatus.READY,
         "https://sitb.brightmeter.example/dip", "sitb.brightmeter.example", "192.0.2.64/27"),
        # Being connected to SIT-A: Brightmeter waits for a SIT-A connectivity-proving slot (the allocation demo).
        ("Brightmeter SIT-A", "SIT Functional", "SIT-A", EnvironmentStatus.BEING_BUILT, "", "", ""),
    ],
    "Redbank Networks": [
        ("Redbank SIT-A", "SIT Functional", "SIT-A", EnvironmentStatus.READY,
         "https://sita.redbank.example/dip/webhooks", "sita.redbank.example", "198.51.100.96/28"),
    ],
}
# system, environment, endpoints, host names, notes
CONNECTIONS = [
    ("DIP", "SIT-A", "https://dip-sit-a.avanade.example/api/v1\nhttps://dip-sit-a.avanade.example/webhooks/register",
     "dip-sit-a.avanade.example", "TLS 1.2+; the DIP TLS certificate for SIT-A; port 443 only."),
    ("DIP", "UIT", "https://dip-uit.avanade.example/api/v1", "dip-uit.avanade.example",
     "Qualification and E2E Sandbox participants: the DIP TLS certificate for UIT."),
]


def _environments(now):
    added = 0
    for name, rows in ENVIRONMENTS.items():
        participant = db.session.scalar(select(Participant).join(Participant.organisation)
                                        .where(Organisation.name == name))
        for env_name, serves, central, status, endpoints, hosts, addresses in rows:
            db.session.add(ParticipantEnvironment(
                participant_id=participant.id, name=env_name, serves=serves, status=status,
                environment_id=db.session.scalar(select(Environment.id).where(Environment.name == central)),
                endpoints=endpoints, host_names=hosts, addresses=addresses))
            added += 1
    db.session.flush()
    avanade = db.session.scalar(select(User).where(User.email == "dip@demo.test"))
    for system, environment, endpoints, hosts, notes in CONNECTIONS:
        services.save_connection(avanade, {
            "system_id": db.session.scalar(select(System.id).where(System.name == system)),
            "environment_id": db.session.scalar(select(Environment.id).where(Environment.name == environment)),
            "endpoints": endpoints, "host_names": hosts, "notes": notes}, now=now)
        added += 1
    # The demo supplier announces a data refresh of its SIT-A environment, with the notice it needs.
    northwold = db.session.scalar(select(ParticipantEnvironment).where(ParticipantEnvironment.name
                                                                       == "Northwold SIT-A"))
    supplier = db.session.scalar(select(User).where(User.email == "supplier@demo.test"))
    evening = datetime.combine(to_london(add_business_days(now, 4)).date(), time(18, 0))
    starts = london_to_utc(evening)  # 18:00 London, four business days ahead: more than the notice it needs
    services.log_outage(supplier, northwold, {"planned": True, "data_refresh": True, "starts": starts,
                                              "ends": starts + timedelta(hours=6),
                                              "reason": "Data refresh from a production-like copy"}, now=now)
    added += 1
    return added


# Connectivity proving (issue 26): organisation: (kind, market roles, interval, environment, MPID, the story).
# Redbank (SIT route, its own SIT-A environment) is signed off in SIT-A, so it may test there (the allocation demo's
# series); Brightmeter is blocked at webhooks; Northwold's UIT TLS certificate expired after its sign-off
# (regressed); Lanternway tests only the EES market role, so step 4 does not apply to it.
PROVING = {
    "Redbank Networks": (ParticipantKind.DNO, ("NETOPS",), 2, "SIT-A", "RDBN", "signed off"),
    "Brightmeter Services": (ParticipantKind.AGENT, ("MSS", "SDS"), 4, "SIT-B", "BMSV", "blocked at webhooks"),
    "Northwold Energy": (ParticipantKind.SUPPLIER, ("SUP-D",), 3, "UIT", "NWEN", "regressed"),
    "Lanternway Enquiries": (ParticipantKind.CENTRAL_PARTY, ("EES",), 5, "SIT-A", "LNTW", "EES"),
}
WEBHOOKS_BLOCKED = "Waiting for the DIP allow-list change of our webhook addresses (DIP service request DSR-1042)."


def _intervals(today):
    """Intervals 1–6 (EAP §10.1), four weeks apart, the third under way this week, unless the register made them."""
    monday = today - timedelta(days=today.weekday())
    for number in range(1, 7):
        if db.session.scalar(select(OnboardingInterval).where(OnboardingInterval.number == number)) is None:
            first_day = monday + timedelta(weeks=4 * (number - 3))
            db.session.add(OnboardingInterval(number=number, first_day=first_day,
                                              last_day=first_day + timedelta(days=25)))
    db.session.flush()


def _participant(name, kind, roles, interval):
    """The register entry of the organisation, made (with the organisation) when the register's demo has none."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(name=name, kind=OrgKind.CENTRAL_PARTY if kind == ParticipantKind.CENTRAL_PARTY
                                    else OrgKind.TEST_PARTICIPANT)
        db.session.add(organisation)
        db.session.flush()
    participant = db.session.scalar(select(Participant).where(Participant.organisation_id == organisation.id))
    if participant is None:
        participant = Participant(
            organisation_id=organisation.id, kind=kind, route=Route.SIT,
            interval_id=db.session.scalar(select(OnboardingInterval.id).where(OnboardingInterval.number == interval)),
            environment_manager_name="Demo Environment Manager",
            environment_manager_email=f"env.manager@{name.split()[0].lower()}.demo.test")
        participant.market_roles = list(db.session.scalars(select(MarketRole).where(MarketRole.code.in_(roles))))
        db.session.add(participant)
        db.session.flush()
    return participant


def _ready_for_certificates(participant, environment, mpid):
    """A DIP SRO and a Technical Contact for the environment (step 1), current TLS and JWS certificates (step 2)."""
    first = participant.organisation.name.split()[0]
    for role, environment_id in ((OfficerRole.SRO, None), (OfficerRole.TECHNICAL_CONTACT, environment.id)):
        db.session.add(PkiOfficer(organisation_id=participant.organisation_id, role=role, scheme=Scheme.DIP,
                                  name=f"{first} {role.value}", email=f"{role.name.lower()}@{first.lower()}.demo.test",
                                  environment_id=environment_id))
    held = set(db.session.scalars(select(Certificate.kind).where(
        Certificate.organisation_id == participant.organisation_id, Certificate.environment_id == environment.id)))
    for kind in (Kind.DIP_TLS, Kind.DIP_JWS):
        if kind not in held:
            add_demo_certificate(participant.organisation.name, environment.name, kind, mpid, 300)


def _done(participant, environment, step, at, by, **evidence):
    db.session.add(ProvingStep(participant_id=participant.id, environment_id=environment.id, step=step,
                               status=StepStatus.DONE, recorded_by_id=by.id, recorded_at=at, **evidence))


def seed_proving():
    """Connectivity proving's demo, after the register's: works from the Participant rows present, making the few
    it needs by organisation name. Returns the number of participants it gave steps to (0 when already there)."""
    if db.session.scalar(select(func.count()).select_from(ProvingStep)):
        return 0
    now = utcnow()
    _intervals(to_london(now).date())
    manager = db.session.scalar(select(User).where(User.role == Role.RELEASE_MANAGER).order_by(User.id))
    for name, (kind, roles, interval, environment_name, mpid, story) in PROVING.items():
        participant = _participant(name, kind, roles, interval)
        environment = db.session.scalar(select(Environment).where(Environment.name == environment_name))
        _ready_for_certificates(participant, environment, mpid)
        for number in proving.DERIVED:  # what was derived when the steps were recorded
            db.session.add(ProvingStep(participant_id=participant.id, environment_id=environment.id, step=number,
                                       status=StepStatus.DONE, recorded_at=now - timedelta(days=30)))
        if story == "blocked at webhooks":
            db.session.add(ProvingStep(participant_id=participant.id, environment_id=environment.id, step=3,
                                       status=StepStatus.BLOCKED, blocked_by=WEBHOOKS_BLOCKED,
                                       recorded_by_id=manager.id, recorded_at=now - timedelta(days=2)))
            continue
        _done(participant, environment, 3, now - timedelta(days=20), manager, note="Webhooks registered on the DIP "
                                                                                   "portal for both MPIDs.")
        if story != "EES":
            _done(participant, environment, 4, now - timedelta(days=18), manager, message_id=f"{mpid}-DEMO-0001",
                  message_at=now - timedelta(days=18, hours=2))
        _done(participant, environment, 5, now - timedelta(days=15), manager,
              note="End-to-end test message through our adapter to the DIP and back.")
        if story in ("signed off", "regressed"):
            db.session.add(ConnectivitySignOff(participant_id=participant.id, environment_id=environment.id,
                                               signed_by_id=manager.id, signed_at=now - timedelta(days=14)))
        if story == "regressed":  # the TLS certificate expired three days ago
            db.session.flush()
            for certificate in db.session.scalars(select(Certificate).where(
                    Certificate.organisation_id == participant.organisation_id,
                    Certificate.environment_id == environment.id, Certificate.kind == Kind.DIP_TLS)):
                certificate.valid_to = now - timedelta(days=3)
    db.session.flush()
    proving.sweep(now)  # finds Northwold's regression: voids its sign-off and tells it and the Release Managers
    return len(PROVING)
