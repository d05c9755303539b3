"""The configuration baseline (RCM §7.4, §12.7 CP3): which version of each system runs in each environment,
its history, SIT-A/SIT-B drift, and recording or importing a baseline a programme already has."""
import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from ..audit.services import record
from ..core import registry
from ..core.db import insert_if_missing
from ..core.permissions import is_manager
from ..core.services import Invalid, Refused
from ..core.time import london_to_utc, utcnow
from ..directory.models import Environment, Phase, System, User
from ..extensions import db
from .models import BaselineChange, DeployedVersion
from .versions import FORMAT, normal, parse

# RCM §7.4: "Design Release/Build equivalence needs to be maintained across SIT-A and SIT-B".
PAIRED = ("SIT-A", "SIT-B")
RECORDED, IMPORTED = "recorded", "imported"
# {(environment id, system id): the approved RFC that will change the cell} for some systems' ids: the RFCs
# register it (rfcs.targets.next_in_cells), as they sit above the baseline.
NEXT_IN_CELL = "baseline.next_in_cell"


def current_cells(system_ids=None):
    """{(environment id, system id): DeployedVersion} for every cell that has a version."""
    query = select(DeployedVersion)
    if system_ids is not None:
        query = query.where(DeployedVersion.system_id.in_(system_ids))
    return {(c.environment_id, c.system_id): c for c in db.session.scalars(query)}


def set_cell(environment_id, system_id, version, since, what, by=None, rfc=None, reason="", moves=True):
    """Puts a version in a cell (or records that it stayed: `moves` false, a rollback) and writes the line of its
    history; `what` says why (recorded, imported, or the deployment's outcome)."""
    if moves:  # two first versions of one cell at once: both go on, neither fails on the unique cell
        insert_if_missing(DeployedVersion, environment_id=environment_id, system_id=system_id, version=version,
                          deployed_at=since)
    cell = db.session.scalar(select(DeployedVersion).where(DeployedVersion.environment_id == environment_id,
                                                           DeployedVersion.system_id == system_id)
                             .with_for_update().execution_options(populate_existing=True))
    if moves:
        cell.version, cell.deployed_at, cell.rfc_id = version, since, rfc.id if rfc else None
    db.session.add(BaselineChange(environment_id=environment_id, system_id=system_id, since=since, what=what,
                                  version=cell.version if cell else "", rfc_id=rfc.id if rfc else None,
                                  reason=reason, by_id=getattr(by, "id", None)))


def deployed_versions():
    """{(environment id, system id): version}"""
    return {(d.environment_id, d.system_id): d.version for d in db.session.scalars(select(DeployedVersion))}


class CellChange(NamedTuple):
    """A line of a cell's history as its page shows it: who recorded it by name (None: imported)."""
    since: datetime
    version: str
    what: str
    rfc_id: int
    by: str
    at: datetime
    reason: str


@lru_cache(maxsize=1)
def _cell_history_statement():
    """A cell's changes, newest first, as columns with the name of who recorded them: one statement, so SQLAlchemy
    keys it once (built at first use, when every model is mapped)."""
    return (select(BaselineChange.since, BaselineChange.version, BaselineChange.what, BaselineChange.rfc_id,
                   User.name, BaselineChange.at, BaselineChange.reason)
            .outerjoin(User, User.id == BaselineChange.by_id)
            .where(BaselineChange.environment_id == bindparam("environment_id"),
                   BaselineChange.system_id == bindparam("system_id"))
            .order_by(BaselineChange.since.desc(), BaselineChange.id.desc()))


def cell_history(environment_id, system_id):
    """[CellChange] of a cell, newest first."""
    rows = db.session.execute(_cell_history_statement(), {"environment_id": environment_id, "system_id": system_id})
    return [CellChange(*row) for row in rows]


def highest_running(system_id):
    """The highest version of the system running in any environment, or None."""
    versions = [v for v in db.session.scalars(select(DeployedVersion.version)
                                              .where(DeployedVersion.system_id == system_id)) if parse(v)]
    return max(versions, key=parse) if versions else None


# Recording a baseline --------------------------------------------------------------------------

def baseline_problems(system, environment, version, since, reason, running, now):
    """Messages keyed by field for one recorded (or imported) cell; {} when it may be stored."""
    problems = {}
    if system is None:
        problems["system_id"] = "Choose a system."
    if environment is None:
        problems["environment_id"] = "Choose an environment."
    if system is not None and environment is not None and environment not in system.environments:
        problems["environment_id"] = f"{system.name} is not deployed in {environment.name}."
    if parse(version) is None:
        problems["version"] = FORMAT.format("3.4.2.0")
    elif running and parse(version) < parse(running) and not reason.strip():
        problems["reason"] = f"{version} is lower than {running}, running now: say why the cell goes back."
    if since is None:
        problems["since"] = "Enter since when it runs, like 2026-11-02 09:00."
    elif since > now:
        problems["since"] = "Since cannot be in the future."
    if not reason.strip() and "reason" not in problems:
        problems["reason"] = "Say where this version comes from (for the audit trail)."
    return problems


def record_baseline(user, system_id, environment_id, version, since, reason, now=None):
    """A Release Manager sets the version a system runs in an environment (a programme adopting the tool)."""
    if not is_manager(user):
        raise Refused("Only a Release Manager records a baseline.")
    now = now or utcnow()
    system = db.session.get(System, system_id) if system_id else None
    environment = db.session.get(Environment, environment_id) if environment_id else None
    version, reason = (version or "").strip(), (reason or "").strip()
    cell = current_cells([system_id]).get((environment_id, system_id)) if system and environment else None
    problems = baseline_problems(system, environment, version, since, reason, cell.version if cell else None, now)
    if problems:
        raise Invalid(problems)
    version = normal(version)
    set_cell(environment.id, system.id, version, since, RECORDED, by=user, reason=reason)
    record("baseline.recorded", actor=user, obj=system,
           summary=f"{system.name} in {environment.name}: {version} (was {cell.version if cell else 'none'}); {reason}")
    db.session.commit()


def import_baseline(text, source, now=None):
    """Imports CSV rows system,environment,version,since (YYYY-MM-DD or YYYY-MM-DD HH:MM, Europe/London time, as
    people write it): all or nothing.
    Returns the number of cells set; raises Invalid({"line N": message}) when any row is bad."""
    now = now or utcnow()
    systems = {s.name.lower(): s for s in db.session.scalars(select(System).options(selectinload(System.environments)))}
    environments = {e.name.lower(): e for e in db.session.scalars(select(Environment))}
    rows, problems, seen = [], {}, {}
    reader = csv.reader(io.StringIO(text))
    for number, row in enumerate(reader, 1):
        if not row or not any(cell.strip() for cell in row):
            continue
        if number == 1 and [c.strip().lower() for c in row[:4]] == ["system", "environment", "version", "since"]:
            continue
        if len(row) != 4:
            problems[f"line {number}"] = "needs 4 values: system, environment, version, since."
            continue
        system_name, environment_name, version, since_text = (c.strip() for c in row)
        system, environment = systems.get(system_name.lower()), environments.get(environment_name.lower())
        since = _parse_since(since_text)
        found = baseline_problems(system, environment, version, since, source, None, now)
        if system is None:
            found["system_id"] = f"unknown system {system_name!r}."
        if environment is None:
            found["environment_id"] = f"unknown environment {environment_name!r}."
        if since is None:
            found["since"] = f"{since_text!r} is not a date like 2026-11-02 or 2026-11-02 09:00."
        key = (system_name.lower(), environment_name.lower())
        if key in seen:
            found["row"] = f"repeats line {seen[key]} ({system_name} in {environment_name})."
        seen.setdefault(key, number)
        if found:
            problems[f"line {number}"] = " ".join(found.values())
        else:
            rows.append((system, environment, normal(version), since))
    if problems:
        raise Invalid(problems)
    if not rows:
        raise Invalid({"file": "The file has no rows to import."})
    for system, environment, version, since in rows:
        set_cell(environment.id, system.id, version, since, IMPORTED, reason=f"imported from {source}")
    record("baseline.imported", summary=f"{len(rows)} cell(s) from {source}")
    db.session.commit()
    return len(rows)


def _parse_since(text):
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return london_to_utc(datetime.strptime(text, fmt))
        except ValueError:
            pass
    return None


# The grid ----------------------------------------------------------------------------------------

@dataclass
class Drift:
    system: System
    versions: dict  # {environment name: version}
    since: datetime
    cells: tuple


@dataclass
class Grid:
    environments: list
    systems: list
    cells: dict
    pending: dict = field(default_factory=dict)  # {(environment id, system id): approved RFC that will change it}
    drift: dict = field(default_factory=dict)  # {system id: Drift}
    owed: dict = field(default_factory=dict)  # {system id: OwedToSit}


def grid(organisation_id=None, system_id=None, drift_only=False):
    """Everything the baseline grid shows, in a fixed handful of queries whatever the size of the history."""
    environments = db.session.scalars(select(Environment).order_by(Environment.position, Environment.name)).all()
    query = (select(System).options(joinedload(System.organisation), selectinload(System.environments))
             .order_by(System.name))
    if organisation_id:
        query = query.where(System.organisation_id == organisation_id)
    if system_id:
        query = query.where(System.id == system_id)
    systems = db.session.scalars(query).all()
    ids = [s.id for s in systems]
    cells = current_cells(ids)
    result = Grid(environments, systems, cells, drift=drift(systems, environments, cells),
                  owed=owed_to_sit(systems, environments, cells))
    if drift_only:
        result.systems = [s for s in systems if s.id in result.drift]
    result.pending = registry.call_one(NEXT_IN_CELL, ids, default={})
    result.systems.sort(key=lambda s: (s.organisation.name, s.name))
    return result


def drifting():
    """[Drift] of every system SIT-A and SIT-B run in different versions (the grid without its other parts)."""
    environments = db.session.scalars(select(Environment)).all()
    systems = db.session.scalars(select(System).options(selectinload(System.environments))).all()
    return list(drift(systems, environments, current_cells([s.id for s in systems])).values())


def drift(systems, environments, cells):
    """{system id: Drift} where SIT-A and SIT-B run different versions of a system present in both."""
    pair = [e for e in environments if e.name in PAIRED]
    if len(pair) != 2:
        return {}
    drifting = {}
    for system in systems:
        if not all(e in system.environments for e in pair):
            continue
        a, b = (cells.get((e.id, system.id)) for e in pair)
        if a and b and a.version != b.version:
            drifting[system.id] = Drift(system, {e.name: c.version for e, c in zip(pair, (a, b))}, None, (a, b))
    if drifting:
        _drift_since(pair, drifting)
    return drifting


@dataclass
class OwedToSit:
    system: object
    uit: str  # the version UIT runs
    sit: dict  # {SIT environment name: the version it runs, or None}


def owed_to_sit(systems, environments, cells):
    """RCM §8.1: a version that went to UIT first goes to SIT at the next opportunity. {system id: OwedToSit} for
    each system whose UIT version is above what SIT-A and SIT-B run (neither runs it or a later version; that they
    differ from each other is drift)."""
    uit = [e for e in environments if e.phase == Phase.UIT]
    sit = [e for e in environments if e.name in PAIRED]
    owed = {}
    for system in systems:
        in_sit = [e for e in sit if e in system.environments]
        for environment in uit:
            cell = cells.get((environment.id, system.id))
            if not (cell and in_sit and parse(cell.version)):
                continue
            running = {e.name: cells[(e.id, system.id)].version if (e.id, system.id) in cells else None
                       for e in in_sit}
            if all(v is None or (parse(v) or ()) < parse(cell.version) for v in running.values()):
                owed[system.id] = OwedToSit(system, cell.version, running)
    return owed


def owing_to_sit():
    """Every system owed to SIT (the grid without its other parts), for the weekly report."""
    environments = db.session.scalars(select(Environment)).all()
    systems = db.session.scalars(select(System).options(selectinload(System.environments)).order_by(System.name)).all()
    return list(owed_to_sit(systems, environments, current_cells([s.id for s in systems])).values())


def _drift_since(pair, drifting):
    """When each pair last started to differ, replayed from the cells' history (the later cell's date without it)."""
    changes = db.session.execute(
        select(BaselineChange.system_id, BaselineChange.environment_id, BaselineChange.version, BaselineChange.since)
        .where(BaselineChange.system_id.in_(drifting), BaselineChange.environment_id.in_([e.id for e in pair]))
        .order_by(BaselineChange.system_id, BaselineChange.since, BaselineChange.id)).all()

    def differ(running):
        return len(set(running.values())) > 1 if len(running) == 2 else None

    running = {system_id: {} for system_id in drifting}
    for system_id, environment_id, version, since in changes:
        before = differ(running[system_id])
        running[system_id][environment_id] = version
        if differ(running[system_id]) and not before:
            drifting[system_id].since = since
    for item in drifting.values():
        item.since = item.since or max(c.deployed_at for c in item.cells)


def sit_versions(system_id):
    """The versions of the system running in SIT environments."""
    return set(db.session.scalars(
        select(DeployedVersion.version).join(Environment, Environment.id == DeployedVersion.environment_id)
        .where(DeployedVersion.system_id == system_id, Environment.phase == Phase.SIT)))
