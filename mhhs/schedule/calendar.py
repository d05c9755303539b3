"""What the calendar shows for a run of Europe/London days: deployment windows, outages, freezes, certificate
expiries, environment dates and bank holidays, only what the user may see. Busy days show their first entries and
say there are more, so a month reads a bounded number of rows however many RFCs and outages there are."""
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import bindparam, exists, func, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from ..allocation.models import STANDING, Slot
from ..allocation.permissions import visible_slots_clause
from ..allocation.rules import Want
from ..allocation.rules import clashes as slot_clashes
from ..certificates.models import Certificate
from ..certificates.permissions import visible_certificates
from ..core.time import bank_holiday, format_london, to_london, utcnow
from ..core.viewer import viewer_of
from ..directory.models import Environment, london_day_start
from ..extensions import db
from ..outages.models import Outage, outage_systems
from ..participants.models import Participant
from ..participants.permissions import can_see_proving_matrix
from ..participants.register import intervals_between
from ..readiness import decisions as readiness_decisions
from ..readiness import ewg
from ..readiness.permissions import can_read_reviews
from ..rfcs.clashes import clashes
from ..rfcs.models import Deployment, Rfc, rfc_environments
from ..rfcs.permissions import visible_clause
from ..rfcs.states import SCHEDULED, ReleaseType, RfcStatus
from ..windows.release_slot import weekly_slot
from ..windows.support import freezes_between

# Drafts are not on the schedule; withdrawn and rejected windows are gone from it.
SHOWN = tuple(s for s in RfcStatus if s not in (RfcStatus.DRAFT, RfcStatus.WITHDRAWN, RfcStatus.REJECTED))


@dataclass
class Entry:
    kind: str  # the CSS class and the word a screen reader hears first
    label: str
    text: str
    endpoint: str = None
    args: dict = field(default_factory=dict)
    clashes: list = field(default_factory=list)
    start: object = None  # UTC, for windows and outages: where the week view's time axis places them
    end: object = None  # UTC; empty while an outage is ongoing


# The week view's time of day: rows of SLOT_MINUTES from midnight (Europe/London); static/css/app.css has a class
# for each row a timed entry may start at (slot-from-N) and each number of rows it may span (slot-rows-N).
SLOT_MINUTES = 15
SLOTS = 24 * 60 // SLOT_MINUTES


@dataclass
class Placed:
    """A timed entry on one day of the week view: its first row and how many it spans, cut at midnight."""
    entry: Entry
    first: int
    rows: int
    before: bool  # it began on an earlier day
    after: bool  # it goes on past midnight (or is ongoing)


def timeline(day):
    """(the day's entries without a time, [Placed] in order of start) for the week view's time axis."""
    midnight = london_day_start(day.date)
    next_midnight = london_day_start(day.date + timedelta(days=1))
    untimed, placed = [], []
    for entry in day.entries:
        if entry.start is None:
            untimed.append(entry)
            continue
        start, end = max(entry.start, midnight), min(entry.end or next_midnight, next_midnight)
        first = min(SLOTS - 1, int((start - midnight).total_seconds() // 60 // SLOT_MINUTES))
        last = max(first + 1, min(SLOTS, -int(-(end - midnight).total_seconds() // 60 // SLOT_MINUTES)))
        placed.append(Placed(entry, first, last - first, entry.start < midnight,
                             entry.end is None or entry.end > next_midnight))
    return untimed, sorted(placed, key=lambda p: (p.first, -p.rows))


@dataclass
class Day:
    date: object
    entries: list = field(default_factory=list)
    more: bool = False  # more windows or outages than a day shows


@dataclass
class Filters:
    environment_id: int = None
    system_id: int = None
    organisation_id: int = None


def view_range(view, day):
    """(first day, last day, heading, {"previous": …, "next": …} as the date argument) of the month or week view
    that shows `day`; a month runs from the Monday before its first day to the Sunday after its last."""
    if view == "month":
        month = day.replace(day=1)
        following = (month + timedelta(days=32)).replace(day=1)
        last = following - timedelta(days=1)
        return (month - timedelta(days=month.weekday()), last + timedelta(days=6 - last.weekday()),
                month.strftime("%B %Y"),
                {"previous": (month - timedelta(days=1)).strftime("%Y-%m"), "next": following.strftime("%Y-%m")})
    first = day - timedelta(days=day.weekday())
    return (first, first + timedelta(days=6), f"Week of {first:%d %B %Y}",
            {"previous": f"{first - timedelta(days=7)}", "next": f"{first + timedelta(days=7)}"})


def calendar_days(user, first_day, last_day, filters, per_day):
    """([Day] from first_day to last_day, each with at most `per_day` windows and `per_day` outages; the moment the
    first window shown that is not over yet ends, when its clashes go (rfcs.clashes.clashes), or None)."""
    days = {first_day + timedelta(days=n): Day(first_day + timedelta(days=n))
            for n in range((last_day - first_day).days + 1)}
    bounds = [(day, london_day_start(day), london_day_start(day + timedelta(days=1))) for day in days]
    start, end = bounds[0][1], bounds[-1][2]
    slot = weekly_slot()
    for day in days.values():
        holiday = bank_holiday(day.date)
        if holiday:
            day.entries.append(Entry("holiday", "Bank holiday", holiday))
        if day.date.weekday() == slot.weekday:
            day.entries.append(Entry("slot", "Weekly release slot", f"{slot.start:%H:%M}–{slot.end:%H:%M}, Minor and "
                                                                    "Patch releases (RCM Table 3)"))
    environments = _environments(filters)
    for environment in environments:
        for when, words in ((environment.available_from, "available from today"),
                            (environment.available_to, "last day available")):
            if when in days:
                days[when].entries.append(Entry("environment", "Environment", f"{environment.name} {words}",
                                                "environments.index"))
    _onboarding_intervals(user, days, filters, first_day, last_day)
    for freeze in freezes_between([e.id for e in environments], start, end):
        for day in days.values():
            if freeze.first_day <= day.date <= freeze.last_day:
                day.entries.append(Entry("freeze", "Freeze", f"{freeze.scope}: {freeze.reason}", "schedule.freezes"))
    rfcs = _by_day(("planned", "happened"), user, filters, bounds, per_day)
    loaded = {r.id: r for r in db.session.scalars(
        select(Rfc).where(Rfc.id.in_({i for ids in rfcs.values() for i in ids}))
        .options(joinedload(Rfc.system), selectinload(Rfc.environments),
                 selectinload(Rfc.deployments).joinedload(Deployment.environment)))}
    scheduled, now = [r for r in loaded.values() if r.status in SCHEDULED], utcnow()
    found = clashes(scheduled, user, now)
    until = min((r.window_end for r in scheduled if r.window_start and r.window_end and r.window_end > now),
                default=None)
    outages = _by_day(("outages",), user, filters, bounds, per_day)
    loaded_outages = {o.id: o for o in db.session.scalars(
        select(Outage).where(Outage.id.in_({i for ids in outages.values() for i in ids}))
        .options(joinedload(Outage.environment)))}
    for day in days.values():
        ids = rfcs.get(day.date, [])
        day.entries += [_rfc_entry(loaded[i], found.get(i, [])) for i in ids[:per_day]]
        outage_ids = outages.get(day.date, [])
        day.entries += [_outage_entry(loaded_outages[i]) for i in outage_ids[:per_day]]
        day.more = len(ids) > per_day or len(outage_ids) > per_day
    _add_slots(days, user, filters, bounds, per_day)
    certificates = visible_certificates(select(Certificate), user).where(
        Certificate.valid_to >= start, Certificate.valid_to < end, ~Certificate.replaced)
    if filters.environment_id:
        certificates = certificates.where(Certificate.environment_id == filters.environment_id)
    if filters.organisation_id:
        certificates = certificates.where(Certificate.organisation_id == filters.organisation_id)
    if not filters.system_id:  # a certificate belongs to an organisation, not to a system
        for certificate in db.session.scalars(certificates.options(joinedload(Certificate.environment))
                                              .order_by(Certificate.valid_to).limit(per_day * len(days))):
            days[to_london(certificate.valid_to).date()].entries.append(Entry(
                "certificate", "Certificate expires", f"{certificate.subject} ({certificate.environment.name})",
                "certificates.detail", {"certificate_id": certificate.id}))
    _readiness_entries(user, days, start, end, filters)
    return list(days.values()), until


def _onboarding_intervals(user, days, filters, first_day, last_day):
    """DIP onboarding intervals (EAP §10.1): the week commencing they begin and their last day. They concern every
    environment, so a calendar filtered to one environment, system or organisation leaves them out. A Release
    Manager's link opens the proving matrix, anyone else's the register of that interval."""
    if filters.environment_id or filters.system_id or filters.organisation_id:
        return
    for interval in intervals_between(first_day, last_day):
        link = ("proving.matrix", {}) if can_see_proving_matrix(user) else (
            "participants.register_page", {"interval": interval.id})
        for when, words in ((interval.first_day, "begins (week commencing)"), (interval.last_day, "ends")):
            if when in days:
                days[when].entries.append(Entry("interval", "Onboarding interval",
                                                f"DIP onboarding interval {interval.number} {words}", *link))


def _readiness_entries(user, days, start, end, filters):
    """GO / NO-GO decisions on the day they were taken, EWG meetings on their day, for who may read them."""
    if filters.system_id or filters.organisation_id or not can_read_reviews(user):
        return
    for decision in readiness_decisions.decisions_between(start, end):
        if not filters.environment_id or decision.environment_id == filters.environment_id:
            days[to_london(decision.decided_at).date()].entries.append(Entry(
                "decision", decision.outcome.label, f"{decision.stage_name} in {decision.environment.name}",
                "decisions.decision", {"decision_id": decision.id}))
    if not filters.environment_id:
        first, last = min(days), max(days)
        for meeting in ewg.meetings_between(first, last):
            days[meeting.held_on].entries.append(Entry("ewg", "EWG", "Environment Working Group monthly review",
                                                       "decisions.ewg_meeting", {"meeting_id": meeting.id}))


def _add_slots(days, user, filters, bounds, per_day):
    """The allocation's slots the user may see (a Test Participant its own), on the day each starts: each day's first
    few read through the index on start (the status tested row by row), then only those shown loaded."""
    if filters.system_id:
        return
    by_day = _by_day(("slots",), user, filters, bounds, per_day)
    shown_ids = {i for ids in by_day.values() for i in ids[:per_day]}
    if not shown_ids:
        return
    loaded = {slot.id: slot for slot in db.session.scalars(
        select(Slot).where(Slot.id.in_(shown_ids))
        .options(joinedload(Slot.environment), selectinload(Slot.participants).joinedload(Participant.organisation)))}
    shown = []
    for day, ids in sorted(by_day.items()):
        days[day].more = days[day].more or len(ids) > per_day
        shown += [(day, loaded[i]) for i in ids[:per_day]]
    # The allocation's one clash rule, for the slots shown (read once for all of them).
    found = slot_clashes([Want(slot.id, slot.environment, slot.start, slot.end, slot.phase_id,
                               tuple(p.id for p in slot.participants), slot.exclusive, slot.id)
                          for _, slot in shown])
    for day, slot in shown:
        who = ", ".join(p.organisation.name for p in slot.participants)
        days[day].entries.append(Entry(
            "allocation", f"Slot {slot.status.label.lower()}", f"{format_london(slot.start, '%H:%M')}–"
            f"{format_london(slot.end, '%H:%M')} {slot.environment.name}: {who}, {slot.purpose.label.lower()}",
            "allocation.slots", {}, found.get(slot.id, []), slot.start, slot.end))


def _environments(filters):
    query = select(Environment).order_by(Environment.position)
    if filters.environment_id:
        query = query.where(Environment.id == filters.environment_id)
    return db.session.scalars(query).all()


def _rfc_query(user, filters):
    # Each day's first few windows come from the index on window start (in start order, stopping at the day's
    # limit): the status is tested row by row (coalesce keeps the planner off the status index, which would read
    # and sort every window of the day).
    query = select(Rfc.id).where(visible_clause(user), func.coalesce(Rfc.status, Rfc.status).in_(SHOWN))
    if filters.environment_id:  # tested row by row (by primary key) on the few rows of each day's range
        query = query.where(exists().where(rfc_environments.c.rfc_id == Rfc.id,
                                           rfc_environments.c.environment_id == filters.environment_id))
    if filters.system_id:
        query = query.where(Rfc.system_id == filters.system_id)
    if filters.organisation_id:
        query = query.where(Rfc.organisation_id == filters.organisation_id)
    return query


def _outage_query(filters):
    query = select(Outage.id)
    if filters.environment_id:
        query = query.where(Outage.environment_id == filters.environment_id)
    if filters.system_id:
        query = query.where(exists().where(outage_systems.c.outage_id == Outage.id,
                                           outage_systems.c.system_id == filters.system_id))
    if filters.organisation_id:
        query = query.where(Outage.organisation_id == filters.organisation_id)
    return query


def _slot_query(user, filters):
    """The slots the user may see (the status tested row by row, as the windows' is)."""
    query = select(Slot.id).where(visible_slots_clause(user), func.coalesce(Slot.status, Slot.status).in_(STANDING))
    if filters.environment_id:
        query = query.where(Slot.environment_id == filters.environment_id)
    if filters.organisation_id:
        query = query.where(Slot.participants.any(Participant.organisation_id == filters.organisation_id))
    return query


# What a day shows, source by source: (the ids the user may see, given (reader, filters), the start column, the id).
DAY_SOURCES = {
    # An RFC sits on its planned window's day until outcomes are recorded, then on the day(s) its deployments
    # actually happened (issue 24: deployed on 6 Dec, planned for 11 Dec, shows on 6 Dec).
    "planned": (lambda user, filters: _rfc_query(user, filters).where(~exists().where(Deployment.rfc_id == Rfc.id)),
                Rfc.window_start, Rfc.id),
    "happened": (lambda user, filters: _rfc_query(user, filters).join(Deployment, Deployment.rfc_id == Rfc.id),
                 Deployment.actual_start, Rfc.id),
    "outages": (lambda user, filters: _outage_query(filters), Outage.start, Outage.id),
    "slots": (_slot_query, Slot.start, Slot.id),
}
@lru_cache(maxsize=64)
def _first_of_each_day(sources, count, per_day, viewer, filters):
    """The statement reading up to per_day + 1 rows (id, at) starting on each of `count` days (bound as from{n},
    to{n}) from each source, in short index ranges: built once per shape, reader and filters, then reused with each
    request's days, so that SQLAlchemy neither builds nor keys it again."""
    filters = Filters(*filters)
    parts = [query(viewer, filters).add_columns(start_column.label("at"))
             .where(start_column >= bindparam(f"from{n}"), start_column < bindparam(f"to{n}"))
             .order_by(start_column, id_column).limit(per_day + 1).subquery()
             for query, start_column, id_column in (DAY_SOURCES[source] for source in sources) for n in range(count)]
    return union_all(*(select(part.c.id, part.c.at) for part in parts))


def _by_day(sources, user, filters, bounds, per_day):
    """{day: [ids]}: up to per_day + 1 rows starting on each day (one more says there are more), in one statement;
    `sources` name DAY_SOURCES of one kind of row; an id found twice on a day counts once."""
    statement = _first_of_each_day(sources, len(bounds), per_day, viewer_of(user),
                                   (filters.environment_id, filters.system_id, filters.organisation_id))
    params = {name: value for n, (_, start, end) in enumerate(bounds)
              for name, value in ((f"from{n}", start), (f"to{n}", end))}
    found = {}
    for row_id, at in sorted(db.session.execute(statement, params).all(), key=lambda r: (r.at, r.id)):
        ids = found.setdefault(to_london(at).date(), [])
        if row_id not in ids:
            ids.append(row_id)
    return found


def deployment_times(rfc):
    """What happened, once outcomes are recorded: "deployed 06 Dec 10:00–11:30 in SIT-A; rolled back 06 Dec
    12:00–12:40 in UIT" (the calendar's and feeds' words instead of the planned window); "" before."""
    return "; ".join(f"{d.outcome.value} {format_london(d.actual_start, '%d %b %H:%M')}–"
                     f"{format_london(d.actual_end, '%H:%M')} in {d.environment.name}"
                     for d in sorted(rfc.deployments, key=lambda d: d.actual_start))


def _rfc_entry(rfc, found):
    happened = deployment_times(rfc)
    if happened:  # the actual times and outcome, not the planned window any more
        text = f"{rfc.number} {rfc.system.name if rfc.system else ''} {rfc.version}: {happened}"
        words = rfc.status_words  # "deployed · rolled back in UIT" when a target rolled back
        return Entry("window", words[:1].upper() + words[1:], text, "rfcs.detail", {"rfc_id": rfc.id}, found)
    if rfc.release_type == ReleaseType.EMERGENCY:
        kind, label = "emergency", "Emergency window"
    elif rfc.status in (RfcStatus.SUBMITTED, RfcStatus.CHANGES_REQUESTED):
        kind, label = "pending", f"Window {rfc.status.value}"
    else:
        kind, label = "window", f"Window {rfc.status.value}"
    environments = ", ".join(e.name for e in rfc.environments)
    text = (f"{format_london(rfc.window_start, '%H:%M')}–{format_london(rfc.window_end, '%H:%M')} {rfc.number} "
            f"{rfc.system.name if rfc.system else ''} {rfc.version} ({environments})")
    return Entry(kind, label, text, "rfcs.detail", {"rfc_id": rfc.id}, found, rfc.window_start, rfc.window_end)


def _outage_entry(outage):
    until = format_london(outage.end, "%H:%M") if outage.end else "ongoing"
    kind, label = ("planned", "Planned outage") if outage.planned else ("unplanned", "Unplanned outage")
    return Entry(kind, label, f"{format_london(outage.start, '%H:%M')}–{until} {outage.environment.name}: "
                 f"{outage.category.value}", "outages.detail", {"outage_id": outage.id}, start=outage.start,
                 end=outage.end)
