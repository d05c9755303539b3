"""How many participants are ready per phase (the Release Manager's home card), read once per process and again only
when what readiness reads has changed (the READINESS counter, bumped by writes to the models in WATCHED) or when time
alone could change it: at London midnight (waivers end, standing data counts from a day) and when a current
certificate expires."""
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from ..certificates.models import Certificate, PkiOfficer
from ..core.changes import REFERENCE, cached, drop
from ..core.time import london_to_utc, to_london, utcnow
from ..extensions import db
from ..participants.models import ConnectivitySignOff, Participant, ParticipantEnvironment
from .criteria import ready_counts as count_ready
from .models import CriterionMark, EntryCriterion

READINESS = "readiness"  # what a participant's readiness reads (core/changes.py)
WATCHED = (Participant, ParticipantEnvironment, ConnectivitySignOff, Certificate, PkiOfficer, CriterionMark,
           EntryCriterion)


def _load():
    """((phase, ready, participants) per phase, the moment they were read at, the moment they may change with time
    alone)."""
    now = utcnow()
    tomorrow = london_to_utc(datetime.combine(to_london(now).date() + timedelta(days=1), time()))
    expiry = db.session.scalar(select(func.min(Certificate.valid_to)).where(~Certificate.replaced,
                                                                            Certificate.valid_to >= now))
    return tuple(count_ready(now)), now, min(tomorrow, expiry) if expiry else tomorrow


def ready_counts(now=None):
    """[(phase, participants ready, participants)] for every phase, as readiness.criteria.ready_counts, cached."""
    now = now or utcnow()
    counts, since, until = cached(_load, READINESS, REFERENCE)
    if now > until:  # time has changed them: the copy is out of date for every later request too
        drop(_load)
    if not since <= now <= until:  # read as they stand at that moment
        return count_ready(now)
    return list(counts)
