"""Demo outages (demo database only): one ongoing, one ended last week, one planned ahead."""
from datetime import timedelta

from sqlalchemy import func, select

from ..core.time import utcnow
from ..directory.models import Environment, System, User
from ..extensions import db
from . import services
from .models import Category, Outage, UpdateStatus

# reporter, environment, system, planned, category, start (hours from now), length (hours, None: ongoing), text
DEMO = [
    ("supplier@demo.test", "SIT-B", "EES", False, Category.SOFTWARE_FAILURE, -3, None,
     "EES enquiries time out for Northwold test MPANs"),
    ("helix@demo.test", "SIT-A", "MDS", False, Category.INFRASTRUCTURE_FAILURE, -150, 5,
     "MDS database failover did not complete"),
    ("mprs@demo.test", "UIT", "MPRS", True, Category.DATA_REFRESH, 50, 4, "MPRS test data refresh for UIT"),
]


def seed_demo_outages():
    if db.session.scalar(select(func.count()).select_from(Outage)):
        return 0
    now = utcnow().replace(second=0, microsecond=0)
    outages = []
    for email, environment, system, planned, category, start, length, text in DEMO:
        begins = now + timedelta(hours=start)
        outages.append(services.save(db.session.scalar(select(User).where(User.email == email)), Outage(), {
            "environment_id": db.session.scalar(select(Environment.id).where(Environment.name == environment)),
            "planned": planned, "category": category, "start": begins,
            "end": begins + timedelta(hours=length) if length else None, "description": text,
            "impact": "Tests that need it are paused", "defect_reference": "", "root_cause": "", "rfc_id": None,
        }, [db.session.scalar(select(System).where(System.name == system))]))
    # The ongoing one's timeline so far, as RECCo's support desk reported it.
    manager = db.session.scalar(select(User).where(User.email == "rm.sit@demo.test"))
    for status, note in ((UpdateStatus.INVESTIGATING, "RECCo support is looking at the EES enquiry service."),
                         (UpdateStatus.IDENTIFIED, "A full connection pool after last night's data load; "
                                                   "a restart is planned within the hour.")):
        services.post_update(manager, outages[0], status, note)
    return len(DEMO)
