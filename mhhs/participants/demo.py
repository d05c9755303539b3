"""Demo data (demo database only) of the participants."""
from datetime import timedelta

from sqlalchemy import func, select

from ..certificates.demo import add_demo_certificate
from ..certificates.models import Certificate, Kind, OfficerRole, PkiOfficer, Scheme
from ..core.permissions import Role
from ..core.time import to_london, utcnow
from ..directory.models import Environment, MarketRole, Organisation, OrgKind, User
from ..extensions import db
from . import proving
from .models import (
    ConnectivitySignOff,
    OnboardingInterval,
    Participant,
    ParticipantKind,
    ProvingStep,
    Route,
    StepStatus,
)

# Connectivity proving (issue 26): organisation: (kind, market roles, interval, environment, MPID, the story).
# Fenland is signed off; Brightmeter is blocked at webhooks; Northwold's UIT TLS certificate expired after its
# sign-off (regressed); Lanternway tests only the EES market role, so step 4 does not apply to it.
PROVING = {
    "Fenland Networks": (ParticipantKind.DNO, ("UMSO",), 3, "SIT-A", "FENN", "signed off"),
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
