"""The weekly testing and readiness report (EAP §12.1.1): per environment the week's availability against its
target, per system in its operable hours and within its support hours, the week's outages, releases deployed and
planned, defects ready for retest, certificates expiring, SIT-A/SIT-B drift, versions owed to SIT and release notes
not yet read. Built for one user:
what they may not see stays out."""
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..allocation import utilisation
from ..baseline import services as baseline
from ..certificates.models import SOON_DAYS, Certificate
from ..certificates.services import dashboard_query
from ..core import changes
from ..core.permissions import is_manager
from ..directory import choices
from ..directory.models import Environment, System, london_day_start
from ..extensions import db
from ..outages.availability import Figures, figures, merged_length
from ..outages.downtime import overlapping
from ..outages.models import Outage, outage_systems
from ..participants import proving
from ..participants.register import count_without_environment_manager, participants_without_environment_manager
from ..readiness import decisions as readiness_decisions
from ..readiness import owned as readiness_owned
from ..readiness import proving_tests
from ..readiness.counts import READINESS, ready_counts  # cached per process until what readiness reads moves
from ..readiness.health import HEALTH
from ..readiness.health import compliance as health_compliance
from ..release_notes import acknowledgements
from ..release_notes.models import ReleaseAudience
from ..rfcs.models import Defect, Deployment, Retest, Rfc
from ..rfcs.permissions import visible_clause
from ..rfcs.services import outstanding_emergency_rows
from ..rfcs.services.emergencies import CARRY_OVERS
from ..rfcs.states import PUBLIC_STATUSES, RfcStatus
from ..rfcs.targets import sit_pair_warnings
from ..windows.support import operable_between, support_days_between

WEEK = re.compile(r"(\d{4})-W(\d{2})")
# Each list of the report (page, PDF and e-mail alike) shows its first SHOWN items and says how many there are in all,
# with a link to the page that lists them all: a week of a thousand outages or a register of a hundred gaps stays a
# few pages of PDF (WeasyPrint lays out every row it is given) and a page a reader can take in.
SHOWN = 20


class Shown(list):
    """The first SHOWN items of a list, with `total`, how many there are in all, and `more`, how many are not shown."""

    def __init__(self, items, total=None):
        super().__init__(items[:SHOWN])
        self.total = len(items) if total is None else total

    @property
    def more(self):
        return self.total - len(self)


def parse_week(text, today):
    """(Monday, None) of an ISO week like 2026-W48, or (None, the reason it is no week to report on)."""
    match = WEEK.fullmatch((text or "").strip())
    if not match:
        return None, "Enter a week as YYYY-Www, e.g. 2026-W48."
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None, f"{text.strip()} is no week: ISO weeks run from W01 to W52 or W53."
    if monday > today:
        return None, f"{text.strip()} has not begun yet: choose this week or an earlier one."
    return monday, None


def week_name(monday):
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def last_complete_week(today):
    return today - timedelta(days=today.weekday() + 7)


def ended(monday, now):
    """Whether the week from `monday` has ended at `now`: its report then tells it as it stood at its end."""
    return london_day_start(monday + timedelta(days=7)) <= now


@dataclass
class SystemFigures:
    system: object
    in_operable_hours: object  # availability over the hours it runs (every hour if 24/7), or None
    in_support_hours: object  # availability within support hours, or None (no support hours in the week)


@dataclass
class EnvironmentFigures:
    environment: object
    figures: Figures
    systems: list = field(default_factory=list)

    @property
    def breach(self):
        target = self.environment.availability_target
        return (target is not None and self.figures.availability is not None
                and self.figures.availability * 100 < float(target))


@dataclass
class Report:
    week: str
    monday: object
    start: object
    end: object
    environments: list
    outages: Shown  # the first of the week's outages, as objects
    deployed: list
    planned: list
    retests: dict
    certificates: object
    drift: list
    unread: list  # (rfc, organisation, [users]) of the release notes sent in the last 30 days
    not_carried: list = field(default_factory=list)  # Shown (CarryOver, [defect IDs]) not yet carried (RCM §12.8 NB)
    owed: tuple = ()  # (system name, UIT version, {SIT name: version}) that went to UIT first, owed to SIT (RCM §8.1)
    sit_pairs: dict = field(default_factory=dict)  # {planned rfc id: SIT-A/SIT-B not on the same working day}
    past: bool = False  # a week that has ended: reported as it stood then, without today's state
    # participants (issue 26a): the register's gap of EAP §7.1.1 as it stands today (the register keeps no history)
    without_environment_manager: list = field(default_factory=list)  # Shown (organisation, kind, route, interval)
    readiness: object = None  # ReadinessFigures: participants ready per phase, health-check compliance
    # Connectivity proving (issue 26), for Release Managers: progress now per environment and interval (None for an
    # ended week), and the steps that regressed in the week.
    proving: list = None
    regressions: list = None
    decisions: dict = field(default_factory=dict)  # the week's GO / NO-GO decisions, proving tests, EWG actions overdue
    utilisation: list = field(default_factory=list)  # allocation.utilisation.Utilisation per environment (issue 27)
    slots_per_participant: list = field(default_factory=list)  # Shown (organisation, [slots, hours]), most hours first
    system_names: dict = field(default_factory=dict)  # {system id: name} (the carry-overs are read as columns)

    @property
    def sunday(self):
        return self.monday + timedelta(days=6)

    def _systems(self):
        return [(row.environment, s) for row in self.environments for s in row.systems]

    @property
    def system_exceptions(self):
        """(environment, SystemFigures) of the systems down at some point of the week, the lowest first."""
        down = [(e, s) for e, s in self._systems() if any(f is not None and f < 1 for f in
                                                           (s.in_operable_hours, s.in_support_hours))]
        return sorted(down, key=lambda pair: min(f for f in (pair[1].in_operable_hours, pair[1].in_support_hours)
                                                 if f is not None))

    @property
    def systems_always_up(self):
        """{environment name: [system names]} of the systems never down in the week (folded into one line)."""
        exceptions = {(e.id, s.system.id) for e, s in self.system_exceptions}
        up = defaultdict(list)
        for environment, s in self._systems():
            if (environment.id, s.system.id) not in exceptions:
                up[environment.name].append(s.system.name)
        return dict(up)


def build(user, monday, now):
    """The report of the week from `monday` as `user` may see it; user None: the parts everyone may see (the
    e-mail), without certificates and unread release notes."""
    start, end = london_day_start(monday), london_day_start(monday + timedelta(days=7))
    past = ended(monday, now)  # an ended week is reported as it stood at its end, not with today's state
    as_of = min(end, now)
    environments = db.session.scalars(select(Environment).options(selectinload(Environment.systems))
                                      .order_by(Environment.position)).all()
    kept = (changes.cached(_week_figures, *WEEK_FIGURES_READ, key=(monday, end), keep=KEPT_WEEKS) if past
            else _week_figures(monday, now))
    table = []
    for environment in environments:
        figures_of, systems = kept.environments[environment.id]
        row = EnvironmentFigures(environment, figures_of)
        row.systems = [SystemFigures(system, *systems[system.id]) for system in environment.systems]
        table.append(row)
    listed = db.session.scalars(select(Outage).where(Outage.id.in_(kept.listed))
                                .options(selectinload(Outage.systems), joinedload(Outage.environment))
                                .order_by(Outage.start, Outage.id)).all()
    by_id = {e.id: e for e in environments}
    used = [utilisation.Utilisation(by_id[i], open_hours, allocated) for i, open_hours, allocated in kept.utilisation]
    deployed = db.session.execute(
        select(Deployment, Rfc).join(Rfc, Rfc.id == Deployment.rfc_id)
        .where(Deployment.actual_end >= start, Deployment.actual_end < end)
        .options(joinedload(Deployment.environment), joinedload(Rfc.system)).order_by(Deployment.actual_end)).all()
    planned_ids = changes.cached(_planned_ids, changes.WINDOWS, key=(monday, past), keep=KEPT_WEEKS)
    planned = db.session.scalars(
        select(Rfc).where(Rfc.id.in_(planned_ids))
        .options(joinedload(Rfc.system).selectinload(System.environments), selectinload(Rfc.environments))
        .order_by(Rfc.window_start)).all()
    standing = changes.cached(_standing, changes.REFERENCE, changes.WINDOWS, changes.PROVING)
    retests = dict(db.session.execute(
        select(Environment.name, func.count()).join(Defect, Defect.found_in_id == Environment.id)
        .join(Rfc, Rfc.id == Defect.rfc_id)
        .where(Defect.ready_for_retest.is_(True), ~select(Retest.id).where(Retest.defect_id == Defect.id).exists(),
               visible_clause(user) if user else Rfc.status.in_(PUBLIC_STATUSES))
        .group_by(Environment.name)).all())
    return Report(week_name(monday), monday, start, end, table, Shown(listed, kept.outages), deployed, planned,
                  retests, _expiring(user, as_of) if user else None, None if past else baseline.drifting(),
                  _unread(user, now) if user and not past else None, Shown(outstanding_emergency_rows()),
                  standing.owed, sit_pair_warnings(planned), past, Shown(standing.gaps, standing.gap_count),
                  _readiness(monday, now), utilisation=used,
                  slots_per_participant=Shown(list(kept.slots_per_participant)),
                  system_names={i: name for i, name, _ in choices.systems()},
                  decisions=_decisions(environments, start, end, monday + timedelta(days=7)),
                  **_proving(user, start, end, now, past))


# What the week's figures read, each table behind its counter: outages and their systems (OUTAGES), environments,
# systems and their hours, organisations (REFERENCE), slots and their holders (SLOTS), participants (PROVING), freezes
# (WINDOWS). An ended week's figures change only when one of these moves; a few dozen weeks are kept per process.
WEEK_FIGURES_READ = (changes.OUTAGES, changes.REFERENCE, changes.SLOTS, changes.PROVING, changes.WINDOWS,
                     changes.SCHEDULE)  # SCHEDULE: the freezes
# What an ended week's whole report reads besides: deployments, planned and retested RFCs (WINDOWS), certificates,
# the register and proving regressions (PROVING), GO / NO-GO decisions (SCHEDULE), the emergency fixes not carried
# (CARRY_OVERS), retests, proving tests, decisions' conditions and EWG actions with their owners' names (TESTING),
# participants' readiness and the health checks (READINESS, HEALTH), every name (REFERENCE).
ENDED_WEEK_READ = (*WEEK_FIGURES_READ, CARRY_OVERS, changes.TESTING, READINESS, HEALTH)
KEPT_WEEKS = 24


@dataclass(frozen=True)
class WeekFigures:
    """What the report works out from every outage and slot of a week, as plain values (no ORM objects): kept per
    process for an ended week, which a thousand outages would otherwise cost at every request."""
    environments: dict  # {environment id: (Figures, {system id: (in operable hours, in support hours)})}
    outages: int  # how many outages overlap the week
    listed: tuple  # the ids of its first SHOWN outages, in order
    utilisation: tuple  # (environment id, hours open, hours allocated)
    slots_per_participant: tuple  # (organisation name, (slots, hours)), most hours first


def _week_figures(monday, now):
    """WeekFigures of the week from `monday` as it stands at `now` (its end, for an ended week): availability per
    environment and per system (its unplanned outages within its operable and support hours), and utilisation."""
    start, end = london_day_start(monday), london_day_start(monday + timedelta(days=7))
    stop = min(end, now)
    environments = db.session.scalars(select(Environment).options(selectinload(Environment.systems))
                                      .order_by(Environment.position)).all()
    # The figures need a few columns of every outage of the week (a thousand or more in a busy one).
    week_outages = db.session.execute(select(Outage.id, Outage.environment_id, Outage.planned, Outage.category,
                                             Outage.start, Outage.end).where(overlapping(start, end))
                                      .order_by(Outage.start, Outage.id)).all()
    systems_of = defaultdict(set)
    for outage_id, system_id in db.session.execute(select(outage_systems.c.outage_id, outage_systems.c.system_id)
                                                   .join(Outage, Outage.id == outage_systems.c.outage_id)
                                                   .where(overlapping(start, end))):
        systems_of[outage_id].add(system_id)
    of_environment = defaultdict(list)  # the week's outages of each environment, in one pass
    for o in week_outages:
        of_environment[o.environment_id].append(o)
    table = {}
    for environment in environments:
        mine = of_environment[environment.id]
        down_by_system = defaultdict(list)  # the unplanned downtime of each system, in one pass over the outages
        for o in mine:
            if not o.planned:
                for system_id in systems_of[o.id]:
                    down_by_system[system_id].append((max(o.start, start), min(o.end or stop, stop)))
        table[environment.id] = (
            figures([(o.planned, o.category, o.start, o.end) for o in mine], start, end, now),
            {system.id: tuple(_availability(down_by_system[system.id], _within(hours, system, monday, start, stop))
                              for hours in (operable_between, support_days_between))
             for system in environment.systems})
    used, per_participant = utilisation.week(monday, environments,
                                             [(o.environment_id, o.start, o.end) for o in week_outages])
    return WeekFigures(table, len(week_outages), tuple(o.id for o in week_outages[:SHOWN]),
                       tuple((u.environment.id, u.open_hours, u.allocated_hours) for u in used),
                       tuple(sorted(per_participant.items(), key=lambda item: (-item[1][1], item[0]))))


@dataclass(frozen=True)
class Standing:
    """What the report shows as it stands today, whatever the week, as plain values: kept per process while the
    reference data (systems, organisations), the baseline and the register (PROVING) stay as they were."""
    owed: tuple  # (system name, the version UIT runs, {SIT environment name: its version or None}) owed to SIT
    gaps: tuple  # (organisation name, kind, route, interval number or None): the first SHOWN without an Environment
    gap_count: int  # Manager (EAP §7.1.1), and how many there are


def _standing():
    return Standing(tuple((o.system.name, o.uit, o.sit) for o in baseline.owing_to_sit()),
                    tuple((p.organisation.name, p.kind, p.route, p.interval.number if p.interval else None)
                          for p in participants_without_environment_manager(SHOWN)),
                    count_without_environment_manager())


def _planned_ids(monday, past):
    """The ids of the RFCs planned for the week after the one from `monday`: approved now, or, for an ended week,
    approved by its end (what the schedule's counter, WINDOWS, follows: an RFC's status and window)."""
    end, after = london_day_start(monday + timedelta(days=7)), london_day_start(monday + timedelta(days=14))
    approved = (Rfc.status.in_(PUBLIC_STATUSES), Rfc.approved_at < end) if past else (Rfc.status == RfcStatus.APPROVED,)
    return tuple(db.session.scalars(select(Rfc.id).where(*approved, Rfc.window_start >= end, Rfc.window_start < after)))


@dataclass
class ReadinessFigures:
    ready: list  # [(phase, participants ready, participants)] as they stand now
    on_time: int  # the week's morning health checks reported by the deadline
    expected: int  # the week's checks due (business days whose deadline has passed)

    @property
    def compliance(self):
        return self.on_time / self.expected if self.expected else None


def _readiness(monday, now):
    on_time, expected = health_compliance(monday, monday + timedelta(days=6), now)
    return ReadinessFigures(ready_counts(now), on_time, expected)


def _proving(user, start, end, now, past):
    if not (user and is_manager(user)):
        return {}
    return {"proving": None if past else proving.progress(now), "regressions": proving.regressions_between(start, end)}


def _decisions(environments, start, end, next_monday):
    """The week's GO / NO-GO decisions, proving tests passed per environment (as they stand) and the EWG actions
    overdue at the week's end (issue 28)."""
    progress = proving_tests.progress([e.id for e in environments])
    return {"decisions": readiness_decisions.decisions_between(start, end),
            "proving": [(e, *progress[e.id]) for e in environments if progress[e.id][1]],
            "overdue": readiness_owned.overdue_actions(next_monday - timedelta(days=1))}


def _availability(down, spans):
    """1 - the unplanned downtime inside the spans / the spans' length; None when the spans are empty."""
    length = sum((b - a for a, b in spans), timedelta(0))
    if length <= timedelta(0):
        return None
    inside = [(max(a, s), min(b, e)) for a, b in down for s, e in spans if max(a, s) < min(b, e)]
    return 1 - merged_length(inside) / length


def _within(hours, system, monday, start, stop):
    """EAP §12.7: the week's spans of the system's operable hours (operable_between) or support hours
    (support_days_between), cut to [start, stop); the whole of it when the system has no set hours of that kind."""
    spans = hours(system, monday, monday + timedelta(days=6))
    spans = [(start, stop)] if spans is None else spans
    return [(max(a, start), min(b, stop)) for a, b in spans if max(a, start) < min(b, stop)]


def _expiring(user, as_of):
    """The certificates expired (not replaced) or expiring within 30 days, as they stood at `as_of`."""
    query = dashboard_query(user, as_of).where(~Certificate.replaced,
                                               Certificate.valid_to <= as_of + timedelta(days=SOON_DAYS))
    return db.session.execute(query.limit(10)).all(), db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery()))


def _unread(user, now):
    """Release notes sent in the last 30 days not yet read as they stand: everyone's for a manager, one's own
    organisation's for anyone else."""
    query = select(Rfc).join(ReleaseAudience).where(ReleaseAudience.communicated_at >= now - timedelta(days=30)) \
        .options(selectinload(Rfc.deployments), joinedload(Rfc.system)).distinct()
    found, rfcs = [], db.session.scalars(query).all()
    readers = acknowledgements.readers_of(rfcs)
    for rfc in rfcs:
        for row in readers[rfc.id]:
            waiting = row.unread + [u for u, _ in row.earlier]
            if waiting and (is_manager(user) or row.organisation.id == user.organisation_id):
                found.append((rfc, row.organisation, waiting))
    return found

