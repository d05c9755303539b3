"""Times the proving matrix and a participant's page over many participants; prints figures.

Usage: .venv/bin/python scripts/bench_participants.py [participants ...] [--rounds N]
"""
import argparse
import random
from datetime import timedelta

from benchkit import bench_app, logged_in, report
from sqlalchemy import func, insert, select

from mhhs.certificates.models import Certificate, OfficerRole, PkiOfficer, Scheme
from mhhs.certificates.services import NEEDED_KINDS
from mhhs.core.changes import REFERENCE, bump
from mhhs.core.time import utcnow
from mhhs.directory.models import Environment, MarketRole, Organisation, OrgKind, User
from mhhs.extensions import db
from mhhs.participants.models import (
    ConnectivitySignOff,
    EnvironmentStatus,
    OnboardingInterval,
    Participant,
    ParticipantEnvironment,
    ParticipantKind,
    ProvingStep,
    Route,
    StepStatus,
    participant_market_roles,
)
from mhhs.participants.proving import RECORDED

KINDS = (ParticipantKind.SUPPLIER, ParticipantKind.AGENT, ParticipantKind.DNO)
PROVING = ("SIT Staging", "SIT-A", "SIT-B", "UIT")  # the central environments every participant proves to


def intervals(today):
    """The onboarding intervals 1-6 (made a fortnight apart from today when there are none); {number: id}."""
    if not db.session.scalar(select(func.count()).select_from(OnboardingInterval)):
        start = today - timedelta(days=today.weekday())
        db.session.execute(insert(OnboardingInterval), [
            dict(number=n, first_day=start + timedelta(weeks=2 * (n - 1)),
                 last_day=start + timedelta(weeks=2 * (n - 1), days=11)) for n in range(1, 7)])
    return dict(db.session.execute(select(OnboardingInterval.number, OnboardingInterval.id)).all())


def proven(pid, organisation_id, environment, manager_id, now):
    """{model: [rows]} that prove a participant's connectivity to a central environment through the real models, as
    the quality gate reads them (participants.proving): its organisation's DIP SRO and Technical Contact there (step
    1), current DIP TLS and JWS certificates there (step 2), steps 1-5 done and a standing sign-off."""
    officers = [dict(organisation_id=organisation_id, role=role, scheme=Scheme.DIP, name=f"{role.value} {pid}",
                     email=f"pki{pid}@bench.test", environment_id=environment_id)
                for role, environment_id in ((OfficerRole.SRO, None), (OfficerRole.TECHNICAL_CONTACT, environment.id))]
    certificates = [dict(organisation_id=organisation_id, environment_id=environment.id, kind=kind, mpid="",
                         subject=f"CN=participant-{pid}-{environment.id}.bench.test", issuer="CN=GlobalSign Bench",
                         serial=f"P{pid}E{environment.id}{kind.name}", valid_from=now - timedelta(days=30),
                         valid_to=now + timedelta(days=365), fingerprint=f"P{pid}E{environment.id}{kind.name}",
                         alt_names="", technical_contact=f"pki{pid}@bench.test", der=b"\x30\x00", uploaded_at=now)
                    for kind in NEEDED_KINDS]
    steps = [dict(participant_id=pid, environment_id=environment.id, step=step, status=StepStatus.DONE,
                  blocked_by="", not_applicable_reason="", note="", message_id="", evidence_name="",
                  recorded_by_id=None if step < RECORDED[0] else manager_id, recorded_at=now - timedelta(days=7),
                  regressed_reason="") for step in range(1, RECORDED[-1] + 1)]
    sign_off = dict(participant_id=pid, environment_id=environment.id, signed_by_id=manager_id,
                    signed_at=now - timedelta(days=3), voided_reason="")
    return {PkiOfficer: officers, Certificate: certificates, ProvingStep: steps, ConnectivitySignOff: [sign_off]}


def fill(total, seed=5):
    """total Test Participant organisations on the register (intervals 1-6, an own environment each connecting to
    SIT-A, a market role), proving steps 3-5 recorded for the four central environments; every fourth proven and
    signed off in SIT-A (`proven`: PKI officers, certificates, steps 1-5 done). Bulk rows: the reference counter is
    bumped here (core/changes.py)."""
    rng, now = random.Random(seed), utcnow()
    manager = db.session.scalar(select(User).where(User.email == "rm.sit@demo.test"))
    environments = db.session.scalars(select(Environment).where(Environment.name.in_(PROVING))
                                      .order_by(Environment.position)).all()
    sit_a = next(e for e in environments if e.name == "SIT-A")
    roles = db.session.scalars(select(MarketRole.id)).all()
    numbers = intervals(now.date())
    first = (db.session.scalar(select(func.max(Organisation.id))) or 0) + 1
    first_participant = (db.session.scalar(select(func.max(Participant.id))) or 0) + 1
    ids = range(first, first + total)
    db.session.execute(insert(Organisation), [dict(id=i, name=f"Bench Participant {i:05d}",
                                                   kind=OrgKind.TEST_PARTICIPANT, fix_forward=False, mpids="")
                                              for i in ids])
    participants, own, links = [], [], []
    rows = {PkiOfficer: [], Certificate: [], ProvingStep: [], ConnectivitySignOff: []}
    for n, organisation_id in enumerate(ids):
        pid = first_participant + n
        participants.append(dict(id=pid, organisation_id=organisation_id, kind=KINDS[n % len(KINDS)],
                                 route=Route.SIT, interval_id=numbers[n % 6 + 1],
                                 environment_manager_name=f"Manager {pid}" if n % 5 else "",
                                 environment_manager_email=f"manager{pid}@bench.test" if n % 5 else ""))
        own.append(dict(participant_id=pid, name="Test", serves="SIT Functional", environment_id=sit_a.id,
                        status=EnvironmentStatus.READY if n % 3 else EnvironmentStatus.BEING_BUILT,
                        endpoints="https://test.bench.test", host_names="test.bench.test", addresses="10.0.0.1"))
        links.append({"participant_id": pid, "market_role_id": roles[n % len(roles)]})
        signed = n % 4 == 0
        for model, more in (proven(pid, organisation_id, sit_a, manager.id, now) if signed else {}).items():
            rows[model] += more
        for environment in environments:
            if signed and environment is sit_a:
                continue
            for step in RECORDED:
                status = rng.choice((StepStatus.DONE, StepStatus.DONE, StepStatus.IN_PROGRESS, StepStatus.BLOCKED))
                rows[ProvingStep].append(dict(
                    participant_id=pid, environment_id=environment.id, step=step, status=status,
                    blocked_by="Firewall change pending" if status == StepStatus.BLOCKED else "",
                    not_applicable_reason="", note="", message_id="", evidence_name="", recorded_by_id=manager.id,
                    recorded_at=now - timedelta(days=rng.randint(0, 60)), regressed_reason=""))
    for model, every in ((Participant, participants), (ParticipantEnvironment, own),
                         (participant_market_roles, links), *rows.items()):
        for chunk in range(0, len(every), 10_000):
            db.session.execute(insert(model), every[chunk:chunk + 10_000])
    bump(REFERENCE)  # organisations were added beside the ORM
    db.session.commit()
    return first_participant


def main(sizes, rounds):
    for total in sizes:
        with bench_app() as app:
            with app.app_context():
                participant = fill(total)
                sit_a = db.session.scalar(select(Environment.id).where(Environment.name == "SIT-A"))
            client = logged_in(app)
            report(app, client, [("proving matrix, SIT-A", f"/participants/proving?environment={sit_a}"),
                                 ("participant page", f"/participants/{participant}"),
                                 ("register", "/participants")], total, "participants", rounds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[10, 500])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    main(args.sizes, args.rounds)
