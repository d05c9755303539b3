"""Demo RFCs (demo database only), made through the same services a person's clicks go through."""
from datetime import timedelta

from sqlalchemy import func, select

from ..core.time import add_business_days, utcnow
from ..directory.models import Environment, System, User
from ..extensions import db
from . import services
from .models import Decision, ReleaseType, Rfc


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _envs(*names):
    return list(db.session.scalars(select(Environment.id).where(Environment.name.in_(names))))


def _raise(email, system, release_type, version, title, environments, start, defects=(), crs=(), **extra):
    author = _user(email)
    rfc = Rfc(revision=0)
    services.save_draft(author, rfc, {
        "system_id": db.session.scalar(select(System.id).where(System.name == system)),
        "release_type": release_type, "version": version, "title": title,
        "reason": extra.get("reason", "Defect fixes and changes needed for SIT Functional testing."),
        "window_start": start, "window_end": start + timedelta(hours=2), "expected_downtime": 45,
        "implementation_plan": "1. Freeze message flow at the start of the window.\n2. Deploy through the release "
                               "pipeline.\n3. Smoke test with the SIT test harness.\n4. Re-open message flow.",
        "rollback_plan": extra.get("rollback_plan", "Redeploy the previous package; restore configuration from "
                                                    "the pre-release snapshot."),
        "stakeholders_impacted": "All SIT participants connected to the DIP.",
        "known_issues": "Acknowledgements may arrive out of order during the first hour after deployment; "
                        "resend if none is received after 10 minutes.",
        "installation_instructions": "Deployed by the Central Party through its release pipeline; no participant "
                                     "action needed.",
        "environment_ids": _envs(*environments),
        "defects": [{"defect_id": d, "severity": s, "summary": t, "found_in_id": _envs(f)[0]}
                    for d, s, t, f in defects],
        "change_requests": [{"cr_id": c, "title": t, "summary": s} for c, t, s in crs],
    })
    services.submit(author, rfc)
    return rfc


def seed_demo_rfcs():
    """Adds the demo RFCs once; returns how many were added."""
    if db.session.scalar(select(func.count()).select_from(Rfc)):
        return 0
    now = utcnow()
    next_week = add_business_days(now, 5).replace(hour=9, minute=0, second=0, microsecond=0)
    dip = _raise("dip@demo.test", "DIP", ReleaseType.MINOR, "1.1.0.0", "DIP 1.1 for SIT Functional cycle 3",
                 ("SIT-A", "UIT"), next_week,
                 defects=[("DEF-1042", "High", "Acknowledgement lost when a message is retried", "SIT-A"),
                          ("DEF-1057", "Medium", "Schema validation slow for large payloads", "UIT")],
                 crs=[("CR-031", "New acknowledgement code", "Adds code 207 for duplicate messages")])
    for email in ("rm.sit@demo.test", "rm.uit@demo.test"):
        services.decide(_user(email), dip, Decision.APPROVED)
    _raise("mprs@demo.test", "MPRS", ReleaseType.PATCH, "1.0.1.0", "MPRS weekly patch", ("SIT-A",),
           next_week + timedelta(days=1), defects=[("DEF-1101", "High", "Gate closure batch skips late reads", "SIT-A")],
           rollback_plan="")
    _raise("dip@demo.test", "DIP", ReleaseType.EMERGENCY, "1.1.0.1", "DIP emergency fix for blocked SIT-A testing",
           ("SIT-A",), now + timedelta(hours=3), defects=[("DEF-1120", "Critical", "Inbound queue stalls", "SIT-A")])
    return 3
