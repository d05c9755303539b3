"""Every participant's readiness per phase (the matrix, the Release Manager's home card, the weekly report), worked
out once per process and again only when what readiness reads has changed (the READINESS counter, bumped by writes to
the models in WATCHED) or when time alone could change it: at London midnight (waivers end, standing data counts from
a day) and when a current certificate expires."""
from datetime import datetime, time, timedelta
from typing import NamedTuple

from flask import get_template_attribute
from sqlalchemy import func, select

from ..certificates.models import Certificate, PkiOfficer
from ..core.changes import REFERENCE, cached
from ..core.time import london_to_utc, to_london, utcnow
from ..extensions import db
from ..participants.models import ConnectivitySignOff, Participant, ParticipantEnvironment, Route
from .criteria import PhaseReadiness, PhaseSummary
from .models import CriterionMark, EntryCriterion

READINESS = "readiness"  # what a participant's readiness reads (core/changes.py)
WATCHED = (Participant, ParticipantEnvironment, ConnectivitySignOff, Certificate, PkiOfficer, CriterionMark,
           EntryCriterion)


class _Copy(NamedTuple):
    summary: PhaseSummary
    since: datetime  # the moment it was read at
    until: datetime  # the moment it may change with time alone
    cells: dict  # participant id: its matrix cells rendered (HTML), filled as pages show them


def _load(phase):
    now = utcnow()
    tomorrow = london_to_utc(datetime.combine(to_london(now).date() + timedelta(days=1), time()))
    expiry = db.session.scalar(select(func.min(Certificate.valid_to)).where(~Certificate.replaced,
                                                                            Certificate.valid_to >= now))
    return _Copy(PhaseReadiness(phase, now).summary(), now, min(tomorrow, expiry) if expiry else tomorrow, {})


def _copy(phase, now):
    """The phase's kept copy when it holds for `now`, else one read as it stands then (not kept)."""
    copy = cached(_load, READINESS, REFERENCE, key=(phase,), fresh=lambda c: utcnow() <= c.until)
    if now is not None and not copy.since <= now <= copy.until:  # asked for another moment: read as it stood then
        return _Copy(PhaseReadiness(phase, now).summary(), now, now, {})
    return copy


def phase_summary(phase, now=None):
    """The phase's readiness (criteria.PhaseSummary) as it stands at `now` (default: this moment), cached."""
    return _copy(phase, now).summary


def matrix_rows(phase, participants):
    """[(ParticipantLine, its cells rendered)] of these participants of the phase's kept readiness: each rendered
    once (readiness/_matrix_cells.html) while the copy holds, when a page first shows it."""
    rendered = _copy(phase, None).cells
    render = get_template_attribute("readiness/_matrix_cells.html", "cells")
    return [(line, rendered.get(line.id) or rendered.setdefault(line.id, render(line))) for line in participants]


REGION_COPIES = 32  # regions kept per process (kept_region): the phases, filters and pages people ask for most


def kept_region(phase, render, *key):
    """What render(phase, *key) returns (HTML of the phase's readiness that is the same for every viewer alike),
    kept once per process per key while the phase's kept readiness holds: rendered again when it is read again."""
    copy = _copy(phase, None)
    return cached(_region, READINESS, REFERENCE, key=(render, phase, *key), using=(copy,), keep=REGION_COPIES,
                  fresh=lambda region: region[0] is copy)[1]


def _region(render, phase, *key_and_copy):
    *key, copy = key_and_copy
    return copy, render(phase, *key)


def ready_counts(now=None):
    """[(phase, participants ready, participants)] for every phase, as readiness.criteria.ready_counts, cached."""
    return [(phase, found.ready, len(found.participants)) for phase in Route
            for found in (phase_summary(phase, now),)]
