"""RFCs made through the real services, as a Central Party would make them."""
from datetime import datetime, timedelta

from sqlalchemy import select

from mhhs.core.time import utc_to_london_naive, utcnow
from mhhs.directory.models import Environment, System, User
from mhhs.extensions import db
from mhhs.rfcs import rules, services
from mhhs.rfcs.models import Rfc
from mhhs.rfcs.states import Decision, ReleaseType, RfcStatus


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
        "stakeholders_impacted": "All SIT participants", "known_issues": "None",
        "installation_instructions": "Run the pipeline",
        "resources_required": "Release engineer and on-call support", "timings": "T+0 deploy, T+30 smoke test",
        "communications_required": "Start and end messages to SIT participants", "runbook_reference": "RB-42",
        "dev_test_evidence": "Unit and component tests passed in DEV" if release_type == ReleaseType.EMERGENCY else "",
        "environment_ids": env_ids(*environments),
        "defects": [{"defect_id": "DEF-101",
                     "severity": "Critical" if release_type == ReleaseType.EMERGENCY else "High",
                     "summary": "Timeout on ack",
                     "found_in_id": env_ids(environments[0])[0]}],
        "change_requests": [],
    }
    data.update(overrides)
    return data


def make_rfc(email="dip@demo.test", submit=True, gate=True, **overrides):
    """Saves (and by default submits) an RFC; returns its id. gate: also meet control points 3 to 6, so that only
    the decision itself stands between it and approval."""
    rfc = Rfc(revision=0)
    author = user(email)
    services.save_draft(author, rfc, content(**overrides))
    if submit:
        services.submit(author, rfc)
        if gate:
            meet_approval_gate(rfc.id)
    return rfc.id


def meet_approval_gate(rfc_id, email="rm.sit@demo.test"):
    """A Release Manager ticks control points 3 to 6 (RCM Table 9) that are open, as the queue lets them (an Emergency
    release has 4 and 5 not applicable by themselves, RCM §12.8)."""
    rfc = db.session.get(Rfc, rfc_id)
    services.set_control_points(user(email), rfc, rules.open_control_points(rfc, [3, 4, 5, 6]), note="checked")


def approve(rfc_id, *emails):
    for email in emails:
        services.decide(user(email), db.session.get(Rfc, rfc_id), Decision.APPROVED)


def approved_earlier(rfc_id, *emails, days=3):
    """Approves the RFC, then moves its approval and window into the past so its deployment can be recorded as
    having happened (a deployment is never in the future, nor before the approval)."""
    if db.session.get(Rfc, rfc_id).status != RfcStatus.APPROVED:
        approve(rfc_id, *(emails or ("rm.sit@demo.test",)))
    rfc = db.session.get(Rfc, rfc_id)
    rfc.approved_at = utcnow() - timedelta(days=days)
    rfc.window_start = rfc.approved_at + timedelta(days=1)
    rfc.window_end = rfc.window_start + timedelta(hours=2)
    db.session.commit()
    return rfc_id


def deploy(rfc_id, environment, outcome, version="", email="dip@demo.test", late=False):
    """Records the outcome in one environment, inside the window (or an hour after it ends when late)."""
    rfc = db.session.get(Rfc, rfc_id)
    start = rfc.window_start + (timedelta(hours=3) if late else timedelta(minutes=10))
    return services.record_deployment(user(email), rfc, env_ids(environment)[0], outcome, start,
                                      start + timedelta(minutes=30), version, "", "")


def form_data(app, **overrides):
    """The RFC form as a browser posts it (London wall-clock times, ids as strings)."""
    with app.app_context():
        data = content(**overrides)
    out = {k: ("" if v is None else v) for k, v in data.items() if k not in ("defects", "change_requests")}
    out["release_type"] = data["release_type"].value if data["release_type"] else ""
    for key in ("window_start", "window_end"):
        out[key] = utc_to_london_naive(data[key]).strftime("%Y-%m-%dT%H:%M") if data[key] else ""
    for i, d in enumerate(data["defects"]):
        out.update({f"defects-{i}-{k}": v for k, v in d.items()})
    for i, c in enumerate(data["change_requests"]):
        out.update({f"change_requests-{i}-{k}": v for k, v in c.items()})
    return out
