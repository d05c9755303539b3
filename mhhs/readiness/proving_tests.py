"""Environment proving tests (EAP §12.2: network connectivity, certificates check, test data verification,
environment monitoring and alerts) per central environment and system, recorded by the system's Central Party or
a Release Manager; the latest result of each is kept, its history is the audit trail."""
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..audit.services import record
from ..core.permissions import require
from ..core.services import Invalid, unit_of_work
from ..directory.models import Environment, System, environment_systems
from ..extensions import db
from .models import ProvingKind, ProvingResult, ProvingTest
from .owned import today
from .permissions import can_record_proving_for, visible_proving_systems

FIELDS = ["result", "evidence", "tested_on"]
EVIDENCE_LIMIT = 2000


def systems_in(environment, user):
    """The systems running in an environment whose proving tests the user sees, by name."""
    query = select(System).join(environment_systems, environment_systems.c.system_id == System.id).where(
        environment_systems.c.environment_id == environment.id).options(joinedload(System.organisation))
    return db.session.scalars(visible_proving_systems(query, user, System.organisation_id).order_by(System.name)).all()


def results(environment_id):
    """{(system id, kind): ProvingTest} of one environment."""
    return {(t.system_id, t.kind): t for t in db.session.scalars(
        select(ProvingTest).where(ProvingTest.environment_id == environment_id))}


def grid(environments, user):
    """[(environment, [(system, [ProvingTest or None per kind])])]: the grid environment × system × test, two
    queries per environment whatever the number of systems."""
    return [(environment, _rows(environment, user)) for environment in environments]


def _rows(environment, user):
    found = results(environment.id)
    return [(system, [found.get((system.id, kind)) for kind in ProvingKind])
            for system in systems_in(environment, user)]


def proving_problems(values):
    """{field: message} of a proving test's result, evidence and day."""
    problems = {}
    if values.get("result") not in {r.value for r in ProvingResult}:
        problems["result"] = "Choose the result: passed, failed or not run."
    evidence = (values.get("evidence") or "").strip()
    if values.get("result") in (ProvingResult.PASSED.value, ProvingResult.FAILED.value) and not evidence:
        problems["evidence"] = "Say what was run and what it showed (or where the evidence is)."
    elif len(evidence) > EVIDENCE_LIMIT:
        problems["evidence"] = f"Keep the evidence under {EVIDENCE_LIMIT} characters."
    tested_on = values.get("tested_on")
    if not isinstance(tested_on, date):
        problems["tested_on"] = "Enter the day the test was run."
    elif tested_on > today():
        problems["tested_on"] = "The test cannot have run on a day still to come."
    return problems


def check_may_record(user, environment, system):
    require(can_record_proving_for(user, system) and system in environment.systems,
            "You record proving tests of your organisation's systems where they run.")


@unit_of_work()
def record_proving(user, environment, system, kind, values):
    """Records (or replaces) the latest result of one proving test."""
    check_may_record(user, environment, system)
    problems = proving_problems(values)
    if problems:
        raise Invalid(problems)
    test = db.session.scalar(select(ProvingTest).where(ProvingTest.environment_id == environment.id,
                                                       ProvingTest.system_id == system.id, ProvingTest.kind == kind))
    if test is None:
        test = ProvingTest(environment_id=environment.id, system_id=system.id, kind=kind)
        db.session.add(test)
    test.result, test.evidence, test.tested_on = ProvingResult(values["result"]), values["evidence"].strip(), \
        values["tested_on"]
    test.recorded_by_id = user.id
    db.session.flush()
    record("readiness.proving", actor=user, obj=test,
           summary=f"{kind.short} of {system.name} in {environment.name}: {test.result.label} on "
                   f"{test.tested_on:%d %b %Y}")
    db.session.commit()
    return test


def progress(environment_ids):
    """{environment id: (passed, expected)}: proving tests passed of those expected (every test of every system
    running there)."""
    expected = {}
    for environment_id, count in db.session.execute(
            select(environment_systems.c.environment_id, db.func.count()).where(
                environment_systems.c.environment_id.in_(environment_ids))
            .group_by(environment_systems.c.environment_id)):
        expected[environment_id] = count * len(ProvingKind)
    passed = dict(db.session.execute(
        select(ProvingTest.environment_id, db.func.count()).where(ProvingTest.environment_id.in_(environment_ids),
                                                                  ProvingTest.result == ProvingResult.PASSED)
        .group_by(ProvingTest.environment_id)).all())
    return {i: (passed.get(i, 0), expected.get(i, 0)) for i in environment_ids}


def snapshot_section(environment, stage):
    """The decision snapshot's proving section: every test of every system running in the environment."""
    found = results(environment.id)
    systems = db.session.scalars(select(System).join(environment_systems, environment_systems.c.system_id == System.id)
                                 .where(environment_systems.c.environment_id == environment.id)
                                 .order_by(System.name)).all()
    rows = []
    for system in systems:
        for kind in ProvingKind:
            test = found.get((system.id, kind))
            rows.append([system.name, kind.short, test.result.label if test else "Not recorded",
                         f"{test.tested_on:%d %b %Y}" if test else "", test.evidence if test else ""])
    return {"title": "Environment proving tests", "columns": ["System", "Test", "Result", "Run on", "Evidence"],
            "rows": rows, "empty": f"No systems run in {environment.name}."}


def environments():
    return db.session.scalars(select(Environment).order_by(Environment.position)).all()
