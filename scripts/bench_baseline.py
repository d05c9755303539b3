"""Times the configuration baseline grid, a cell's history and the Retests page with many systems and a long
deployment history behind them; prints figures (and each as a multiple of a bare Flask hello-world).

Usage: .venv/bin/python scripts/bench_baseline.py [--systems 50] [--deployments 5000] [--rounds N]
"""
import argparse
import random
from datetime import timedelta

from benchkit import bench_app, logged_in, report
from sqlalchemy import insert, select

from mhhs.baseline.models import BaselineChange, DeployedVersion
from mhhs.baseline.versions import sort_key
from mhhs.core.time import utcnow
from mhhs.directory.models import Environment, Organisation, System, User, environment_systems
from mhhs.extensions import db
from mhhs.rfcs.models import Defect, Deployment, Rfc, rfc_environments
from mhhs.rfcs.states import ReleaseType, RfcStatus


def fill(system_count, deployment_count):
    """Systems up to system_count, each in every environment; deployment_count successful deployments spread over
    the last two years (one RFC each), every one a line of its cell's history; some SIT-B cells left behind."""
    environments = db.session.scalars(select(Environment).order_by(Environment.position)).all()
    organisations = db.session.scalars(select(Organisation).where(Organisation.kind == "central_party")).all()
    author = db.session.scalar(select(User).where(User.email == "dip@demo.test"))
    for i in range(db.session.query(System).count(), system_count):
        db.session.add(System(name=f"Bench system {i:02d}", organisation_id=organisations[i % len(organisations)].id))
    db.session.flush()
    systems = db.session.scalars(select(System)).all()
    db.session.execute(environment_systems.delete())
    db.session.execute(insert(environment_systems), [{"environment_id": e.id, "system_id": s.id}
                                                     for e in environments for s in systems])
    now, rng = utcnow(), random.Random(7)
    rfcs, links, deployments, changes, defects, cells = [], [], [], [], [], {}
    for i in range(deployment_count):
        system, environment = rng.choice(systems), rng.choice(environments)
        when = now - timedelta(minutes=(deployment_count - i) * 150)
        version = f"1.{i // 100}.{i % 100}.0"
        rfcs.append(dict(id=i + 1, organisation_id=system.organisation_id, system_id=system.id, version=version,
                         version_key=sort_key(version),
                         release_type=ReleaseType.MINOR, title=f"Release {i}", status=RfcStatus.CLOSED,
                         outcome=RfcStatus.DEPLOYED, revision=1, created_by_id=author.id, created_at=when,
                         updated_at=when, submitted_at=when, approved_at=when, window_start=when,
                         window_end=when + timedelta(hours=2), window_minutes=121, row_version=1))
        links.append({"rfc_id": i + 1, "environment_id": environment.id})
        deployments.append(dict(rfc_id=i + 1, environment_id=environment.id, outcome=RfcStatus.DEPLOYED,
                                actual_start=when, actual_end=when + timedelta(hours=1), version=version, at=when))
        changes.append(dict(environment_id=environment.id, system_id=system.id, version=version, since=when,
                            what="deployed", rfc_id=i + 1, reason="", at=when))
        defects.append(dict(rfc_id=i + 1, position=0, defect_id=f"DEF-{i}", severity="High", summary="Fixed",
                            found_in_id=environment.id, ready_for_retest=True))
        cells[(environment.id, system.id)] = dict(environment_id=environment.id, system_id=system.id,
                                                  version=version, rfc_id=i + 1, deployed_at=when)
    for table, rows in ((Rfc, rfcs), (rfc_environments, links), (Deployment, deployments), (BaselineChange, changes),
                        (Defect, defects), (DeployedVersion, list(cells.values()))):
        for chunk in range(0, len(rows), 5000):
            db.session.execute(insert(table), rows[chunk:chunk + 5000])
    db.session.commit()
    return len(systems), len(environments)


def main(system_count, deployment_count, rounds):
    with bench_app() as app:
        with app.app_context():
            systems, environments = fill(system_count, deployment_count)
            cell = db.session.scalar(select(DeployedVersion))
            sit_a = db.session.scalar(select(Environment.id).where(Environment.name == "SIT-A"))
        print(f"{systems} systems x {environments} environments, {deployment_count} deployments behind them")
        client = logged_in(app)
        report(app, client, [
            ("baseline grid (page)", "/baseline"),
            ("baseline grid (htmx rows)", "/baseline", {"HX-Request": "true", "HX-Target": "baseline-grid"}),
            ("baseline, drift only", "/baseline?drift=1"),
            ("one cell's history", f"/baseline/{cell.environment_id}/{cell.system_id}", {"HX-Request": "true"}),
            ("retests, SIT-A", f"/retests?environment={sit_a}")], deployment_count, "deployments", rounds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--systems", type=int, default=50)
    parser.add_argument("--deployments", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    main(args.systems, args.deployments, args.rounds)
