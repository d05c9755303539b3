"""Acknowledgements of release notes (RCM §12.11): who was sent a release communication, who has read the note as
it stands now, and reminders to those who have not. A note that changes after it was read asks to be read again."""
import hashlib
import json
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from ..audit.services import record
from ..core.time import utcnow
from ..directory.models import Organisation, OrgKind
from ..extensions import db
from ..mail.services import absolute_url, email_text, queue
from ..rfcs.permissions import is_reader_role
from .models import Acknowledgement, ReleaseAudience

# Who reads release notes: the Central Parties and Test Participants the communication went to.
READERS = (OrgKind.CENTRAL_PARTY, OrgKind.TEST_PARTICIPANT)


def note_hash(rfc):
    """A fingerprint of what the release note says: its revision and each environment's outcome."""
    content = [rfc.revision, sorted((d.environment_id, d.outcome.value, d.version) for d in rfc.deployments)]
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()


def add_audience(rfc, organisations, now=None):
    """Inside the communication's transaction: these organisations' users are asked to acknowledge."""
    present = set(db.session.scalars(select(ReleaseAudience.organisation_id)
                                     .where(ReleaseAudience.rfc_id == rfc.id)))
    for organisation in organisations:
        if organisation.kind in READERS and organisation.id not in present:
            db.session.add(ReleaseAudience(rfc_id=rfc.id, organisation_id=organisation.id,
                                           communicated_at=now or utcnow()))


def is_reader(user, rfc):
    """Whether this user was sent the release note (through their organisation), and so may acknowledge it."""
    return is_reader_role(user) and db.session.get(
        ReleaseAudience, (rfc.id, user.organisation_id)) is not None


def state(user, rfc):
    """'current', 'earlier' (read, but the note has changed since) or None (not read); and when."""
    found = db.session.get(Acknowledgement, (rfc.id, user.id))
    if found is None:
        return None, None
    return ("current" if found.note_hash == note_hash(rfc) else "earlier"), found.at


@cache  # built at first use (the mappers configured), not at import
def _reading_states():
    """What states() reads (the RFCs, the organisation and the user bound at execution): which of the RFCs were sent
    to the organisation, and the user's acknowledgements of them."""
    ids = bindparam("ids", expanding=True)
    return (select(ReleaseAudience.rfc_id).where(ReleaseAudience.organisation_id == bindparam("organisation_id"),
                                                 ReleaseAudience.rfc_id.in_(ids)),
            select(Acknowledgement.rfc_id, Acknowledgement.note_hash).where(
                Acknowledgement.user_id == bindparam("user_id"), Acknowledgement.rfc_id.in_(ids)))


def states(user, rfcs):
    """{rfc id: 'current', 'earlier', None (not read) or 'not sent'} for many RFCs (their deployments loaded), in two
    queries."""
    sent_statement, read_statement = _reading_states()
    ids = [rfc.id for rfc in rfcs]
    sent = set(db.session.scalars(sent_statement, {"organisation_id": user.organisation_id, "ids": ids}))
    read = dict(db.session.execute(read_statement, {"user_id": user.id, "ids": ids}).all())
    return {rfc.id: "not sent" if rfc.id not in sent else
            None if rfc.id not in read else "current" if read[rfc.id] == note_hash(rfc) else "earlier"
            for rfc in rfcs}


def acknowledge(user, rfc):
    """The user has read the note as it stands now (again, if it changed)."""
    current = note_hash(rfc)
    found = db.session.get(Acknowledgement, (rfc.id, user.id))
    if found is None:
        db.session.add(Acknowledgement(rfc_id=rfc.id, user_id=user.id, note_hash=current, at=utcnow()))
    else:
        found.note_hash, found.at = current, utcnow()
    record("rfc.acknowledged", actor=user, obj=rfc, summary=f"revision {rfc.revision}")
    db.session.commit()


@dataclass
class OrganisationReaders:
    organisation: object
    communicated_at: object
    read: list = field(default_factory=list)  # (user, when)
    earlier: list = field(default_factory=list)  # (user, when): read before the note changed
    unread: list = field(default_factory=list)  # users


@cache  # built at first use (the mappers configured), not at import
def _audiences():
    """What readers_of() reads of the RFCs (bound at execution): their audiences with their users."""
    return (select(ReleaseAudience).where(ReleaseAudience.rfc_id.in_(bindparam("rfc_ids", expanding=True)))
            .join(Organisation).options(selectinload(ReleaseAudience.organisation).selectinload(Organisation.users))
            .order_by(Organisation.name))


_ACKNOWLEDGED = select(Acknowledgement).where(Acknowledgement.rfc_id.in_(bindparam("rfc_ids", expanding=True)))


def readers(rfc):
    """[OrganisationReaders] of the organisations the release note went to, by name, with their active users."""
    return readers_of([rfc])[rfc.id]


def readers_of(rfcs):
    """{rfc id: readers(rfc)} of many RFCs, in four queries whatever their number (the audiences, their organisations
    and users, the acknowledgements)."""
    ids = [rfc.id for rfc in rfcs]
    audiences = db.session.scalars(_audiences(), {"rfc_ids": ids}).all()
    acknowledged = {(a.rfc_id, a.user_id): a for a in db.session.scalars(_ACKNOWLEDGED, {"rfc_ids": ids})}
    current, found = {rfc.id: note_hash(rfc) for rfc in rfcs}, {rfc.id: [] for rfc in rfcs}
    for audience in audiences:
        row = OrganisationReaders(audience.organisation, audience.communicated_at)
        for user in sorted((u for u in audience.organisation.users if u.active), key=lambda u: u.name):
            ack = acknowledged.get((audience.rfc_id, user.id))
            if ack is None:
                row.unread.append(user)
            else:
                (row.read if ack.note_hash == current[audience.rfc_id] else row.earlier).append((user, ack.at))
        found[audience.rfc_id].append(row)
    return found


def remind(by, rfc):
    """One e-mail per organisation to its users who have not read the note as it stands; returns the messages."""
    messages = []
    for row in readers(rfc):
        waiting = row.unread + [user for user, _ in row.earlier]
        if waiting:
            subject, body = email_text("email/acknowledgement_reminder.txt", rfc=rfc,
                                       link=absolute_url("rfcs.detail", rfc_id=rfc.id))
            messages.append(queue([u.email for u in waiting], subject, body, kind="acknowledgement_reminder",
                                  about=rfc, created_by=by))
    if messages:
        people = sum(m.recipient_count for m in messages)
        record("rfc.acknowledgement_reminder", actor=by, obj=rfc,
               summary=f"{people} {'person' if people == 1 else 'people'}")
        db.session.commit()
    return messages
