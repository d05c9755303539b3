"""Calendar feeds (RFC 5545) for one user: deployment windows, planned outages, freezes and certificate expiries
they may see, in UTC, with stable UIDs and a SEQUENCE that grows when an event changes. A feed answers a poll
with 304 while nothing in it has changed (its fingerprint is read without building it)."""
import hashlib
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..allocation.models import STANDING, Slot, SlotStatus
from ..allocation.services import visible_slots
from ..certificates.models import Certificate
from ..certificates.permissions import visible_certificates
from ..core.time import to_london, utcnow
from ..directory.models import Environment, london_day_start
from ..extensions import db
from ..outages.downtime import overlapping
from ..outages.models import Outage
from ..participants.models import OnboardingInterval
from ..participants.register import intervals_between
from ..rfcs.models import Deployment, Rfc, rfc_environments
from ..rfcs.permissions import visible_clause
from ..rfcs.states import SCHEDULED, RfcStatus
from ..windows.models import Freeze
from ..windows.support import freezes_between
from .calendar import SHOWN, deployment_times

# What a feed covers, counted from the start of today (Europe/London), so it stays the same all day.
PAST = timedelta(days=14)
AHEAD = timedelta(days=183)
CERTIFICATES_AHEAD = timedelta(days=366)
HORIZON_WORDS = "the last 14 days and the next 6 months (certificate expiries: the next year)"
UID_DOMAIN = "release-desk.mhhs"
STATUS = {RfcStatus.WITHDRAWN: "CANCELLED", RfcStatus.REJECTED: "CANCELLED",
          **{s: "TENTATIVE" for s in SCHEDULED if s != RfcStatus.APPROVED}}


class Feed:
    """The queries behind one user's feed (all they may see, or one environment's) on one day."""

    def __init__(self, user, environment=None, now=None):
        today = london_day_start(to_london(now or utcnow()).date())
        self.user, self.environment, self.since, self.until = user, environment, today - PAST, today + AHEAD
        self.environment_ids = [environment.id] if environment else list(db.session.scalars(select(Environment.id)))

    def rfcs(self):
        query = select(Rfc).where(visible_clause(self.user), Rfc.status.in_(SHOWN + tuple(STATUS)),
                                  Rfc.window_start >= self.since, Rfc.window_start < self.until,
                                  Rfc.submitted_at.is_not(None))
        if self.environment:
            query = query.where(Rfc.id.in_(select(rfc_environments.c.rfc_id)
                                           .where(rfc_environments.c.environment_id == self.environment.id)))
        return query

    def outages(self):
        return select(Outage).where(overlapping(self.since, self.until), Outage.planned.is_(True),
                                    Outage.environment_id.in_(self.environment_ids))

    def certificates(self):
        return visible_certificates(select(Certificate), self.user).where(
            Certificate.valid_to >= self.since, Certificate.valid_to < self.since + CERTIFICATES_AHEAD,
            Certificate.environment_id.in_(self.environment_ids), ~Certificate.replaced)

    def slots(self):
        """The allocation's slots the user may see: a Test Participant its own only (cancelled ones say so)."""
        return visible_slots(self.user, STANDING + (SlotStatus.CANCELLED,)).where(
            Slot.start >= self.since, Slot.start < self.until, Slot.environment_id.in_(self.environment_ids))

    def fingerprint(self):
        """Changes whenever an event of the feed does (or the day does): counts and last changes, no events."""
        parts = [self.since, self.user.role, self.user.organisation_id, self.environment_ids]
        for query, columns in ((self.rfcs(), (func.count(), func.max(Rfc.updated_at), func.sum(Rfc.row_version))),
                               (self.outages(), (func.count(), func.sum(Outage.row_version))),
                               (self.certificates(), (func.count(), func.max(Certificate.id))),
                               (select(Freeze), (func.count(), func.max(Freeze.id))),
                               (self.slots(), (func.count(), func.max(Slot.changed_at)))):
            parts.append(tuple(db.session.execute(query.with_only_columns(*columns).order_by(None)).one()))
        parts.append(db.session.execute(select(OnboardingInterval.number, OnboardingInterval.first_day,
                                               OnboardingInterval.last_day)).all())
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]

    def to_ical(self, link):
        """The iCalendar text. link(endpoint, **args) makes an absolute URL back to an object."""
        calendar = Calendar()
        calendar.add("prodid", "-//MHHS Release Desk//Calendar feed//EN")
        calendar.add("version", "2.0")
        calendar.add("method", "PUBLISH")  # a published calendar to subscribe to (what Outlook expects)
        calendar.add("x-wr-calname",
                     f"Release Desk — {self.environment.name if self.environment else 'all I may see'}")
        for rfc in db.session.scalars(self.rfcs().options(
                joinedload(Rfc.system), selectinload(Rfc.environments),
                selectinload(Rfc.deployments).joinedload(Deployment.environment)).order_by(Rfc.window_start)):
            status = STATUS.get(rfc.status, "CONFIRMED")
            happened = deployment_times(rfc)  # once recorded, the event is what happened, not the plan
            calendar.add_component(_event(
                f"rfc-{rfc.id}", rfc.row_version, rfc.updated_at,
                f"{'Cancelled: ' if status == 'CANCELLED' else ''}{rfc.system.name} {rfc.version} deployment "
                f"({rfc.number}, {rfc.status.value})", f"{rfc.title}\n"
                + (f"{happened[0].upper()}{happened[1:]}" if happened else
                   f"Environments: {', '.join(e.name for e in rfc.environments)}"),
                link("rfcs.detail", rfc_id=rfc.id), status,
                _utc(min(d.actual_start for d in rfc.deployments) if happened else rfc.window_start),
                _utc(max(d.actual_end for d in rfc.deployments) if happened else rfc.window_end)))
        for outage in db.session.scalars(self.outages().options(joinedload(Outage.environment))
                                         .order_by(Outage.start)):
            calendar.add_component(_event(
                f"outage-{outage.id}", outage.row_version, outage.created_at,
                f"Planned outage: {outage.environment.name} ({outage.category.value})", outage.description,
                link("outages.detail", outage_id=outage.id), "CONFIRMED", _utc(outage.start),
                _utc(outage.end or outage.start + timedelta(hours=1))))
        for freeze in freezes_between(self.environment_ids, self.since, self.until):  # whole days
            calendar.add_component(_event(
                f"freeze-{freeze.id}", 0, freeze.created_at, f"Freeze: {freeze.scope}", freeze.reason,
                link("schedule.freezes"), "CONFIRMED", freeze.first_day, freeze.last_day + timedelta(days=1)))
        for interval in intervals_between(self.since.date(), self.until.date()):  # whole weeks, for everyone
            calendar.add_component(_event(
                f"onboarding-interval-{interval.number}", 0, None, f"DIP onboarding interval {interval.number}",
                "DIP onboarding and connectivity proving (EAP §10.1, §11.3)", link("home.index"), "CONFIRMED",
                interval.first_day, interval.last_day + timedelta(days=1)))
        for slot in db.session.scalars(self.slots().order_by(Slot.start)):
            who = ", ".join(p.organisation.name for p in slot.participants)
            calendar.add_component(_event(
                f"slot-{slot.id}", int((slot.changed_at - slot.requested_at).total_seconds() // 60), slot.changed_at,
                f"{'Cancelled: ' if slot.status == SlotStatus.CANCELLED else ''}Slot on {slot.environment.name}: "
                f"{who} ({slot.purpose.label.lower()}, {slot.status.label.lower()})", slot.note,
                link("allocation.slots"), "CANCELLED" if slot.status == SlotStatus.CANCELLED else
                "CONFIRMED" if slot.holds else "TENTATIVE", _utc(slot.start), _utc(slot.end)))
        for certificate in db.session.scalars(self.certificates().options(joinedload(Certificate.environment))):
            day = to_london(certificate.valid_to).date()
            calendar.add_component(_event(
                f"certificate-{certificate.id}", 0, certificate.uploaded_at,
                f"Certificate expires: {certificate.subject} ({certificate.environment.name})",
                f"Serial {certificate.serial}", link("certificates.detail", certificate_id=certificate.id),
                "CONFIRMED", day, day + timedelta(days=1)))
        return calendar.to_ical()


def _utc(moment):
    return moment.replace(tzinfo=UTC)


def _event(uid, sequence, stamp, summary, description, url, status, start, end):
    """start and end: UTC datetimes, or dates for a whole-day event."""
    event = Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("sequence", sequence)
    event.add("dtstamp", _utc(stamp or datetime(2000, 1, 1)))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("status", status)
    return event
