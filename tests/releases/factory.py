"""RFCs made through the real services, as a Central Party would make them."""
from datetime import datetime, timedelta

from sqlalchemy import select

from mhhs.core.time import utcnow
from mhhs.directory.models import Environment, System, User
from mhhs.extensions import db
from mhhs.releases import services
from mhhs.releases.models import ReleaseType, Rfc


def user(email):
    return db.session.scalar(select(User).where(User.email == email))


def env_ids(*names):
    return list(db.session.scalars(select(Environment.id).where(Environment.name.in_(names))))


def system_id(name):
    return db.session.scalar(select(System.id).where(System.name == name))


def next_week(hour=10):
    day = (utcnow() + timedelta(days=8)).date()
    return datetime(day.year, day.month, day.day, hour)


def content(system="DIP", release_type=ReleaseType.MINOR, version="1.1.0.0", environments=("SIT-A",), **overrides):
    start = overrides.pop("window_start", None) or next_week()
    data = {
        "system_id": system_id(system), "release_type": release_type, "version": version,
        "title": f"{system} {version}", "reason": "Fixes for SIT Functional testing",
        "window_start": start, "window_end": overrides.pop("window_end", None) or start + timedelta(hours=2),
        "expected_downtime": 30, "implementation_plan": "Blue/green switch", "rollback_plan": "Switch back",
        "stakeholders_impacted": "All SIT participants", "known_issues": "None", "installation_instructions": "Run the pipeline",
        "environment_ids": env_ids(*environments),
        "defects": [{"defect_id": "DEF-101", "severity": "High", "summary": "Timeout on ack",
                     "found_in_id": env_ids(environments[0])[0]}],
        "change_requests": [],
    }
    data.update(overrides)
    return data


def make_rfc(email="dip@demo.test", submit=True, **overrides):
    """Saves (and by default submits) an RFC; returns its id."""
    rfc = Rfc(revision=0)
    author = user(email)
    services.save_draft(author, rfc, content(**overrides))
    if submit:
        services.submit(author, rfc)
    return rfc.id


def approve(rfc_id, *emails):
    for email in emails:
        services.decide(user(email), db.session.get(Rfc, rfc_id), services.Decision.APPROVED)
