"""Calendar feeds (RFC 5545) for one user: deployment windows, planned outages, freezes and certificate expiries
they may see, in UTC, with stable UIDs and a SEQUENCE that grows when an event changes."""
from datetime import datetime, timedelta, timezone

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..certificates.models import Certificate
from ..certificates.permissions import visible_certificates
from ..core.time import to_london, utcnow
from ..directory.models import Environment
from ..directory.support import freezes_between
from ..extensions import db
from ..outages.downtime import overlapping
from ..outages.models import Outage
from ..releases.models import Rfc, RfcStatus, rfc_environments
from ..releases.schedule import SCHEDULED
from ..releases.services import visible_clause
from .calendar import SHOWN

# A feed covers what is recent and everything ahead: calendar apps keep what they fetched before.
PAST = timedelta(days=31)
AHEAD = timedelta(days=366)
UID_DOMAIN = "release-desk.mhhs"
STATUS = {RfcStatus.WITHDRAWN: "CANCELLED", RfcStatus.REJECTED: "CANCELLED",
          **{s: "TENTATIVE" for s in SCHEDULED if s != RfcStatus.APPROVED}}


def _utc(moment):
    return moment.replace(tzinfo=timezone.utc)


def feed(user, link, environment=None, now=None):
    """The iCalendar text. link(endpoint, **args) makes an absolute URL back to an object."""
    now = now or utcnow()
    since, until = now - PAST, now + AHEAD
    calendar = Calendar()
    calendar.add("prodid", "-//MHHS Release Desk//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Release Desk — {environment.name if environment else 'all I may see'}")
    environment_ids = [environment.id] if environment else list(db.session.scalars(select(Environment.id)))

    rfcs = (select(Rfc).where(visible_clause(user), Rfc.status.in_(SHOWN + tuple(STATUS)), Rfc.window_start >= since,
                              Rfc.window_start < until, Rfc.submitted_at.is_not(None))
            .options(joinedload(Rfc.system), selectinload(Rfc.environments)).order_by(Rfc.window_start))
    if environment:
        rfcs = rfcs.where(Rfc.id.in_(select(rfc_environments.c.rfc_id)
                                     .where(rfc_environments.c.environment_id == environment.id)))
    for rfc in db.session.scalars(rfcs):
        status = STATUS.get(rfc.status, "CONFIRMED")
        calendar.add_component(_event(
            f"rfc-{rfc.id}", rfc.row_version, rfc.window_start, rfc.window_end, rfc.updated_at,
            f"{'Cancelled: ' if status == 'CANCELLED' else ''}{rfc.system.name} {rfc.version} deployment "
            f"({rfc.number}, {rfc.status.value})", f"{rfc.title}\nEnvironments: "
            f"{', '.join(e.name for e in rfc.environments)}", link("releases.detail", rfc_id=rfc.id), status))

    outages = (select(Outage).where(overlapping(since, until), Outage.planned.is_(True),
                                    Outage.environment_id.in_(environment_ids))
               .options(joinedload(Outage.environment)).order_by(Outage.start))
    for outage in db.session.scalars(outages):
        calendar.add_component(_event(
            f"outage-{outage.id}", outage.row_version, outage.start, outage.end or outage.start + timedelta(hours=1),
            outage.created_at, f"Planned outage: {outage.environment.name} ({outage.category.value})",
            outage.description, link("outages.detail", outage_id=outage.id), "CONFIRMED"))

    for freeze in freezes_between(environment_ids, since, until):
        event = _event(f"freeze-{freeze.id}", 0, None, None, freeze.created_at, f"Freeze: {freeze.scope}",
                       freeze.reason, link("schedule.freezes"), "CONFIRMED")
        event.add("dtstart", freeze.first_day)
        event.add("dtend", freeze.last_day + timedelta(days=1))
        calendar.add_component(event)

    certificates = visible_certificates(select(Certificate), user).where(
        Certificate.valid_to >= since, Certificate.valid_to < until, Certificate.environment_id.in_(environment_ids),
        ~Certificate.replaced_by.has()).options(joinedload(Certificate.environment))
    for certificate in db.session.scalars(certificates):
        day = to_london(certificate.valid_to).date()
        event = _event(f"certificate-{certificate.id}", 0, None, None, certificate.uploaded_at,
                       f"Certificate expires: {certificate.subject} ({certificate.environment.name})",
                       f"Serial {certificate.serial}", link("certificates.detail", certificate_id=certificate.id),
                       "CONFIRMED")
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        calendar.add_component(event)
    return calendar.to_ical()


def _event(uid, sequence, start, end, stamp, summary, description, url, status):
    event = Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("sequence", sequence)
    event.add("dtstamp", _utc(stamp or datetime(2000, 1, 1)))
    if start:
        event.add("dtstart", _utc(start))
        event.add("dtend", _utc(end))
    event.add("summary", summary)
    event.add("description", f"{description}\n{url}")
    event.add("url", url)
    event.add("status", status)
    return event
