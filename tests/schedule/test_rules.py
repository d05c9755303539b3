"""Support hours (with St Clements' gate closure and the clock changes), freezes, clashes and the next free window,
as tables of cases."""
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from mhhs.core.services import Invalid
from mhhs.core.time import london_to_utc
from mhhs.directory.models import System
from mhhs.extensions import db
from mhhs.outages.models import Category
from mhhs.rfcs import services
from mhhs.rfcs.clashes import clashes, next_free_window
from mhhs.rfcs.models import Rfc
from mhhs.rfcs.states import ReleaseType
from mhhs.schedule.services import add_freeze
from mhhs.windows.release_slot import weekly_slot
from mhhs.windows.support import support_problem
from tests.outages.factory import make_outage
from tests.rfcs.factory import content, env_ids, make_rfc, next_week, user

DIP = System(name="DIP", support_kind="hours", support_days="01234", support_start=time(9), support_end=time(17))
MPRS = System(name="MPRS", support_kind="hours", support_days="01234", support_start=time(9), support_end=time(17),
              gate_closure=time(15))


def london(day, hour, minute=0):
    return london_to_utc(datetime.combine(day, time(hour, minute)))


# (system, London day, start, end (hours), the problem's words or None)
SUPPORT_CASES = [
    (DIP, date(2026, 12, 2), (9, 0), (11, 0), None),  # a Wednesday, inside
    (DIP, date(2026, 12, 2), (8, 30), (10, 0), "outside DIP's support hours (weekdays 09:00–17:00)"),
    (DIP, date(2026, 12, 2), (16, 0), (17, 30), "outside DIP's support hours"),
    (DIP, date(2026, 12, 5), (10, 0), (11, 0), "Saturday 05 Dec 10:00–11:00 is outside DIP's support hours"),
    (DIP, date(2026, 12, 25), (10, 0), (11, 0), "outside DIP's support hours"),  # Christmas Day, a bank holiday
    (MPRS, date(2026, 12, 2), (13, 0), (14, 45), None),
    (MPRS, date(2026, 12, 2), (14, 0), (15, 30), "Wednesday 02 Dec 14:00–15:30 runs into MPRS's gate closure at 15:00"),
    (MPRS, date(2026, 12, 2), (15, 30), (16, 30), "outside MPRS's support hours"),  # after gate closure
    # The clocks change on 29 Mar 2026: 09:30 BST is 08:30 UTC, inside; the same UTC time a week before is not.
    (DIP, date(2026, 3, 30), (9, 30), (10, 30), None),
]


@pytest.mark.parametrize("system, day, start, end, expected", SUPPORT_CASES)
def test_support_hours(system, day, start, end, expected):
    problem = support_problem(system, london(day, *start), london(day, *end))
    assert (problem is None) if expected is None else expected in problem


def test_support_hours_follow_the_london_clock_across_the_change():
    utc_half_eight = datetime(2026, 3, 30, 8, 30)  # 09:30 in London (BST)
    assert support_problem(DIP, utc_half_eight, utc_half_eight + timedelta(hours=1)) is None
    winter = datetime(2026, 3, 23, 8, 30)  # 08:30 in London (GMT): before the desk opens
    assert "outside" in support_problem(DIP, winter, winter + timedelta(hours=1))


@pytest.mark.parametrize("kind", ["24/7", "tbc"])
def test_any_time_will_do_around_the_clock_or_while_unconfirmed(kind):
    system = System(name="X", support_kind=kind, support_days="01234")
    assert support_problem(system, datetime(2026, 12, 5, 2), datetime(2026, 12, 5, 4)) is None


def _freeze(environment, first, last, reason="SIT Functional cycle 3 regression"):
    manager = user("rm.sit@demo.test")
    environment_id = env_ids(environment)[0] if environment else None
    return add_freeze(manager, environment_id, first, last, reason)


@pytest.mark.parametrize("freeze_in, release_type, refused", [
    ("SIT-A", ReleaseType.MINOR, True),
    (None, ReleaseType.PATCH, True),  # a freeze of every environment
    ("SIT-B", ReleaseType.MINOR, False),  # another environment's freeze
    ("SIT-A", ReleaseType.EMERGENCY, False),
])
def test_a_window_inside_a_freeze_is_for_emergencies_only(ctx, freeze_in, release_type, refused):
    start = next_week()
    day = start.date()
    _freeze(freeze_in, day - timedelta(days=1), day + timedelta(days=1))
    rfc = Rfc(revision=0)
    author = user("dip@demo.test")
    services.save_draft(author, rfc, content(release_type=release_type, version="1.1.0.0" if release_type !=
                                             ReleaseType.EMERGENCY else "1.0.0.1", window_start=start))
    if refused:
        with pytest.raises(Invalid) as refusal:
            services.submit(author, rfc)
        message = refusal.value.problems["window_start"]
        assert "SIT Functional cycle 3 regression" in message and "only an Emergency release" in message
        assert ("SIT-A is frozen" if freeze_in else "Every environment is frozen") in message
    else:
        services.submit(author, rfc)
        assert rfc.revision == 1


def test_clashes_by_environment_outage_and_visibility(ctx):
    start = next_week()
    first = make_rfc(window_start=start)
    overlapping = make_rfc(system="MPRS", email="mprs@demo.test", release_type=ReleaseType.PATCH, version="1.0.1.0",
                           rollback_plan="",
                           window_start=start + timedelta(hours=1))
    touching = make_rfc(version="1.2.0.0", window_start=start + timedelta(hours=2))  # starts as the first ends
    elsewhere = make_rfc(version="1.3.0.0", window_start=start, environments=("SIT-B",))
    make_outage("dip@demo.test", planned=True, category=Category.INFRASTRUCTURE_PATCHING,
                start=start + timedelta(minutes=30), end=start + timedelta(minutes=90))
    make_outage("dip@demo.test", environment="SIT-B", planned=False)  # ongoing, no end: it overlaps next week too
    rfcs = db.session.scalars(select(Rfc).where(Rfc.id.in_([first, overlapping, touching, elsewhere]))).all()
    manager = user("rm.sit@demo.test")
    found = {rfc_id: [(c.kind, c.text.split(",")[0]) for c in found if c.kind != "support hours"]
             for rfc_id, found in clashes(rfcs, manager).items()}
    assert found[first] == [("window", f"RFC-{overlapping:06d} (submitted)"),
                            ("outage", "planned infrastructure patching outage of SIT-A")]
    assert ("window", f"RFC-{first:06d} (submitted)") in found[overlapping]
    assert ("window", f"RFC-{overlapping:06d} (submitted)") in found[touching]
    assert ("window", f"RFC-{first:06d} (submitted)") not in found[touching]
    assert found[elsewhere] == []  # an unplanned outage is no clash to plan around
    # St Clements' Central Party may not see Avanade's submitted RFC: its own window's clash is not named to it.
    theirs = clashes([db.session.get(Rfc, overlapping)], user("mprs@demo.test"))[overlapping]
    assert not any(f"RFC-{first:06d}" in c.text for c in theirs)


def test_the_next_free_window(ctx):
    # The weekly release slot aside (tests/schedule/test_release_slot.py): on a Saturday, outside DIP's support hours.
    slot = weekly_slot()
    slot.weekday = 5
    db.session.commit()
    dip = db.session.scalar(select(System).where(System.name == "DIP"))
    sit_a = env_ids("SIT-A")
    friday_afternoon = london(date(2026, 12, 4), 15, 7)
    hour = timedelta(hours=1)
    # A Minor needs a business day's notice: Monday 15:07 → the quarter hour after, within 09:00–17:00.
    assert next_free_window(dip, ReleaseType.MINOR, sit_a, hour, friday_afternoon) == \
        (london(date(2026, 12, 7), 15, 15), london(date(2026, 12, 7), 16, 15))
    # Two hours do not fit before 17:00 on Monday: Tuesday 09:00.
    assert next_free_window(dip, ReleaseType.MINOR, sit_a, 2 * hour, friday_afternoon)[0] == \
        london(date(2026, 12, 8), 9)
    # A scheduled window and a planned outage push it on.
    monday = date(2026, 12, 7)
    rfc = Rfc(revision=0)
    author = user("dip@demo.test")
    services.save_draft(author, rfc, content(window_start=london(monday, 15), window_end=london(monday, 16)))
    services.submit(author, rfc, now=friday_afternoon - timedelta(days=3))
    make_outage("dip@demo.test", planned=True, category=Category.DATA_LOAD, start=london(monday, 16),
                end=london(monday, 16, 45))
    assert next_free_window(dip, ReleaseType.MINOR, sit_a, hour, friday_afternoon)[0] == london(date(2026, 12, 8), 9)
    # A freeze of SIT-A all Tuesday: Wednesday, unless the release is an Emergency.
    _freeze("SIT-A", date(2026, 12, 8), date(2026, 12, 8))
    assert next_free_window(dip, ReleaseType.MINOR, sit_a, hour, friday_afternoon)[0] == london(date(2026, 12, 9), 9)
    assert next_free_window(dip, ReleaseType.EMERGENCY, sit_a, hour, london(date(2026, 12, 8), 10))[0] == \
        london(date(2026, 12, 8), 11)
    # Nothing free in 90 days: None.
    _freeze(None, date(2026, 12, 9), date(2027, 4, 30))
    assert next_free_window(dip, ReleaseType.MINOR, sit_a, hour, friday_afternoon) is None


def test_a_longer_window_submitted_or_stretched_after_a_check_is_found_by_the_next(ctx):
    """The clashes read the windows that may overlap through the longest window's length, kept per process
    (rfcs.clashes.longest_window): a longer window submitted since, or one stretched, moves it, so the next check
    still finds a window that began a day before."""
    start = next_week()
    later = make_rfc(window_start=start + timedelta(days=1))  # the span checked: a day after the others begin
    short = make_rfc(version="1.2.0.0", window_start=start)  # two hours: ends long before
    manager = user("rm.sit@demo.test")

    def windows_found():
        rfc = db.session.get(Rfc, later)
        return [c.text.split(",")[0] for c in clashes([rfc], manager)[later] if c.kind == "window"]

    assert windows_found() == []
    long_one = make_rfc(version="1.3.0.0", window_start=start, window_end=start + timedelta(days=2))
    assert windows_found() == [f"RFC-{long_one:06d} (submitted)"]
    db.session.get(Rfc, long_one).window_end = start + timedelta(hours=2)  # cut short: two hours again
    db.session.commit()
    assert windows_found() == []
    db.session.get(Rfc, short).window_end = start + timedelta(days=2)  # an RFC already there stretched
    db.session.commit()
    assert windows_found() == [f"RFC-{short:06d} (submitted)"]
