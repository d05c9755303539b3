"""Times the allocation timeline and the API's allocation check over many slots; prints figures.

Usage: .venv/bin/python scripts/bench_allocation.py [slots ...] [--rounds N]   (after the participants' fill)
"""
import argparse
import random
from datetime import datetime, time, timedelta

import bench_participants
from benchkit import bench_app, logged_in, report
from sqlalchemy import func, insert, select

from mhhs.allocation.models import Purpose, Slot, SlotStatus, TestPhase, slot_participants
from mhhs.core.changes import SLOTS, bump
from mhhs.core.time import london_to_utc, to_london, utcnow
from mhhs.directory.models import Environment, Organisation, User
from mhhs.extensions import db
from mhhs.participants.models import ConnectivitySignOff, Participant

PER_WEEK = 200  # slots a week over the four environments
LENGTH = timedelta(minutes=45)
STATUSES = [SlotStatus.ALLOCATED] * 6 + [SlotStatus.REQUESTED, SlotStatus.WAITING, SlotStatus.CANCELLED,
                                         SlotStatus.DECLINED]


def fill(total, seed=9):
    """total slots, PER_WEEK a week on weekdays from 09:00 London (45 minutes each, one after the other on each
    environment, so no two holding slots clash), centred on today; each of one or two of the register's participants
    (fill the participants first); a stage a year long on each environment."""
    rng, now = random.Random(seed), utcnow()
    environments = db.session.scalars(select(Environment).order_by(Environment.position)).all()
    participants = db.session.scalars(select(Participant.id).order_by(Participant.id)).all()
    manager = db.session.scalar(select(User.id).where(User.email == "rm.sit@demo.test"))
    today = to_london(now).date()
    weeks = max(1, total // PER_WEEK)
    monday = today - timedelta(days=today.weekday(), weeks=weeks // 2)
    first_stage = (db.session.scalar(select(func.max(TestPhase.id))) or 0) + 1
    db.session.execute(insert(TestPhase), [
        dict(id=first_stage + n, name=f"SIT Functional {e.name}", environment_id=e.id, first_day=monday,
             last_day=monday + timedelta(weeks=weeks), exclusive=False) for n, e in enumerate(environments)])
    per_day = PER_WEEK // 5 // len(environments)  # on each environment
    first = (db.session.scalar(select(func.max(Slot.id))) or 0) + 1
    slots, links = [], []
    for n in range(total):
        week, rest = divmod(n, PER_WEEK)
        day, rest = divmod(rest, PER_WEEK // 5)
        place, position = divmod(rest, per_day)
        environment = environments[place % len(environments)]
        start = london_to_utc(datetime.combine(monday + timedelta(weeks=week, days=day), time(9))) + position * LENGTH
        slot_id = first + n
        status = rng.choice(STATUSES)
        slots.append(dict(id=slot_id, environment_id=environment.id, phase_id=first_stage + place % len(environments),
                          start=start, end=start + LENGTH, purpose=rng.choice(list(Purpose)), status=status,
                          exclusive=True, note="", reason="Clash" if status == SlotStatus.DECLINED else "",
                          requested_by_id=manager, requested_at=now, changed_at=now,
                          decided_by_id=manager if status == SlotStatus.ALLOCATED else None,
                          decided_at=now if status == SlotStatus.ALLOCATED else None))
        for participant in set(rng.sample(participants, min(len(participants), rng.randint(1, 2)))):
            links.append({"slot_id": slot_id, "participant_id": participant})
    for model, rows in ((Slot, slots), (slot_participants, links)):
        for chunk in range(0, len(rows), 10_000):
            db.session.execute(insert(model), rows[chunk:chunk + 10_000])
    bump(SLOTS)  # slots added beside the ORM: the clash rule's longest slot (core/changes.py)
    db.session.commit()


def check_target(environment_name="SIT-A"):
    """(participant id, organisation name, a time inside its slot) for the API's allocation check to walk the whole
    rule: the first participant signed off in the environment (bench_participants.proven) with an allocated slot there
    still to come, asked about ten minutes into that slot; None when the fill holds none."""
    found = db.session.execute(
        select(Participant.id, Organisation.name, Slot.start).join(Participant.organisation)
        .join(ConnectivitySignOff, ConnectivitySignOff.participant_id == Participant.id)
        .join(Environment, Environment.id == ConnectivitySignOff.environment_id)
        .join(slot_participants, slot_participants.c.participant_id == Participant.id)
        .join(Slot, (Slot.id == slot_participants.c.slot_id) & (Slot.environment_id == Environment.id))
        .where(Environment.name == environment_name, ConnectivitySignOff.voided_at.is_(None),
               Slot.status == SlotStatus.ALLOCATED, Slot.start > utcnow())
        .order_by(Slot.start, Participant.id).limit(1)).first()
    return found and (found.id, found.name, found.start + timedelta(minutes=10))


def main(sizes, rounds):
    for total in sizes:
        with bench_app() as app:
            with app.app_context():
                bench_participants.fill(max(10, total // 20))
                fill(total)
            client = logged_in(app)
            report(app, client, [("timeline, month", "/allocation/timeline?view=month"),
                                 ("timeline, week", "/allocation/timeline"),
                                 ("slots", "/allocation/slots")], total, "slots", rounds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[200, 10_000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    main(args.sizes, args.rounds)
