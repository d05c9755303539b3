"""Stored change counters: what rarely changes (the reference data, the outage board) is read once per process and
read again only when its counter has moved. A counter is a row, bumped in the transaction of the change that moves
it, so a change made through one worker is seen by every other at its next request.

One place bumps them: before each flush, a session that writes an instance of a watched model (`watch`, called in
create_app) bumps that model's counter. Writes that bypass the ORM (bulk `insert()` of the benchmark fills, the
tests' reset) bump nothing: they call `bump` themselves, or `forget` the process's copies.
"""
from collections import OrderedDict

from flask import g, has_app_context
from sqlalchemy import BigInteger, Column, String, bindparam, event, insert, inspect, select, update
from sqlalchemy.orm import Session

from ..extensions import db

REFERENCE = "reference"  # environments, systems, organisations, market roles, support hours, the release roadmap
OUTAGES = "outages"  # the outage log, its updates, how far the stored downtime is complete: board, availability
SLOTS = "slots"  # the allocation's slots: the longest one, which bounds the clash rule's read
PROVING = "proving"  # what connectivity proving rests on: the register, steps, sign-offs, officers, certificates
WINDOWS = "windows"  # the schedule's deployment windows: RFCs as rfcs.clashes.moves_windows says, deployments
# and consultations (who besides an RFC's organisation sees it before approval)
SCHEDULE = "schedule"  # what else the calendar shows or clashes with: freezes, the weekly release slot, test phases
# and the overlaps allowed between them, participants' own outages, GO / NO-GO decisions and EWG meetings
TESTING = "testing"  # how testing goes: retests, environment proving tests, the conditions of GO / NO-GO decisions
# and EWG actions (the weekly report, the retests page), and people's names as those and the drafts card show them
# (who recorded, owns or asked for changes): a user made or renamed

_watched = {}  # model class: counter names
_watched_when = {}  # (model class, counter name): whether a changed instance moves it (absent: any change does)
_copies = {}  # loader: {key: (counter values it was read at, what it returned)}, the most recently used last
COPIES = 48  # the copies kept per loader (its least recently used dropped): memory per worker stays bounded


class ChangeCounter(db.Model):
    __tablename__ = "change_counters"
    name = Column(String(40), primary_key=True)
    value = Column(BigInteger, nullable=False, default=0)


def watch(model, *counters, when=None):
    """A flush that adds, changes or deletes a `model` instance bumps these counters; with `when`, a change bumps
    them only when when(instance) says it moves what they count (a counter that hot rows, as an RFC's, would
    otherwise move at every write, queueing every writer on it)."""
    _watched.setdefault(model, set()).update(counters)
    if when is not None:
        _watched_when.update({(model, counter): when for counter in counters})
    if not event.contains(Session, "before_flush", _bump_written):
        event.listen(Session, "before_flush", _bump_written)
        event.listen(Session, "after_commit", _transaction_ended)
        event.listen(Session, "after_rollback", _transaction_ended)


def _moves(instance, counter):
    when = _watched_when.get((type(instance), counter))
    return when is None or when(instance)


UNKNOWN = object()  # an attribute's value before a change, when it was not loaded


def changed(instance, name):
    """(changed, old value or UNKNOWN, new value) of an instance's attribute in the flush to come."""
    history = inspect(instance).attrs[name].history
    old = history.deleted[0] if history.deleted else (history.unchanged[0] if history.unchanged else UNKNOWN)
    return history.has_changes(), old, history.added[0] if history.added else old


def _bump_written(session, _context, _instances):
    moved = set()
    for instance in (*session.new, *session.deleted):
        moved |= _watched.get(type(instance), set())
    for instance in session.dirty:
        moved |= {counter for counter in _watched.get(type(instance), ()) if _moves(instance, counter)}
    if moved:
        bump(*sorted(moved), session=session)  # sorted: concurrent writers take the rows' locks in one order


# One Core statement for every bump (a flush of a watched model, as every approval): keyed once, no ORM update.
_COUNTERS = ChangeCounter.__table__
_BUMP = update(_COUNTERS).where(_COUNTERS.c.name == bindparam("counter")).values(value=_COUNTERS.c.value + 1)


def bump(*names, session=None):
    """Moves these counters in the session's transaction (made at 1 if they are not there yet)."""
    session = session or db.session
    for name in names:
        moved = session.connection().execute(_BUMP, {"counter": name})
        if moved.rowcount == 0:
            session.execute(insert(ChangeCounter).values(name=name, value=1))
    session.info[BUMPED] = True  # until it commits, nothing it reads is kept (cached): it might yet roll back
    if has_app_context():
        g.pop("_change_counters", None)  # this request reads them again


# A session whose transaction has moved counters it has not committed: a copy kept at those values could outlive a
# rollback, and be taken for what a later transaction, moving them to the same values, wrote.
BUMPED = "bumped change counters"


def _transaction_ended(session, *_args):
    if session.info.pop(BUMPED, None) and has_app_context():
        g.pop("_change_counters", None)  # read again: what the transaction moved is now committed, or undone


COUNTERS = select(ChangeCounter.name, ChangeCounter.value)


def counters():
    """{name: value} of every counter, read once per request (a counter never bumped is 0)."""
    if "_change_counters" not in g:
        # On the session's connection (its transaction): a plain Core read, without the ORM's statement handling;
        # flushed first as the ORM would (unless autoflush is off), so that a write of this request has moved them.
        if db.session.autoflush:
            db.session.flush()
        g._change_counters = dict(db.session.connection().execute(COUNTERS).all())
    return g._change_counters


def values(*names):
    found = counters()
    return tuple(found.get(name, 0) for name in names)


def cached(load, *names, key=(), fresh=None, keep=None, using=()):
    """What `load(*key, *using)` returns, read once per process (a copy per key) while these counters stay where they
    were and, when given, fresh(copy) says it still holds (what time alone changes, as a certificate that expires).
    `using` is what the load also reads that is no part of the key (the moment it reads at: `fresh` then says until
    when the copy holds). It must return plain values (tuples, strings, numbers, dataclasses of them), never ORM
    objects: those belong to one request's session. `keep` (else COPIES): at most this many copies of this loader
    (the least recently used dropped), as many as a page's viewers, filters and periods need, so that memory per
    worker stays bounded."""
    now = values(*names)
    if db.session.info.get(BUMPED):  # read in a transaction that has moved counters: not kept (see BUMPED)
        return load(*key, *using)
    kept = _copies.setdefault(load, OrderedDict())
    copy = kept.pop(key, None)  # popped and put back: the most recently used last (a key dropped meanwhile by
    if copy is None or copy[0] != now or (fresh is not None and not fresh(copy[1])):  # another thread: read again)
        copy = (now, load(*key, *using))
    kept[key] = copy
    if len(kept) > (keep or COPIES):
        kept.popitem(last=False)
    return copy[1]


def forget():
    """Drops the process's copies (after writes that bump nothing)."""
    _copies.clear()

