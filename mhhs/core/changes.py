"""Stored change counters: what rarely changes (the reference data, the outage board) is read once per process and
read again only when its counter has moved. A counter is a row, bumped in the transaction of the change that moves
it, so a change made through one worker is seen by every other at its next request.

One place bumps them: before each flush, a session that writes an instance of a watched model (`watch`, called in
create_app) bumps that model's counter. Writes that bypass the ORM (bulk `insert()` of the benchmark fills, the
tests' reset) bump nothing: they call `bump` themselves, or `forget` the process's copies.
"""
from flask import g, has_app_context
from sqlalchemy import BigInteger, Column, String, event, insert, inspect, select, update
from sqlalchemy.orm import Session

from ..extensions import db

REFERENCE = "reference"  # environments, systems, organisations, market roles, support hours, major releases
OUTAGES = "outages"  # the outage log and its updates: the status board
SLOTS = "slots"  # the allocation's slots: the longest one, which bounds the clash rule's read
PROVING = "proving"  # what connectivity proving rests on: the register, steps, sign-offs, officers, certificates
WINDOWS = "windows"  # the schedule's deployment windows: RFCs as rfcs.clashes.moves_windows says, deployments,
# freezes
BASELINE = "baseline"  # the configuration baseline: the version each environment runs of each system, and its history

_watched = {}  # model class: counter names
_watched_when = {}  # (model class, counter name): whether a changed instance moves it (absent: any change does)
_copies = {}  # loader: (counter values it was read at, what it returned)


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


def bump(*names, session=None):
    """Moves these counters in the session's transaction (made at 1 if they are not there yet)."""
    session = session or db.session
    for name in names:
        moved = session.execute(update(ChangeCounter).where(ChangeCounter.name == name)
                                .values(value=ChangeCounter.value + 1).execution_options(synchronize_session=False))
        if moved.rowcount == 0:
            session.execute(insert(ChangeCounter).values(name=name, value=1))
    if has_app_context():
        g.pop("_change_counters", None)  # this request reads them again


def counters():
    """{name: value} of every counter, read once per request (a counter never bumped is 0)."""
    if "_change_counters" not in g:
        g._change_counters = dict(db.session.execute(select(ChangeCounter.name, ChangeCounter.value)).all())
    return g._change_counters


def values(*names):
    found = counters()
    return tuple(found.get(name, 0) for name in names)


def cached(load, *names, key=(), fresh=None, most=None):
    """What `load(*key)` returns, read once per process (a copy per key) while these counters stay where they were
    and, when given, fresh(copy) says it still holds (what time alone changes, as a certificate that expires). It
    must return plain values (tuples, strings, numbers, dataclasses of them), never ORM objects: those belong to one
    request's session. most: at most that many copies of this loader are kept (the keys are many, as weeks), the
    least recently used dropped first, since memory per worker is bounded."""
    now = values(*names)
    copy = _copies.pop((load, key), None)  # put back last: the dict's order is the order of use
    if copy is None or copy[0] != now or (fresh is not None and not fresh(copy[1])):
        copy = (now, load(*key))
    _copies[(load, key)] = copy
    if most is not None:
        mine = [k for k in _copies if k[0] is load]
        for old in mine[:max(len(mine) - most, 0)]:
            del _copies[old]
    return copy[1]


def forget():
    """Drops the process's copies (after writes that bump nothing)."""
    _copies.clear()

