"""The Environment Working Group's monthly review (EAP §4.3, §6.1, §12.1.1: "a regular meeting scheduled on the
first Tuesday of every month, chaired by the MHHS Environment Manager"): meetings generated on the first Tuesday
(the next business day when that Tuesday is a bank holiday — New Year's Day can be), moved by hand when needed; an
agenda built from the open items (AGENDA_SOURCES: each f(meeting, since, until) -> {"title", "items": [{"key",
"text"}]}: what happened from the previous meeting's day until the agenda is sent or the meeting begins, whichever
is first — never what came after the meeting) that the chair edits until it is sent, then frozen; actions with
owner and due day; minutes; agenda and minutes sent to the EWG list's Release Managers and Central Parties with a
PDF."""
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..audit.services import record
from ..baseline.services import PAIRED, drifting
from ..certificates.services import coverage_gaps
from ..core.permissions import Role, require
from ..core.services import Invalid, Refused, unit_of_work
from ..core.time import format_london, is_business_day, utcnow
from ..directory.models import User, london_day_start
from ..extensions import db
from ..mail.services import email_text, queue
from ..notifications import mail_groups
from ..notifications.models import MailGroup
from ..outages.models import Outage
from . import criteria, health
from .decisions import _Programme, open_conditions, sent_words
from .models import EwgAction, EwgMeeting
from .owned import fill, item_problems, overdue_actions, today
from .permissions import can_keep_ewg, review_readers

TUESDAY = 1
MEETING_FIELDS = ["held_on", "moved_reason", "chair_id", "extra_items"]
ACTION_FIELDS = ["text", "owner", "due_on"]
TEXT_LIMIT = 20_000
AGENDA_KIND, MINUTES_KIND = "ewg_agenda", "ewg_minutes"


def first_tuesday(year, month):
    first = date(year, month, 1)
    return first + timedelta(days=(TUESDAY - first.weekday()) % 7)


def meeting_day(year, month):
    """The first Tuesday of the month, or the next business day when it is a bank holiday."""
    day = first_tuesday(year, month)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def _next_month(month):
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


@unit_of_work()
def generate(on_day=None):
    """Makes the meetings of this month and the next that do not exist yet (the chair carried over from the last
    meeting); returns those made. Running it again makes none."""
    this_month = (on_day or today()).replace(day=1)
    made = []
    for month in (this_month, _next_month(this_month)):
        if db.session.scalar(select(EwgMeeting.id).where(EwgMeeting.month == month)):
            continue
        last = db.session.scalar(select(EwgMeeting).where(EwgMeeting.month < month)
                                 .order_by(EwgMeeting.month.desc()).limit(1))
        meeting = EwgMeeting(month=month, held_on=meeting_day(month.year, month.month),
                             chair_id=last.chair_id if last else None, dropped_items=[], extra_items="")
        db.session.add(meeting)
        db.session.flush()
        record("ewg.generated", obj=meeting, summary=f"{meeting.title}")
        made.append(meeting)
    db.session.commit()
    return made


def previous_meeting(meeting):
    return db.session.scalar(select(EwgMeeting).where(EwgMeeting.held_on < meeting.held_on)
                             .order_by(EwgMeeting.held_on.desc()).limit(1))


# The agenda's sources ------------------------------------------------------------------------------------------

def conditions_open(meeting, since, until):
    items = [{"key": f"condition:{c.id}",
              "text": f"{c.decision.outcome.label} for {c.decision.stage_name} in {c.decision.environment.name}: "
                      f"{c.text} — {c.owner_name}, due {c.due_on:%d %b %Y}"}
             for c in open_conditions() if c.decision.decided_at < until]
    return {"title": "Conditions of GO / NO-GO decisions still open", "items": items}


def outages_since(meeting, since, until):
    outages = db.session.scalars(select(Outage).where(Outage.start >= london_day_start(since), Outage.start < until)
                                 .options(selectinload(Outage.systems), joinedload(Outage.environment))
                                 .order_by(Outage.start, Outage.id)).all()
    items = [{"key": f"outage:{o.id}",
              "text": f"{'Planned' if o.planned else 'Unplanned'} outage of {o.environment.name} "
                      f"({', '.join(s.name for s in o.systems) or 'the environment'}), "
                      f"{format_london(o.start)}: {o.description}"} for o in outages]
    return {"title": f"Outages since {since:%d %b %Y}", "items": items}


def drift(meeting, since, until):
    return {"title": f"{' / '.join(PAIRED)} drift",
            "items": [{"key": f"drift:{d.system.id}",
                       "text": f"{d.system.name}: " + ", ".join(f"{n} {v}" for n, v in sorted(d.versions.items()))}
                      for d in drifting()]}


def certificate_gaps(meeting, since, until):
    return {"title": "Certificate gaps",
            "items": [{"key": f"certificates:{environment.id}:{organisation.id}",
                       "text": f"{organisation.name} in {environment.name}: no valid "
                               f"{', '.join(k.value for k in missing)}"}
                      for environment, organisation, missing in coverage_gaps(_Programme(), utcnow())]}


def actions_overdue(meeting, since, until):
    return {"title": "Actions overdue by the meeting",
            "items": [{"key": f"action:{a.id}",
                       "text": f"{a.text} — {a.owner_name}, due {a.due_on:%d %b %Y} (from the {a.meeting.title})"}
                      for a in overdue_actions(meeting.held_on)]}


def readiness_gaps(meeting, since, until):
    return {"title": "Participants not ready for their phase",
            "items": [{"key": f"readiness:{participant.id}:{phase.value}",
                       "text": f"{participant.organisation.name}: {readiness.label.lower()} for {phase.label}"}
                      for participant, phase, readiness in criteria.not_ready()]}


def health_since(meeting, since, until):
    return {"title": "Morning health checks amber or red since the last meeting",
            "items": [{"key": f"health:{check.id}",
                       "text": f"{check.system.name} in {check.environment.name}, {check.day:%d %b %Y}: "
                               f"{check.health.label} — {check.note}"}
                      for check in health.not_green_since(since, meeting.held_on, until)]}


AGENDA_SOURCES = [conditions_open, readiness_gaps, health_since, outages_since, drift, certificate_gaps,
                  actions_overdue]


def since_of(meeting):
    previous = previous_meeting(meeting)
    return previous.held_on if previous else meeting.held_on - timedelta(days=31)


def until_of(meeting, now=None):
    """The moment the agenda's items stop (naive UTC): now, or the meeting day's start once it has come."""
    return min(now or utcnow(), london_day_start(meeting.held_on))


def generated_agenda(meeting, now=None):
    """The agenda built from the open items as they stand at `now` (or at the meeting's start, when it has passed),
    every item (the dropped ones too)."""
    since, until = since_of(meeting), until_of(meeting, now)
    return [source(meeting, since, until) for source in AGENDA_SOURCES]


def agenda(meeting, now=None):
    """The agenda as it stands: as sent, or the open items the chair has not dropped and the chair's own."""
    if meeting.agenda_sent is not None:
        return meeting.agenda_sent
    dropped = set(meeting.dropped_items or [])
    sections = [dict(s, items=[i for i in s["items"] if i["key"] not in dropped])
                for s in generated_agenda(meeting, now)]
    extra = [line.strip() for line in (meeting.extra_items or "").splitlines() if line.strip()]
    if extra:
        sections.append({"title": "Other business", "items": [{"key": f"extra:{n}", "text": text}
                                                              for n, text in enumerate(extra, 1)]})
    return sections


def item_count(sections):
    return sum(len(s["items"]) for s in sections)


# Writing ------------------------------------------------------------------------------------------------------

def meeting_problems(meeting, values):
    problems = {}
    held_on = values.get("held_on")
    if not isinstance(held_on, date):
        problems["held_on"] = "Enter the day of the meeting."
    elif held_on != meeting.held_on and held_on < today():
        problems["held_on"] = "A meeting is moved to today or a later day."
    elif held_on != meeting_day(meeting.month.year, meeting.month.month) \
            and not (values.get("moved_reason") or "").strip():
        problems["moved_reason"] = "Say why the meeting is not on the month's first Tuesday."
    chair = db.session.get(User, values.get("chair_id") or 0)
    if values.get("chair_id") and (chair is None or chair.role != Role.RELEASE_MANAGER or not chair.active):
        problems["chair_id"] = "The chair is a Release Manager (the MHHS Environment Manager)."
    if len(values.get("extra_items") or "") > TEXT_LIMIT:
        problems["extra_items"] = f"Keep it under {TEXT_LIMIT:,} characters."
    return problems


@unit_of_work()
def save_meeting(user, meeting, values, dropped):
    """The chair's changes: the day (moved, with a reason), the chair, the generated items dropped and the chair's
    own items. The agenda's items are frozen once it is sent."""
    require(can_keep_ewg(user), "Only a Release Manager keeps the EWG's meetings.")
    problems = meeting_problems(meeting, values)
    if problems:
        raise Invalid(problems)
    extra = "\n".join(line.strip() for line in (values["extra_items"] or "").splitlines() if line.strip())
    if meeting.agenda_sent is not None and (set(dropped) != set(meeting.dropped_items or [])
                                            or extra != meeting.extra_items):
        raise Refused(f"The agenda was sent on {format_london(meeting.agenda_sent_at)}: its items stay as sent.",
                      "extra_items")
    moved = values["held_on"] != meeting.held_on
    meeting.held_on, meeting.moved_reason = values["held_on"], values["moved_reason"].strip()
    meeting.chair_id = values.get("chair_id") or None
    meeting.dropped_items, meeting.extra_items = sorted(set(dropped)), extra
    record("ewg.changed", actor=user, obj=meeting,
           summary=(f"moved to {meeting.held_on:%d %b %Y}: {meeting.moved_reason}" if moved
                    else f"agenda of the {meeting.title}"))
    db.session.commit()
    return meeting


def _ewg_members():
    group = db.session.scalar(select(MailGroup).where(MailGroup.key == MailGroup.EWG))
    members = mail_groups.members_of([group]) if group else []
    if not review_readers(members):
        raise Refused("The EWG distribution list has no active Release Manager or Central Party to write to (the "
                      "agenda and minutes are not sent to Test Participants): add its members first.")
    return group, members


def _send(user, meeting, kind, filename):
    """Queues the agenda or minutes to the EWG list's members who may read them; returns the words saying who."""
    group, members = _ewg_members()
    subject, body = email_text(f"email/{kind}.txt", meeting=meeting)
    for member in review_readers(members):
        queue([member.email], subject, body, kind=kind, about=meeting, created_by=user,
              attachment=(filename, None))
    return sent_words(group, members)


@unit_of_work()
def send_agenda(user, meeting, now=None):
    """Freezes the agenda as it stands (at `now`, the demo's past meeting's sending) and sends it to the EWG list with
    its PDF."""
    require(can_keep_ewg(user), "Only a Release Manager sends the EWG's agenda.")
    if meeting.agenda_sent is not None:
        raise Refused(f"The agenda was sent on {format_london(meeting.agenda_sent_at)}.")
    now = now or utcnow()
    meeting.agenda_sent, meeting.agenda_sent_at = agenda(meeting, now), now
    sent_to = _send(user, meeting, AGENDA_KIND, f"ewg-agenda-{meeting.held_on}.pdf")
    record("ewg.agenda_sent", actor=user, obj=meeting,
           summary=f"{item_count(meeting.agenda_sent)} items to {sent_to}", at=now)
    db.session.commit()
    return meeting


@unit_of_work()
def save_minutes(user, meeting, minutes):
    require(can_keep_ewg(user), "Only a Release Manager writes the EWG's minutes.")
    if meeting.minutes_sent_at:
        raise Refused(f"The minutes were sent on {format_london(meeting.minutes_sent_at)}: they stay as sent.",
                      "minutes")
    if meeting.held_on > today():
        raise Refused(f"The minutes follow the meeting, on {meeting.held_on:%d %b %Y}.", "minutes")
    if not (minutes or "").strip():
        raise Invalid({"minutes": "Write the minutes: who attended, what was reviewed and decided."})
    if len(minutes) > TEXT_LIMIT:
        raise Invalid({"minutes": f"Keep the minutes under {TEXT_LIMIT:,} characters."})
    meeting.minutes = (minutes or "").strip()
    record("ewg.minutes", actor=user, obj=meeting, summary=meeting.title)
    db.session.commit()
    return meeting


@unit_of_work()
def send_minutes(user, meeting):
    """Sends the minutes and actions to the EWG list with their PDF; they are kept as sent."""
    require(can_keep_ewg(user), "Only a Release Manager sends the EWG's minutes.")
    if meeting.minutes_sent_at:
        raise Refused(f"The minutes were sent on {format_london(meeting.minutes_sent_at)}.")
    if not meeting.minutes:
        raise Refused("Write the minutes first.", "minutes")
    meeting.minutes_sent_at = utcnow()
    sent_to = _send(user, meeting, MINUTES_KIND, f"ewg-minutes-{meeting.held_on}.pdf")
    record("ewg.minutes_sent", actor=user, obj=meeting, summary=f"to {sent_to}")
    db.session.commit()
    return meeting


@unit_of_work()
def add_action(user, meeting, values):
    """An action of the meeting: refused without text, owner or due day, or with a due day passed."""
    require(can_keep_ewg(user), "Only a Release Manager records the EWG's actions.")
    problems = item_problems(values)
    if problems:
        raise Invalid(problems)
    action = fill(EwgAction(meeting_id=meeting.id, created_by_id=user.id), values)
    db.session.add(action)
    db.session.flush()
    record("ewg.action", actor=user, obj=meeting, summary=f"{action.text[:200]} — {action.owner_name}, due "
                                                          f"{action.due_on:%d %b %Y}")
    db.session.commit()
    return action


# Reading ------------------------------------------------------------------------------------------------------

def meetings():
    """Every meeting, the latest first, with its actions."""
    return db.session.scalars(select(EwgMeeting).options(selectinload(EwgMeeting.actions))
                              .order_by(EwgMeeting.held_on.desc())).all()


def meetings_between(first_day, last_day):
    return db.session.scalars(select(EwgMeeting).where(EwgMeeting.held_on >= first_day,
                                                       EwgMeeting.held_on <= last_day)
                              .order_by(EwgMeeting.held_on)).all()


def open_actions_count(on_day):
    """(open, overdue) EWG actions."""
    open_count = db.session.scalar(select(func.count()).select_from(EwgAction).where(EwgAction.done_at.is_(None)))
    overdue = db.session.scalar(select(func.count()).select_from(EwgAction).where(
        EwgAction.done_at.is_(None), EwgAction.due_on < on_day))
    return open_count, overdue
