"""Demo freezes and test phases (demo database only), through the same services a Release Manager's clicks use."""
from datetime import timedelta

from sqlalchemy import func, select

from ..allocation.services import add_stage
from ..core.time import to_london, utcnow
from ..directory.models import Environment, MajorRelease, User
from ..extensions import db
from ..windows.models import Freeze
from . import services

# name, environment, first day and last day counted from today, whether it runs alone there, and why it may overlap
# the stages it meets. RCM §7.4 and Table 2: Functional, Migration and Functional Regression in SIT-A ("can be
# executed on one environment, but not in parallel"); Settlement in SIT-B, followed by Non-Functional and Operational
# there; Qualification and E2E Sandbox in UIT (EAP Table 1); SIT Staging for readiness and retests.
TEST_PHASES = [("SIT Functional cycle 3", "SIT-A", -30, 40, True, ""),
               ("SIT Migration", "SIT-A", -60, 20, True,
                "Migration runs overnight on its own data set; Functional runs in the day (EWG, agreed)"),
               ("SIT Functional Regression", "SIT-A", 41, 70, True, ""), ("SIT Settlement", "SIT-B", -45, 20, True, ""),
               ("SIT Non-Functional cycle 3", "SIT-B", 21, 70, True, ""),
               ("SIT Operational", "SIT-B", 71, 100, True, ""), ("Qualification", "UIT", -10, 120, False, ""),
               ("E2E Sandbox", "UIT", 60, 180, False, ""),
               ("SIT readiness and retests", "SIT Staging", -30, 120, False, "")]


def seed_demo_schedule():
    """Adds the demo freeze and test phases once; returns how many rows were added."""
    if db.session.scalar(select(func.count()).select_from(Freeze)):
        return 0
    manager = db.session.scalar(select(User).where(User.email == "rm.sit@demo.test"))
    environments = {e.name: e.id for e in db.session.scalars(select(Environment))}
    today = to_london(utcnow()).date()
    # The week after next, from Monday to Friday: SIT-B's performance runs need a stable environment.
    monday = today + timedelta(days=14 - today.weekday())
    services.add_freeze(manager, environments["SIT-B"], monday, monday + timedelta(days=4),
                        "SIT Non-Functional cycle 3 performance runs")
    for name, environment, first, last, alone, overlap in TEST_PHASES:
        if environment in environments:
            add_stage(manager, name, environments[environment], today + timedelta(days=first),
                      today + timedelta(days=last), exclusive=alone, may_overlap=bool(overlap), overlap_reason=overlap)
    # The roadmap's next interim release, date not yet confirmed (the reference seed keeps the EAP's past ones).
    db.session.add(MajorRelease(name="IR9 (SIT A)", planned_date=today + timedelta(days=35), date_confirmed=False,
                                purpose="Code release to enable SIT Operational testing."))
    db.session.commit()
    return 2 + len(TEST_PHASES)
