"""The daily morning health check of the central systems (EAP §12.2, §12.4): each Central Party reports each of its
systems in each environment it runs in as green, amber or red by a deadline on business days (England & Wales)."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from ..audit.services import record
from ..core.db import insert_if_missing
from ..core.permissions import require
from ..core.services import Invalid, Refused, length_problems
from ..core.time import format_london, is_business_day, london_to_utc, utcnow
from ..directory.models import Environment, Organisation, OrgKind, System, environment_systems
from ..extensions import db
from ..notifications.services import managers_of, notify, users_of
from .criteria import today_in_london
from .models import DEFAULT_DEADLINE, Health, HealthCheck, HealthCheckDeadline, HealthCheckReminder
from .permissions import can_keep_criteria, can_post_health_checks, can_report_health_of

NOTE_LIMIT = 2000
HEALTH = "health"  # the day's checks and their deadline, as the home page's cards show them (core/changes.py)
HISTORY_WEEKS = 13


# The deadline ----------------------------------------------------------------------------------------

def deadline():
    """The time of day the check is due, Europe/London (09:30 until a Release Manager moves it)."""
    return db.session.scalar(select(HealthCheckDeadline.due)) or DEFAULT_DEADLINE


def set_deadline(user, due):
    require(can_keep_criteria(user), "Only Release Managers set the health check's deadline.")
    if due is None:
        raise Refused("Give the time the morning health check is due, e.g. 09:30.", "due")
    row = db.session.scalar(select(HealthCheckDeadline)) or HealthCheckDeadline()
    row.due = due
    db.session.add(row)
    db.session.flush()
    record("health_check.deadline", actor=user, obj=row, summary=f"{due:%H:%M}")
    db.session.commit()


def due_at(day, due=None):
    """When the day's check is due (naive UTC), or None on a weekend or bank holiday, when none is expected."""
    if not is_business_day(day):
        return None
    return london_to_utc(datetime.combine(day, due or deadline()))


# Who reports what ------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _central_pairs_statement():
    """One statement, so SQLAlchemy keys it once (built at first use: its join configures the mappers, which needs
    every model imported)."""
    return (select(System, Environment).join(environment_systems, environment_systems.c.system_id == System.id)
            .join(Environment, Environment.id == environment_systems.c.environment_id)
            .join(System.organisation).where(Organisation.kind == OrgKind.CENTRAL_PARTY)
            .options(joinedload(System.organisation))
            .order_by(Environment.position, System.name))


def _central_pairs():
    """[(system, environment)] of every central system in every environment it runs in, in board order."""
    return [tuple(row) for row in db.session.execute(_central_pairs_statement()).all()]


def expected(day, pairs=None):
    """The (system, environment) reports due on a day: none on a weekend or bank holiday, and none for an
    environment outside its availability dates."""
    if not is_business_day(day):
        return []
    return [(s, e) for s, e in (pairs if pairs is not None else _central_pairs()) if e.is_available_on(day)]


def reportable(user):
    """[(system, environment)] this user reports: a Central Party its own systems, a Release Manager any."""
    return [(s, e) for s, e in _central_pairs() if can_report_health_of(user, s)]


def visible_system(user, system_id):
    """A system the user may report on (a Central Party's own), or None: the views answer 404."""
    system = db.session.get(System, system_id)
    return system if system is not None and can_report_health_of(user, system) else None


# Reporting -------------------------------------------------------------------------------------------

class Entry(NamedTuple):
    """One system's check in one environment; `key` goes before the field names of its problems (a row of a page
    with many)."""
    system: System
    environment: Environment
    health: str
    note: str
    key: str = ""


class Named(NamedTuple):
    name: str


class Reported(NamedTuple):
    """A check as report() stored it, in plain values (its system and environment by name): what the API answers
    with, read before the commit, so nothing is read again after it."""
    id: int
    system: Named
    environment: Named
    day: date
    health: Health
    note: str
    reported_at: datetime
    first_reported_at: datetime


def report(user, day, entries, now=None):
    """Records the day's checks in one transaction: entries = [Entry(system, environment, health, note)]. A second
    report of the same system, environment and day replaces the first; whether it was on time stays the first's.
    Refused: a system the user does not report on, an environment it does not run in, a day still to come.
    Returns [Reported] in the entries' order."""
    require(can_post_health_checks(user), "Only Central Parties and Release Managers report health checks.")
    now = now or utcnow()
    problems = {}
    if day is None:
        problems["day"] = "Give the day the check is for."
    elif day > today_in_london(now):
        problems["day"] = "That day is still to come; report a check on the day it is for."
    if not entries:
        problems.setdefault("health", "Choose green, amber or red for at least one system.")
    for system, environment, health, note, key in entries:
        if not can_report_health_of(user, system):
            raise Refused(f"You report the health of your organisation's systems only; {system.name} is not yours.",
                          key + "system")
        if environment not in system.environments:
            problems[key + "environment"] = f"{system.name} does not run in {environment.name}."
        if health not in tuple(Health):
            problems[key + "health"] = "Choose green, amber or red."
        problems.update(length_problems({"note": note}, {"note": NOTE_LIMIT}, prefix=key))
        if health in (Health.AMBER, Health.RED) and not (note or "").strip():
            problems[key + "note"] = f"Say what is wrong with {system.name} in {environment.name}."
    if problems:
        raise Invalid(problems)
    # Each check is made if it is missing, then locked and read: two reports of one check at the same moment (a
    # monitor that posts twice) both go on, the later one updating it, rather than one failing on the day's key.
    for system, environment, health, *_ in entries:
        insert_if_missing(HealthCheck, system_id=system.id, environment_id=environment.id, day=day, note="",
                          health=Health(health), first_reported_at=now, reported_at=now, reported_by_id=user.id)
    existing = {(c.system_id, c.environment_id): c for c in db.session.scalars(
        select(HealthCheck).where(HealthCheck.day == day, HealthCheck.system_id.in_([e.system.id for e in entries]))
        .with_for_update().execution_options(populate_existing=True))}
    saved = []
    for system, environment, health, note, _ in entries:
        check = existing[system.id, environment.id]
        check.health, check.note, check.reported_at, check.reported_by_id = Health(health), note.strip(), now, user.id
        saved.append(check)
    db.session.flush()
    reported = []
    for check, (system, environment, health, *_) in zip(saved, entries):
        record("health_check.reported", actor=user, obj=check,
               summary=f"{system.name} in {environment.name} on {day:%d %b %Y}: {Health(health).label}")
        reported.append(Reported(check.id, Named(system.name), Named(environment.name), check.day, check.health,
                                 check.note, check.reported_at, check.first_reported_at))
    db.session.commit()
    return reported


# What is shown ---------------------------------------------------------------------------------------

CHECKS_ON = select(HealthCheck).where(HealthCheck.day == bindparam("day"))  # a day's checks, keyed once


def checks_on(day, environment_ids=None):
    query = CHECKS_ON
    if environment_ids is not None:
        query = query.where(HealthCheck.environment_id.in_(environment_ids))
    return {(c.system_id, c.environment_id): c for c in db.session.scalars(query, {"day": day})}


@dataclass(frozen=True)
class Today:
    """The day's health: each expected (system, environment) with its check or None, and whether it is late."""
    day: date
    due: datetime | None
    rows: list  # [(system, environment, check or None)]
    late: bool  # the deadline has passed

    @property
    def missing(self):
        return [(s, e) for s, e, c in self.rows if c is None] if self.late else []

    @property
    def reported(self):
        return [c for _, _, c in self.rows if c is not None]

    @property
    def counts(self):
        """{health value: checks reported today}"""
        found = dict.fromkeys((h.value for h in Health), 0)
        for check in self.reported:
            found[check.health.value] += 1
        return found

    @property
    def attention(self):
        """[(system, environment, check or None)] that need a look: amber or red, and missing after the deadline."""
        return [(s, e, c) for s, e, c in self.rows
                if (c is None and self.late) or (c is not None and c.health != Health.GREEN)]

    @property
    def by_environment(self):
        grouped = defaultdict(list)
        for system, environment, check in self.rows:
            grouped[environment].append((system, check))
        return list(grouped.items())


def today(now=None, due=None):
    """Today's checks (London day) beside what is expected; the missing ones count once the deadline has passed.
    due: the deadline's time of day, when the caller has read it already."""
    now = now or utcnow()
    day = today_in_london(now)
    due = due_at(day, due)
    found = checks_on(day)
    everything = _central_pairs()
    due_pairs = expected(day, everything)
    # What is due, and what was reported anyway (a weekend's check, an environment outside its dates).
    shown = [(s, e) for s, e in everything if (s, e) in due_pairs or (s.id, e.id) in found]
    return Today(day, due, [(s, e, found.get((s.id, e.id))) for s, e in shown], due is not None and now > due)


def began_on():
    """The day of the first health check ever reported: before it nothing was expected (the practice had not begun)."""
    return db.session.scalar(select(func.min(HealthCheck.day)))


def compliance(first_day, last_day, now=None):
    """(reports on time, reports expected) over the days first_day..last_day that are past their deadline, from the
    day the health check began."""
    now = now or utcnow()
    began = began_on()
    if began is None:
        return 0, 0
    first_day = max(first_day, began)
    pairs, due = _central_pairs(), deadline()
    on_time = {(system_id, environment_id, day): first_reported_at  # read as columns: a week is hundreds of checks
               for system_id, environment_id, day, first_reported_at in db.session.execute(
                   select(HealthCheck.system_id, HealthCheck.environment_id, HealthCheck.day,
                          HealthCheck.first_reported_at).where(HealthCheck.day >= first_day,
                                                               HealthCheck.day <= last_day))}
    expected_count = punctual = 0
    day = first_day
    while day <= last_day:
        deadline_at = due_at(day, due)
        if deadline_at is not None and deadline_at < now:
            for system, environment in expected(day, pairs):
                expected_count += 1
                reported = on_time.get((system.id, environment.id, day))
                punctual += reported is not None and reported <= deadline_at
        day += timedelta(days=1)
    return punctual, expected_count


# Reminders (a cron job: flask readiness remind) -------------------------------------------------------

def send_reminders(now=None):
    """After the day's deadline, tells each Central Party with checks still missing which systems in which
    environments (its own only), and the Release Managers of those environments' phases all of them in one summary:
    each once a day, however often it runs. Returns the number of messages queued."""
    now = now or utcnow()
    found = today(now)
    missing = found.missing
    if not missing:
        return 0
    already = set(db.session.scalars(select(HealthCheckReminder.organisation_id)
                                     .where(HealthCheckReminder.day == found.day)))
    by_organisation = defaultdict(list)
    for system, environment in missing:
        by_organisation[system.organisation].append((system, environment))
    context = {"day": found.day, "due": found.due}
    queued = 0
    for organisation, pairs in sorted(by_organisation.items(), key=lambda item: item[0].name):
        if organisation.id in already:
            continue
        told = notify("health_check_missing", users_of(organisation.id), "readiness.report",
                      {"day": found.day.isoformat()}, organisation=organisation, missing=pairs, **context)
        if told:  # an organisation without users (or all of them opted out) is told once someone can hear
            db.session.add(HealthCheckReminder(day=found.day, organisation_id=organisation.id, sent_at=now))
            queued += len(told)
    if None not in already:
        told = notify("health_check_summary", managers_of({e.phase for _, e in missing}), "readiness.health_today",
                      {}, missing_by=sorted(by_organisation.items(), key=lambda item: item[0].name),
                      count=len(missing), **context)
        if told:
            db.session.add(HealthCheckReminder(day=found.day, organisation_id=None, sent_at=now))
            queued += len(told)
    db.session.commit()
    return queued


MISSING, NOT_YET = "missing", "not yet"


def history(system, now=None, weeks=HISTORY_WEEKS):
    """The system's heat map: per environment it runs in, weeks (Monday first) of days, each (day, check or None,
    state): for a business day in the environment's dates since the health check began, MISSING once its deadline
    has passed and NOT_YET before (today's, until the deadline); "" when no report is expected. Most recent week
    last."""
    now = now or utcnow()
    today_ = today_in_london(now)
    monday = today_ - timedelta(days=today_.weekday() + 7 * (weeks - 1))
    began = began_on() or today_
    due = deadline()
    checks = {(c.environment_id, c.day): c for c in db.session.scalars(select(HealthCheck).where(
        HealthCheck.system_id == system.id, HealthCheck.day >= monday))}

    def state(day, environment):
        if not (began <= day <= today_ and is_business_day(day) and environment.is_available_on(day)):
            return ""
        return MISSING if due_at(day, due) < now else NOT_YET

    maps = []
    for environment in system.environments:
        rows = []
        for week in range(weeks):
            start = monday + timedelta(days=7 * week)
            rows.append((start, [(d, checks.get((environment.id, d)), state(d, environment))
                                 for d in (start + timedelta(days=i) for i in range(7))]))
        maps.append((environment, rows))
    return maps


def last_checks(environment):
    """The latest check of each system in the environment, by system name."""
    latest = (select(HealthCheck.system_id, func.max(HealthCheck.day).label("day"))
              .where(HealthCheck.environment_id == environment.id).group_by(HealthCheck.system_id).subquery())
    on_latest = (latest.c.system_id == HealthCheck.system_id) & (latest.c.day == HealthCheck.day)
    return db.session.scalars(
        select(HealthCheck).join(latest, on_latest)
        .where(HealthCheck.environment_id == environment.id)
        .options(joinedload(HealthCheck.system)).join(HealthCheck.system).order_by(System.name)).all()


def snapshot_section(environment, stage=None):
    """The last health check of each system in the environment, as a section of the GO / NO-GO snapshot."""
    return {"title": f"Last health checks in {environment.name}",
            "columns": ["System", "Day", "Health", "Note", "Reported"],
            "rows": [[c.system.name, f"{c.day:%d %b %Y}", c.health.label, c.note or "—", format_london(c.reported_at)]
                     for c in last_checks(environment)],
            "empty": f"No health check has been reported in {environment.name}."}


def not_green_since(first_day, before_day, reported_before):
    """Amber and red checks of the London days from first_day to the day before before_day, first reported before
    the moment reported_before (naive UTC), newest first (for the EWG's agenda)."""
    return db.session.scalars(select(HealthCheck).where(HealthCheck.day >= first_day, HealthCheck.day < before_day,
                                                        HealthCheck.first_reported_at < reported_before,
                                                        HealthCheck.health != Health.GREEN)
                              .options(joinedload(HealthCheck.system), joinedload(HealthCheck.environment))
                              .order_by(HealthCheck.day.desc(), HealthCheck.id)).all()
