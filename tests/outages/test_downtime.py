"""The stored downtime days: kept by every outage change exactly as a rebuild makes them, and adding up to the
same availability figures as reading every outage."""
import random
from datetime import timedelta

from sqlalchemy import delete, select

from mhhs.core import changes
from mhhs.core.time import utcnow
from mhhs.directory.models import User
from mhhs.extensions import db
from mhhs.outages import downtime, services
from mhhs.outages.models import (
    PLANNED_CATEGORIES,
    UNPLANNED_CATEGORIES,
    DowntimeDay,
    DowntimeMonth,
    DowntimeState,
    Outage,
)
from tests.outages.factory import make_outage


def rows():
    return sorted(db.session.execute(select(DowntimeDay.environment_id, DowntimeDay.day, DowntimeDay.kind,
                                            DowntimeDay.microseconds)).all())


def month_rows():
    return sorted(db.session.execute(select(DowntimeMonth.environment_id, DowntimeMonth.month, DowntimeMonth.kind,
                                            DowntimeMonth.microseconds)).all())


def days_added_up():
    """What the month rows must be: the stored days added up per environment, month and kind."""
    found = {}
    for environment_id, day, kind, microseconds in rows():
        key = (environment_id, day.replace(day=1), kind)
        found[key] = found.get(key, 0) + microseconds
    return sorted((*key, value) for key, value in found.items())


def table(kind, count, now):
    spans, found = services.availability_table(kind, now, count)
    return [(environment, [(f.elapsed, f.total, f.planned, f.unplanned, f.by_category) for f in cells])
            for environment, cells in found]


def test_random_changes_keep_the_days_as_a_rebuild_makes_them(ctx):
    rng, now = random.Random(5), utcnow()
    rm = db.session.scalar(select(User).where(User.email == "rm.sit@demo.test"))
    downtime.rebuild(now)
    made = []
    for _ in range(40):
        planned = rng.random() < 0.4
        start = now - timedelta(days=rng.randint(0, 70), minutes=rng.randint(0, 1440))
        end = None if rng.random() < 0.1 else min(start + timedelta(minutes=rng.randint(10, 3000)), now)
        made.append(make_outage("rm.sit@demo.test", environment=rng.choice(["SIT-A", "SIT-B", "UIT"]),
                                planned=planned, start=start, end=end,
                                category=rng.choice(PLANNED_CATEGORIES if planned else UNPLANNED_CATEGORIES)))
    for outage in rng.sample(made, 15):  # moved, lengthened, put in another environment
        outage = db.session.get(Outage, outage.id)
        values = {name: getattr(outage, name) for name in services.FIELDS}
        values["start"] = outage.start - timedelta(hours=rng.randint(1, 60))
        values["environment_id"] = made[rng.randrange(len(made))].environment_id
        services.save(rm, outage, values, list(outage.systems), now=values["start"] - timedelta(days=1))
    for outage in [o for o in made if db.session.get(Outage, o.id).end is None][:3]:
        services.end_now(rm, db.session.get(Outage, outage.id))
    moment = utcnow()
    kept, kept_months = rows(), month_rows()
    kept_tables = table("week", 12, moment), table("month", 4, moment)
    assert kept and db.session.get(DowntimeState, 1).complete_through is not None
    assert kept_months == days_added_up() and len(kept_months) < len(kept)
    downtime.rebuild(utcnow())
    assert rows() == kept and month_rows() == kept_months
    # And the stored days and months add up to what reading every outage gives.
    db.session.execute(delete(DowntimeDay))
    db.session.execute(delete(DowntimeMonth))
    db.session.execute(delete(DowntimeState))
    db.session.commit()
    changes.forget()  # rows deleted beside the ORM: the availability kept per process is read again
    assert (table("week", 12, moment), table("month", 4, moment)) == kept_tables


def test_a_year_reads_the_stored_days_not_the_outages(app, as_user, count_queries):
    with app.app_context():
        for days in (300, 200, 100, 3):
            make_outage("rm.sit@demo.test", start=utcnow() - timedelta(days=days),
                        end=utcnow() - timedelta(days=days) + timedelta(hours=5))
        downtime.rebuild(utcnow())
    rm = as_user("rm.sit@demo.test")
    page = rm.get("/outages/availability?period=month&count=12").get_data(as_text=True)
    assert "5.00" in page  # what is read is then kept per process while no outage changes
    with count_queries() as few:
        rm.get("/outages/availability?period=month&count=12")
    with app.app_context():
        for days in range(5, 60):
            make_outage("rm.sit@demo.test", start=utcnow() - timedelta(days=days),
                        end=utcnow() - timedelta(days=days) + timedelta(hours=1))
    rm.get("/outages/availability?period=month&count=12")
    with count_queries() as many:
        rm.get("/outages/availability?period=month&count=12")
    assert many.count == few.count


def test_overlapping_finds_every_outage_touching_a_period_however_long_ago_it_began(ctx):
    # Read through the index on start from the longest ended outage before the period (kept per process): what it
    # finds is what the plain rule finds, an outage still open from long ago included, and a longer outage logged
    # since a first read is found by the next.
    rng, now = random.Random(11), utcnow()

    def found(first, last):
        return set(db.session.scalars(select(Outage.id).where(downtime.overlapping(first, last))))

    def plain(first, last):
        return set(db.session.scalars(select(Outage.id).where(
            Outage.start < last, (Outage.end.is_(None)) | (Outage.end > first))))

    def periods():
        for _ in range(30):
            first = now - timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 23))
            yield first, first + timedelta(hours=rng.choice([0, 1, 24, 24 * 7]), microseconds=1)

    opened_long_ago = make_outage("rm.sit@demo.test", start=now - timedelta(days=200), end=None).id
    for _ in range(25):
        start = now - timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 1440))
        make_outage("rm.sit@demo.test", start=start, end=start + timedelta(minutes=rng.randint(5, 600)))
    for first, last in periods():
        assert found(first, last) == plain(first, last)
        assert opened_long_ago in found(first, last)
    long_one = make_outage("rm.sit@demo.test", start=now - timedelta(days=60), end=now - timedelta(days=10)).id
    assert long_one in found(now - timedelta(days=12), now - timedelta(days=11))
    for first, last in periods():
        assert found(first, last) == plain(first, last)
