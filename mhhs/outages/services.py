"""Outage writes and the read-side queries: who may log and edit what, the board, the log, availability."""
from bisect import bisect_left
from datetime import timedelta

from sqlalchemy import and_, or_, select, union_all
from sqlalchemy.orm import joinedload, raiseload, selectinload

from ..audit.services import record
from ..core.services import Refused, unit_of_work
from ..core.time import utcnow
from ..directory.models import Environment, Organisation, System, User
from ..extensions import db
from ..releases.services import get_visible as get_visible_rfc
from .availability import figures, periods
from .models import Category, Outage, outage_systems
from .permissions import can_announce_window, can_edit_outage, check_may_log


# Writes ---------------------------------------------------------------------------------------

FIELDS = ["environment_id", "planned", "category", "start", "end", "description", "impact", "defect_reference",
          "root_cause", "rfc_id"]


CONFLICT = "Someone else changed this outage at the same moment; nothing was saved. Reload and try again."


@unit_of_work(CONFLICT)
def save(user, outage, values, systems):
    """values: FIELDS with times in UTC; systems: the chosen System objects (one organisation)."""
    if outage.id is not None and not can_edit_outage(user, outage):
        raise Refused("You may not change this outage.")
    check_may_log(user, systems, values["planned"])
    if values.get("rfc_id") and get_visible_rfc(user, values["rfc_id"]) is None:
        raise Refused("There is no such RFC you can see.", "rfc_number")
    if values["end"] and not values["planned"] and values["end"] > utcnow():
        raise Refused("An unplanned outage cannot end in the future: leave End empty while it is ongoing.", "end")
    is_new = outage.id is None
    changed = []
    for name in FIELDS:
        if getattr(outage, name) != values[name]:
            setattr(outage, name, values[name])
            changed.append(name)
    if set(outage.systems) != set(systems):
        outage.systems = systems
        changed.append("systems")
    outage.organisation_id = systems[0].organisation_id
    if is_new:
        outage.reported_by_id, outage.reporter_organisation_id = user.id, user.organisation_id
        db.session.add(outage)
        db.session.flush()
        record("outage.logged", actor=user, obj=outage, summary=_summary(outage))
    elif changed:
        record("outage.updated", actor=user, obj=outage, summary="changed " + ", ".join(changed))
    db.session.commit()
    return outage


def _summary(outage):
    return (f"{'planned' if outage.planned else 'unplanned'} {outage.category.value} in {outage.environment.name}: "
            f"{', '.join(s.name for s in outage.systems)}")


@unit_of_work(CONFLICT)
def end_now(user, outage):
    if not can_edit_outage(user, outage):
        raise Refused("You may not change this outage.")
    now = utcnow()
    if outage.end is not None and outage.end <= now:
        raise Refused("This outage has ended already.")
    if outage.start > now:
        raise Refused("This outage has not started yet; edit its times instead.")
    outage.end = now
    record("outage.ended", actor=user, obj=outage)
    db.session.commit()


@unit_of_work(CONFLICT)
def planned_outages_from_rfc(user, rfc):
    """One planned code-deployment outage per target environment, for the RFC's window."""
    if not can_announce_window(user, rfc):
        raise Refused(f"{rfc.number} is {rfc.status.value}: only the RFC's Central Party or a Release Manager "
                      "announces its window, while it is submitted or approved.")
    existing = set(db.session.scalars(select(Outage.environment_id).where(Outage.rfc_id == rfc.id)))
    created = []
    for environment in rfc.environments:
        if environment.id in existing:
            continue
        outage = Outage(environment_id=environment.id, planned=True, category=Category.CODE_DEPLOYMENT,
                        start=rfc.window_start, end=rfc.window_end, rfc_id=rfc.id,
                        description=f"Deployment of {rfc.system.name} {rfc.version} ({rfc.number}): {rfc.title}",
                        impact=f"{rfc.system.name} unavailable; expected downtime {rfc.expected_downtime} minutes.",
                        organisation_id=rfc.organisation_id, reported_by_id=user.id,
                        reporter_organisation_id=user.organisation_id, systems=[rfc.system])
        db.session.add(outage)
        db.session.flush()
        record("outage.logged", actor=user, obj=outage, summary=f"planned from {rfc.number}")
        created.append(outage)
    db.session.commit()
    return created


# Reads ----------------------------------------------------------------------------------------

def log_query(environment_id=None, system_id=None, organisation_id=None, planned=None, category=None,
              start=None, end=None, text=None):
    """The outage log, newest first, filtered; every filter narrows, the period keeps overlapping outages."""
    query = (select(Outage).options(joinedload(Outage.environment), joinedload(Outage.organisation),
                                    joinedload(Outage.reported_by), selectinload(Outage.systems))
             .order_by(Outage.start.desc(), Outage.id.desc()))
    if environment_id:
        query = query.where(Outage.environment_id == environment_id)
    if system_id:
        query = query.where(Outage.id.in_(select(outage_systems.c.outage_id)
                                          .where(outage_systems.c.system_id == system_id)))
    if organisation_id:
        query = query.where(Outage.organisation_id == organisation_id)
    if planned is not None:
        query = query.where(Outage.planned.is_(planned))
    if category:
        query = query.where(Outage.category == category)
    if start:
        query = query.where(or_(Outage.end.is_(None), Outage.end > start))
    if end:
        query = query.where(Outage.start < end)
    if text:
        like = f"%{text}%"
        query = query.where(or_(Outage.description.ilike(like), Outage.impact.ilike(like),
                                Outage.root_cause.ilike(like), Outage.defect_reference.ilike(like)))
    return query


def overlapping(first, last):
    """The condition for outages overlapping [first, last): those still open, or ending after first, found through
    the index on end (one OR across both would read every outage that ever started before last)."""
    columns = Outage.__table__.c
    still_open = select(columns.id).where(columns.end.is_(None))
    ending_after = select(columns.id).where(columns.end > first)
    return and_(columns.id.in_(union_all(still_open, ending_after)), columns.start < last)


def board(now, upcoming_per_environment=3):
    """[(environment, {system id: [ongoing outages]}, ongoing, next planned)] for the status board."""
    environments = db.session.scalars(select(Environment).options(selectinload(Environment.systems))
                                      .order_by(Environment.position)).all()
    relevant = db.session.scalars(
        select(Outage).where(overlapping(now, now + timedelta(days=60)))
        .options(selectinload(Outage.systems), joinedload(Outage.organisation)).order_by(Outage.start)).all()
    rows = []
    for environment in environments:
        mine = [o for o in relevant if o.environment_id == environment.id]
        ongoing = [o for o in mine if o.is_ongoing(now)]
        down = {s.id: [o for o in ongoing if s in o.systems] for s in environment.systems}
        upcoming = [o for o in mine if o.start > now and o.planned][:upcoming_per_environment]
        rows.append((environment, down, ongoing, upcoming))
    return rows


def availability_table(kind, now, count):
    """(periods, [(environment, [Figures per period])]) over the last `count` weeks or months."""
    spans = periods(kind, now, count)
    first, last = spans[0][1], spans[-1][2]
    # Plain columns through the connection: no ORM row processing for what can be 100,000 rows.
    columns = Outage.__table__.c
    rows = db.session.connection().execute(
        select(columns.environment_id, columns.planned, columns.category, columns.start, columns.end)
        .where(overlapping(first, last))).all()
    by_environment = {}
    for environment_id, *outage in rows:
        by_environment.setdefault(environment_id, []).append(tuple(outage))
    environments = db.session.scalars(select(Environment).order_by(Environment.position)).all()
    table = [(e, _figures_per_period(by_environment.get(e.id, []), spans, now)) for e in environments]
    return spans, table


def _figures_per_period(outages, spans, now):
    """Figures for each period, handing each only the outages that can overlap it (sorted by start)."""
    outages = sorted(outages, key=lambda o: o[2])
    starts = [o[2] for o in outages]
    longest = max(((end or now) - start for _, _, start, end in outages), default=timedelta(0))
    cells = []
    for _, period_start, period_end in spans:
        candidates = outages[bisect_left(starts, period_start - longest):bisect_left(starts, period_end)]
        cells.append(figures(candidates, period_start, period_end, now))
    return cells


def export_rows(filters):
    """The filtered log as flat rows for CSV, in two queries whatever its length."""
    ids = log_query(**filters).with_only_columns(Outage.id).order_by(None)
    names = {}
    for outage_id, name in db.session.execute(
            select(outage_systems.c.outage_id, System.name).join(System)
            .where(outage_systems.c.outage_id.in_(ids.scalar_subquery()))):
        names.setdefault(outage_id, []).append(name)
    query = (log_query(**filters).options(raiseload("*")).with_only_columns(
        Outage.id, Environment.name, Organisation.name, Outage.planned, Outage.category, Outage.start, Outage.end,
        Outage.description, Outage.impact, Outage.defect_reference, Outage.root_cause, Outage.rfc_id, User.name)
        .join(Environment, Outage.environment_id == Environment.id)
        .join(Organisation, Outage.organisation_id == Organisation.id)
        .join(User, Outage.reported_by_id == User.id))
    for row in db.session.execute(query.execution_options(yield_per=2000)):
        yield row, sorted(names.get(row[0], []))
