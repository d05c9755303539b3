"""Outage writes and the read-side queries: who may log and edit what, the board, the log, availability."""
import hashlib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import DateTime, bindparam, func, literal, or_, select
from sqlalchemy.orm import joinedload, raiseload, selectinload

from ..audit.services import record
from ..core import changes, search
from ..core.pagination import SortColumn, count_of
from ..core.services import Refused, unit_of_work
from ..core.time import format_london, to_london, utcnow
from ..directory import choices
from ..directory.models import Environment, Organisation, System, User
from ..extensions import db
from ..notifications import mail_groups
from ..notifications.models import MailGroup
from ..notifications.services import managers_of, notify, subscribers
from ..rfcs.services import get_visible as get_visible_rfc
from ..windows.clashes import Clash
from . import downtime
from .availability import day_bounds, figures, periods
from .downtime import MICROSECOND, overlapping, overlapping_bound
from .models import Category, Outage, OutageUpdate, UpdateStatus, outage_systems
from .permissions import can_announce_window, can_edit_outage, check_may_log

# Writes ---------------------------------------------------------------------------------------

FIELDS = ["environment_id", "planned", "category", "start", "end", "description", "impact", "defect_reference",
          "root_cause", "rfc_id"]


CONFLICT = "Someone else changed this outage at the same moment; nothing was saved. Reload and try again."


@unit_of_work(CONFLICT)
def save(user, outage, values, systems, now=None):
    """values: FIELDS with times in UTC; systems: the chosen System objects (one organisation); now: the moment it
    is logged (a test of history gives the moment the planned outage was announced)."""
    if outage.id is not None and not can_edit_outage(user, outage):
        raise Refused("You may not change this outage.")
    check_may_log(user, systems, values["planned"])
    if values.get("rfc_id") is not None and get_visible_rfc(user, values["rfc_id"]) is None:  # RFC-0 too
        raise Refused("There is no such RFC you can see.", "rfc_number")
    if values["planned"] and values["start"] < (now or utcnow()) \
        and (outage.id is None or values["start"] != outage.start
                                                              or not outage.planned):
        raise Refused("A planned outage is announced in advance (EAP §12.5.1): its start cannot be in the past. Log "
                      "an outage that has begun as unplanned.", "start")
    if values["end"] and not values["planned"] and values["end"] > utcnow():
        raise Refused("An unplanned outage cannot end in the future: leave End empty while it is ongoing.", "end")
    is_new = outage.id is None
    before = (outage.environment_id, outage.start, outage.end)
    changed = []
    for name in FIELDS:
        if getattr(outage, name) != values[name]:
            setattr(outage, name, values[name])
            changed.append(name)
    if set(outage.systems) != set(systems):
        outage.systems = systems
        changed.append("systems")
    newly_blocking = values.get("blocking", False) and not outage.planned and not outage.blocking
    if bool(outage.blocking) != bool(values.get("blocking", False)):
        outage.blocking = bool(values.get("blocking", False))
        changed.append("blocking")
    outage.organisation_id = systems[0].organisation_id
    if is_new:
        outage.reported_by_id, outage.reporter_organisation_id = user.id, user.organisation_id
        db.session.add(outage)
        db.session.flush()
        record("outage.logged", actor=user, obj=outage, summary=_summary(outage))
    elif changed:
        record("outage.updated", actor=user, obj=outage, summary="changed " + ", ".join(changed))
    if outage.planned and (is_new or {"environment_id", "start", "end", "planned"} & set(changed)):
        _tell_followers(outage, "announced" if is_new or "planned" in changed else "moved")
    if is_new and not outage.planned:
        _announce_unplanned(outage)
    if newly_blocking:
        notify("outage_blocking", managers_of([outage.environment.phase]), "outages.detail",
               {"outage_id": outage.id}, outage=outage)
    _keep_downtime([before, (outage.environment_id, outage.start, outage.end)])
    index_for_search(outage)
    db.session.commit()
    return outage


def index_for_search(outage):
    """An outage is found by its environment, systems, organisation, category, words and defect reference."""
    db.session.flush()
    search.put("outage", outage.id, ["Planned outage" if outage.planned else "Outage",
                                     db.session.get(Environment, outage.environment_id).name,
                                     *(s.name for s in sorted(outage.systems, key=lambda s: s.name))],
               db.session.get(Organisation, outage.organisation_id).name, outage.category.value,
               outage.description, outage.impact, outage.defect_reference, outage.root_cause)


def reindex_named(kind, object_id):
    if kind == "system":
        statement = select(Outage).where(Outage.id.in_(select(outage_systems.c.outage_id)
                                                       .where(outage_systems.c.system_id == object_id)))
    elif kind == "organisation":
        statement = select(Outage).where(Outage.organisation_id == object_id)
    else:
        return
    for outage in db.session.scalars(statement.options(selectinload(Outage.systems))):
        index_for_search(outage)


def announcement_lists(environment):
    """EAP §12.5.1: a planned outage is announced in advance to the environment's participants and the EWG. With no
    record of which organisation tests in which environment, the participants are the standing list of the
    environment's phase (SIT or UIT participants), beside the users who follow the environment or its systems."""
    return mail_groups.standing(MailGroup.EWG, MailGroup.participants_key(environment.phase))


def _announce_unplanned(outage):
    """EAP §12.5.1: an unplanned outage is raised as a defect; the environment's participants (its phase's list and
    who follows it or the systems) hear of it with the defect reference."""
    notify("outage_unplanned", subscribers([s.id for s in outage.systems], [outage.environment_id]),
           "outages.detail", {"outage_id": outage.id},
           listed=mail_groups.members_of(mail_groups.standing(MailGroup.participants_key(outage.environment.phase))),
           outage=outage)


def _tell_followers(outage, change):
    """Followers of the environment or the systems, the EWG list and the participants' list of the environment's
    phase hear of a planned outage announced, moved, cancelled or ended."""
    link = ("outages.index", {}) if change == "cancelled" else ("outages.detail", {"outage_id": outage.id})
    notify("outage_planned", subscribers([s.id for s in outage.systems], [outage.environment_id]), *link,
           listed=mail_groups.members_of(announcement_lists(outage.environment)), outage=outage, change=change)


def _keep_downtime(intervals):
    """The stored downtime days stay true: the days that ended since the last write are added, and the days the
    outage's (environment, start, end) touched before and after the change are computed again."""
    db.session.flush()
    now = utcnow()
    downtime.catch_up(now)
    for environment_id, start, end in set(intervals):
        if environment_id is not None:
            downtime.touched(environment_id, start, end, now)


def _summary(outage):
    return (f"{'planned' if outage.planned else 'unplanned'} {outage.category.value} in {outage.environment.name}: "
            f"{', '.join(s.name for s in outage.systems)}")


def _check_in_progress(user, outage, now):
    if not can_edit_outage(user, outage):
        raise Refused("You may not change this outage.")
    if outage.end is not None and outage.end <= now:
        raise Refused("This outage has ended already.")
    if outage.start > now:
        raise Refused("This outage has not started yet; edit its times instead.")


def _end(user, outage, now):
    before = (outage.environment_id, outage.start, outage.end)
    outage.end = now
    record("outage.ended", actor=user, obj=outage)
    if outage.planned:
        _tell_followers(outage, "ended")
    _keep_downtime([before, (outage.environment_id, outage.start, outage.end)])


@unit_of_work(CONFLICT)
def end_now(user, outage):
    now = utcnow()
    _check_in_progress(user, outage, now)
    _end(user, outage, now)
    db.session.commit()


@unit_of_work(CONFLICT)
def cancel(user, outage):
    """A planned outage that has not begun is called off: its followers hear, and it leaves the log."""
    if not can_edit_outage(user, outage):
        raise Refused("You may not change this outage.")
    if not outage.planned or outage.start <= utcnow():
        raise Refused("Only a planned outage that has not begun can be cancelled; end this one instead.")
    _tell_followers(outage, "cancelled")
    record("outage.cancelled", actor=user, obj=outage, summary=_summary(outage))
    search.drop("outage", [outage.id])
    db.session.delete(outage)
    db.session.commit()


@unit_of_work(CONFLICT)
def post_update(user, outage, status, note):
    """A line of the timeline of an outage in progress; "resolved" also ends it now."""
    now = utcnow()
    _check_in_progress(user, outage, now)
    update = OutageUpdate(status=status, note=note, by=user, at=now)
    outage.updates.insert(0, update)
    record("outage.update", actor=user, obj=outage, summary=f"{status.value}: {note}")
    notify("outage_update", subscribers([s.id for s in outage.systems], [outage.environment_id]), "outages.detail",
           {"outage_id": outage.id}, outage=outage, update=update)
    if status == UpdateStatus.RESOLVED:
        _end(user, outage, now)
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
        _tell_followers(outage, "announced")
        created.append(outage)
    _keep_downtime([(o.environment_id, o.start, o.end) for o in created])
    db.session.commit()
    return created


# Reads ----------------------------------------------------------------------------------------

def planned_outage_clashes(spans, user=None):
    """[(span key, Clash)]: the planned outages of each span's environments that overlap it (every outage is public).
    One read for all spans, through the index on end: the outages still open or ending after the earliest span
    starts; each span then looks only at its environments' outages starting within the longest outage before it. An
    outage announced from the span's own RFC is no clash."""
    if not spans:
        return []
    condition, values = overlapping_bound(min(s.start for s in spans), max(s.end for s in spans))
    rows = db.session.execute(_planned_overlapping(condition), {
        **values, "environments": list({e for s in spans for e in s.environment_ids})}).all()  # plain rows
    longest = max((o.end - o.start for o in rows if o.end), default=timedelta(0))
    by_environment = {}  # environment id: (starts, outages) in start order
    for outage in rows:
        starts, outages = by_environment.setdefault(outage.environment_id, ([], []))
        starts.append(outage.start)
        outages.append(outage)
    ongoing = [o for o in rows if o.end is None]  # an outage without an end may have started any time before
    found = []
    for span in spans:
        near = set(ongoing)
        for environment_id in span.environment_ids:
            starts, outages = by_environment.get(environment_id, ((), ()))
            near.update(outages[bisect_right(starts, span.start - longest):bisect_left(starts, span.end)])
        for outage in sorted(near, key=lambda o: (o.start, o.id)):
            if outage.environment_id in span.environment_ids and outage.start < span.end \
                    and (outage.end is None or outage.end > span.start) \
                    and not (span.rfc_id and outage.rfc_id == span.rfc_id):
                until = format_london(outage.end, "%H:%M") if outage.end else "no end set"
                found.append((span.key, Clash(
                    "outage", f"planned {outage.category.value} outage of {outage.environment}, "
                    f"{format_london(outage.start)}–{until}", "outages.detail", {"outage_id": outage.id},
                    outage.start, outage.end or span.end)))
    return found


@lru_cache(maxsize=2)  # one for each of overlapping_bound's conditions
def _planned_overlapping(condition):
    """The planned outages of some environments overlapping a period (the condition), as columns: built once."""
    return (select(Outage.id, Outage.environment_id, Outage.rfc_id, Outage.category, Outage.start, Outage.end,
                   Environment.name.label("environment"))
            .join(Environment, Environment.id == Outage.environment_id)
            # Found through the index on end (overlapping); planned and the environment are tested row by row
            # (coalesce and `+ 0` keep the planner off the indexes on them, which would read the environment's whole
            # past).
            .where(condition, func.coalesce(Outage.planned, False).is_(True),
                   (Outage.environment_id + 0).in_(bindparam("environments", expanding=True)))
            .order_by(Outage.start, Outage.id))


# An ongoing outage has no end yet: it sorts as ending after every ended one.
STILL_ONGOING = datetime(9999, 12, 31)
LOG_SORTS = {
    "start": SortColumn([Outage.start, Outage.id], descending=True),
    "end": SortColumn([func.coalesce(Outage.end, literal(STILL_ONGOING, DateTime)), Outage.id], descending=True,
                      key_of=lambda outage: (outage.end or STILL_ONGOING, outage.id)),
    "category": SortColumn([Outage.category, Outage.start, Outage.id]),
}


def log_query(**filters):
    """The outage log, newest first, filtered (`filtered`), as outages with what a row shows of them."""
    return filtered(select(Outage).options(joinedload(Outage.environment), joinedload(Outage.organisation),
                                           joinedload(Outage.reported_by), selectinload(Outage.systems))
                    .order_by(Outage.start.desc(), Outage.id.desc()), **filters)


# What the log's page shows of an outage, read as columns (its names come from the reference data kept per process).
_LOG_COLUMNS = (Outage.id, Outage.start, Outage.end, Outage.environment_id, Outage.organisation_id,
                Outage.reporter_organisation_id, Outage.planned, Outage.category, Outage.description,
                Outage.defect_reference, User.name.label("reporter"))


def log_rows(**filters):
    """The outage log as the page lists it: plain rows of _LOG_COLUMNS (see log_row), filtered (`filtered`)."""
    return filtered(select(*_LOG_COLUMNS).join(User, User.id == Outage.reported_by_id), **filters)


def log_count(filters):
    """How many outages the log's filters keep, as the pager counts them (count_of): kept per process per filters
    (the last few asked) while no outage changes; counted afresh when "going on now" is asked (the moment
    changes it)."""
    if filters.get("ongoing_at"):
        return count_of(log_rows(**filters))
    return changes.cached(_log_count, changes.OUTAGES, key=tuple(sorted(filters.items())))


def _log_count(*filters):
    return count_of(log_rows(**dict(filters)))


@dataclass(frozen=True)
class LogRow:
    """One line of the log: what it shows, and what can_edit_outage reads."""
    id: int
    start: datetime
    end: datetime | None
    environment: str
    systems: str
    organisation: str
    planned: bool
    category: Category
    description: str
    defect_reference: str
    reporter: str
    organisation_id: int
    reporter_organisation_id: int

    def is_ongoing(self, now):
        return self.start <= now and (self.end is None or self.end > now)


def log_lines(rows):
    """LogRow of each row of log_rows: the systems of all of them in one read, every name from the reference data."""
    environments, organisations = dict(choices.environments()), dict(choices.organisations())
    system_names = {system_id: name for system_id, name, _owner in choices.systems()}
    systems = {}
    if rows:
        for outage_id, system_id in db.session.execute(
                select(outage_systems.c.outage_id, outage_systems.c.system_id)
                .where(outage_systems.c.outage_id.in_([row.id for row in rows]))):
            systems.setdefault(outage_id, []).append(system_names[system_id])
    return [LogRow(row.id, row.start, row.end, environments[row.environment_id], ", ".join(sorted(systems.get(
        row.id, ()))), organisations[row.organisation_id], row.planned, row.category, row.description,
        row.defect_reference, row.reporter, row.organisation_id, row.reporter_organisation_id) for row in rows]


def log_line(outage):
    """The LogRow of one outage (the row End now swaps in)."""
    return log_lines(db.session.execute(log_rows().where(Outage.id == outage.id)).all())[0]


def filtered(query, environment_id=None, system_id=None, organisation_id=None, planned=None, category=None,
             start=None, end=None, text=None, environment_ids=(), ongoing_at=None):
    """The log's query narrowed by its filters: every filter narrows, the period keeps overlapping outages;
    `ongoing_at` keeps those going on at that moment (the home pages' "Outages now")."""
    if environment_id:
        query = query.where(Outage.environment_id == environment_id)
    if environment_ids:
        query = query.where(Outage.environment_id.in_(environment_ids))
    if ongoing_at:
        query = query.where(overlapping(ongoing_at, ongoing_at + MICROSECOND))
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


BOARD_AHEAD = timedelta(days=60)  # how far ahead the board looks for planned outages


def board(now, upcoming_per_environment=3):
    """[(environment, {system id: [ongoing outages]}, ongoing, next planned)] for the status board."""
    environments = db.session.scalars(select(Environment).options(selectinload(Environment.systems))
                                      .order_by(Environment.position)).all()
    relevant = db.session.scalars(
        select(Outage).where(overlapping(now, now + BOARD_AHEAD))
        .options(selectinload(Outage.systems), joinedload(Outage.organisation),
                 selectinload(Outage.updates)).order_by(Outage.start)).all()
    rows = []
    for environment in environments:
        mine = [o for o in relevant if o.environment_id == environment.id]
        ongoing = [o for o in mine if o.is_ongoing(now)]
        down = {s.id: [o for o in ongoing if s in o.systems] for s in environment.systems}
        upcoming = [o for o in mine if o.start > now and o.planned][:upcoming_per_environment]
        rows.append((environment, down, ongoing, upcoming))
    return rows


def board_copy(now, render):
    """(HTML, ETag) of the board at `now` as render(rows) makes it, without the time it is sent: the board is one page
    for everyone, so this process renders it once and keeps it while no outage, update or reference data changes (the
    stored change counters, which another worker's writes move too) and no outage starts, ends or comes within the
    board's reach (the next such moment, read with it)."""
    _read_at, _until, html, tag = changes.cached(_rendered_board, changes.OUTAGES, changes.REFERENCE,
                                                 using=(now, render), fresh=lambda copy: copy[0] <= now < copy[1])
    return html, tag


def _rendered_board(now, render):
    html = render(board(now))
    return now, _board_changes(now), html, hashlib.sha256(html.encode()).hexdigest()[:32]


def _board_changes(now):
    """The next moment time alone changes the board read at `now`: an outage starts or ends, or a planned one comes
    within BOARD_AHEAD."""
    nearest = select(func.min(Outage.start)).where(Outage.start > now).scalar_subquery()
    ending = select(func.min(Outage.end)).where(Outage.end > now).scalar_subquery()
    coming = select(func.min(Outage.start)).where(Outage.start > now + BOARD_AHEAD).scalar_subquery()
    starts, ends, comes = db.session.execute(select(nearest, ending, coming)).one()
    moments = [m for m in (starts, ends, comes - BOARD_AHEAD if comes else None) if m is not None]
    return min(moments, default=datetime.max)


def availability_table(kind, now, count):
    """(periods, [(environment's name, [Figures per period])]) over the last `count` weeks or months: the stored days'
    downtime added up by the database, and the days not stored yet (today at least) computed from their outages at
    `now`. The periods that have ended are worked out once per process (_availability_reads); only the period going
    on, which grows with `now`, is per request."""
    spans, table, reads = changes.cached(_availability_reads, changes.OUTAGES, changes.REFERENCE,
                                         key=(kind, count, to_london(now).date()), using=(now,))
    current = len(spans) - 1
    return spans, [(name, [*ended, _cell(environment_id, current, spans[current], reads, now)])
                   for environment_id, name, ended in table]


def _availability_reads(kind, count, _today, now):
    """The availability of the periods up to London's day `_today` as far as it stays true all day: (periods,
    [(environment id, name, [Figures of each period but the last])], what the last one reads: (the stored days added
    up per (environment id, period index), the moment the days not stored yet begin, their outages per environment)).
    Kept per process per period kind, count and day while no outage or environment changes (OUTAGES, moved too by
    the stored days made complete: DowntimeState is watched; REFERENCE)."""
    spans = periods(kind, now, count)
    period_days = [(to_london(start).date(), to_london(end).date() - timedelta(days=1)) for _, start, end in spans]
    through = min(downtime.complete_through() or period_days[0][0] - timedelta(days=1), period_days[-1][1])
    live_from = day_bounds(through)[1] if through >= period_days[0][0] else spans[0][1]
    reads = (downtime.stored(period_days, through), live_from,
             downtime.outages_between(live_from, spans[-1][2]) if live_from < spans[-1][2] else {})
    table = [(environment_id, name, [_cell(environment_id, index, span, reads, now) for index, span
                                     in enumerate(spans[:-1])]) for environment_id, name in choices.environments()]
    return spans, table, reads


def _cell(environment_id, index, span, reads, now):
    """The Figures of one environment in one period (the `index`th, `span`): its stored days and its outages since
    the days not stored yet begin, clipped to `now`."""
    totals, live_from, live = reads
    _, period_start, period_end = span
    result = figures([], period_start, period_end, now)  # the elapsed time of the whole period
    _add(result, totals.get((environment_id, index), {}))
    if live_from < period_end:
        _add(result, downtime.lengths(
            figures(live.get(environment_id, []), max(period_start, live_from), period_end, now)))
    return result


def _add(result, lengths):
    """Adds downtime, {kind: timedelta}, to a period's Figures."""
    for kind, length in lengths.items():
        if kind in ("total", "planned", "unplanned"):
            setattr(result, kind, getattr(result, kind) + length)
        else:
            category = Category(kind)
            result.by_category[category] = result.by_category.get(category, timedelta(0)) + length


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
