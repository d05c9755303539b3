"""Demo RFCs (demo database only), made through the same services a person's clicks go through."""
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from ..baseline import services as baseline
from ..core.time import add_business_days, london_to_utc, to_london, utcnow
from ..directory.models import Environment, Organisation, System, User
from ..extensions import db
from . import services, targets
from .models import ConsultationResponse, RetestResult, Rfc
from .states import Decision, Outcome, ReleaseType

# The versions each system ran when the programme adopted Release Desk (ISDS: SIT-B one patch behind SIT-A).
BASELINE = {"DIP": "1.0.0.0", "MPRS": "1.0.0.0", "ISDS": "3.4.1.0", "DSP": "2.3.0.0", "CSS": "5.1.0.0",
            "DTN": "4.0.2.0", "LSS": "1.6.0.0", "MDS": "2.0.0.0", "VAS": "1.9.3.0", "PMP": "1.2.0.0",
            "Settlement Operations": "1.0.4.0", "EES": "2.2.0.0"}
MANAGER = "rm.sit@demo.test"


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _envs(*names):
    return list(db.session.scalars(select(Environment.id).where(Environment.name.in_(names))))


def _approve(rfc, *emails):
    """Control points 3 to 6 met (as a Release Manager does from the queue), then each phase's approval."""
    manager = _user(MANAGER)
    if not targets.target_baseline(rfc)[2]:
        services.set_control_points(manager, rfc, [3], note="Environments checked by the environment manager")
    services.set_control_points(manager, rfc, [n for n in (3, 4, 5, 6) if n not in {c.number for c in
                                                                                      rfc.control_points}],
                                note="Agreed at the weekly release call")
    for email in emails:
        services.decide(_user(email), rfc, Decision.APPROVED)


def _deployed(rfc, days_ago, outcomes, issues="", resolutions=""):
    """History: the approval and window moved back in time, then each environment's outcome recorded in it."""
    rfc.submitted_at = rfc.revisions[-1].submitted_at = utcnow() - timedelta(days=days_ago + 3)
    rfc.approved_at = utcnow() - timedelta(days=days_ago + 1)
    rfc.window_start = utcnow() - timedelta(days=days_ago)
    rfc.window_end = rfc.window_start + timedelta(hours=2)
    db.session.commit()
    for environment, (outcome, version) in outcomes.items():
        services.record_deployment(_user(MANAGER), rfc, _envs(environment)[0], outcome,
                                   rfc.window_start + timedelta(minutes=15), rfc.window_start + timedelta(minutes=80),
                                   version, issues, resolutions)


def seed_demo_baseline(since_days=60):
    """Every system's version in every environment it runs in, as recorded at adoption."""
    manager, since = _user(MANAGER), utcnow() - timedelta(days=since_days)
    for system in db.session.scalars(select(System)).all():
        for environment in system.environments:
            version = BASELINE.get(system.name, "1.0.0.0")
            if system.name == "ISDS" and environment.name == "UIT":
                version = "3.4.0.0"
            baseline.record_baseline(manager, system.id, environment.id, version, since,
                                     "Versions in place when the programme adopted Release Desk")


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
        # RCM 4.1, Table 10 step 2: the rollout plan (required for Major and Minor releases).
        "resources_required": "Release engineer and on-call application support for the window; pipeline and "
                              "environment access; the SIT test harness for the smoke test.",
        "timings": "T+0 freeze message flow; T+15 min deploy; T+45 min smoke test; T+75 min re-open message flow "
                   "and confirm to the Release Manager.",
        "communications_required": "Planned outage notice to the environment's participants a business day ahead; "
                                   "start and completion messages on the SIT channel; the release note once deployed.",
        "runbook_reference": extra.get("runbook_reference", f"RB-{system}-{version}"),
        "known_issues": "Acknowledgements may arrive out of order during the first hour after deployment; "
                        "resend if none is received after 10 minutes.",
        "installation_instructions": "Deployed by the Central Party through its release pipeline; no participant "
                                     "action needed.",
        "environment_ids": _envs(*environments),
        "defects": [{"defect_id": d, "severity": s, "summary": t, "found_in_id": _envs(f)[0]}
                    for d, s, t, f in defects],
        "change_requests": [{"cr_id": c, "title": t, "summary": s} for c, t, s in crs],
        "build_reference": extra.get("build_reference", ""), "build_sha256": extra.get("build_sha256", ""),
        "dev_test_evidence": extra.get("dev_test_evidence", ""), "not_carried_reason": "",
        "promotion_reason": extra.get("promotion_reason", ""),
    })
    services.submit(author, rfc)
    return rfc


def seed_demo_rfcs():
    """Adds the demo RFCs once; returns how many were added."""
    if db.session.scalar(select(func.count()).select_from(Rfc)):
        return 0
    now = utcnow()
    seed_demo_baseline()
    next_week = add_business_days(now, 5).replace(hour=9, minute=0, second=0, microsecond=0)
    soon = add_business_days(now, 2).replace(hour=9, minute=0, second=0, microsecond=0)

    # History: a clean patch to both SIT environments, closed; and an ISDS patch to SIT-A that needed a fix forward
    # (so SIT-A and SIT-B now differ), whose defects have been retested: one passed, one failed, one waits.
    patch = _raise("dip@demo.test", "DIP", ReleaseType.PATCH, "1.0.1.0", "DIP weekly patch", ("SIT-A", "SIT-B"), soon,
                   defects=[("DEF-0987", "Medium", "Duplicate acknowledgement on reconnect", "SIT-B")])
    _approve(patch, "rm.sit@demo.test")
    _deployed(patch, 12, {"SIT-A": (Outcome.DEPLOYED, ""), "SIT-B": (Outcome.DEPLOYED, "")})
    services.close(_user(MANAGER), patch, "Deployed to SIT-A and SIT-B inside the window; smoke tests passed.", "",
                   "")
    isds = _raise("helix@demo.test", "ISDS", ReleaseType.PATCH, "3.4.2.0", "ISDS settlement-day fixes", ("SIT-A",),
                  soon, rollback_plan="", reason="Fixes for SIT Settlement testing; SIT-B follows next week.",
                  defects=[("DEF-2001", "High", "Standing data rejected for new GSP group", "SIT-A"),
                           ("DEF-2002", "Medium", "Wrong effective date on LLF changes", "SIT-A"),
                           ("DEF-2003", "Low", "Audit report misses the run time", "SIT-A")])
    _approve(isds, "rm.sit@demo.test")
    _deployed(isds, 5, {"SIT-A": (Outcome.FIXED_FORWARD, "3.4.2.1")},
              issues="Start-up failed on a missing configuration key.",
              resolutions="Fixed forward with 3.4.2.1, adding the key.")
    helix = _user("helix@demo.test")
    first, second = isds.defects[0], isds.defects[1]
    services.record_retest(helix, first, RetestResult.PASSED, "Accepted in the settlement-day run.", "")
    services.record_retest(helix, second, RetestResult.FAILED, "Effective date still one day late.", "DEF-2107")
    # The fix forward's review: a work-off action Helix owns, on Helix's home page until it is done (RCM 5.2).
    services.add_work_off_action(_user(MANAGER), isds, {
        "text": "Add the configuration-key check to the ISDS deployment pipeline", "owner_email": "helix@demo.test",
        "due": to_london(now).date() + timedelta(days=10)})
    dip = _raise("dip@demo.test", "DIP", ReleaseType.MINOR, "1.1.0.0", "DIP 1.1 for SIT Functional cycle 3",
                 ("SIT-A", "UIT"), next_week,
                 defects=[("DEF-1042", "High", "Acknowledgement lost when a message is retried", "SIT-A"),
                          ("DEF-1057", "Medium", "Schema validation slow for large payloads", "UIT")],
                 crs=[("CR-031", "New acknowledgement code", "Adds code 207 for duplicate messages")],
                 build_reference="dip-release-1.1.0.0+build.412",
                 build_sha256="3f9a6c1e0b7d4a2f8e5c9b1d7a3e6f0c2b8d4e1a9c7f5b3d0e2a4c6f8b1d3e5a")
    _approve(dip, "rm.sit@demo.test", "rm.uit@demo.test")
    # Next week's schedule: LSS asks for a window over DIP's in SIT-A, and MPRS's runs into its gate closure.
    lss = _raise("helix@demo.test", "LSS", ReleaseType.MINOR, "1.7.0.0", "LSS load-shaping profiles for cycle 3",
                 ("SIT-A",), next_week + timedelta(hours=1), rollback_plan="",
                 reason="New load-shaping profiles needed by SIT Functional cycle 3.")
    # RCM §13: shared before approval with Avanade and Northwold; one has no objection, the other objects.
    services.consult(_user(MANAGER), lss, list(db.session.scalars(select(Organisation.id).where(
        Organisation.name.in_(("Avanade", "Northwold Energy"))))))
    services.answer_consultation(_user("dip@demo.test"), lss, ConsultationResponse.NO_OBJECTION, "")
    services.answer_consultation(_user("supplier@demo.test"), lss, ConsultationResponse.OBJECTION,
                                 "Our SIT-A regression run for cycle 3 is booked in that window; a day later suits.")
    mprs_day = to_london(next_week + timedelta(days=1)).date()
    mprs = _raise("mprs@demo.test", "MPRS", ReleaseType.PATCH, "1.0.1.0", "MPRS weekly patch", ("SIT-A",),
                  london_to_utc(datetime.combine(mprs_day, time(14))),
                  defects=[("DEF-1101", "High", "Gate closure batch skips late reads", "SIT-A")], rollback_plan="")
    # ...shared with Northwold, which has not answered yet: on its home page until it does (RCM §13).
    services.consult(_user(MANAGER), mprs, list(db.session.scalars(select(Organisation.id).where(
        Organisation.name == "Northwold Energy"))))
    _raise("dip@demo.test", "DIP", ReleaseType.EMERGENCY, "1.1.0.1", "DIP emergency fix for blocked SIT-A testing",
           ("SIT-A",), now + timedelta(hours=3), defects=[("DEF-1120", "Critical", "Inbound queue stalls", "SIT-A")],
           dev_test_evidence="Replayed the stalled queue in DEV: 5,000 messages drained, component tests green "
                             "(pipeline run 1187).")
    # UIT first (RCM §8.1): an MDS patch for a defect found in UIT went there alone; it is owed to SIT.
    uit_first = _raise("helix@demo.test", "MDS", ReleaseType.PATCH, "2.0.1.0", "MDS fix for a UIT-found defect",
                       ("UIT",), soon, rollback_plan="", promotion_reason="UIT first: defect found in UIT",
                       reason="Fixes a defect found in UIT; SIT-A and SIT-B take it at the next opportunity.",
                       defects=[("DEF-1210", "High", "Consumption read rejected for a migrated MPAN", "UIT")])
    _approve(uit_first, "rm.uit@demo.test")
    _deployed(uit_first, 3, {"UIT": (Outcome.DEPLOYED, "")})
    # A window that passed two days ago with no outcome recorded yet: on the Release Manager's home to follow up.
    mds = _raise("helix@demo.test", "MDS", ReleaseType.PATCH, "2.0.2.0", "MDS meter data validation patch",
                 ("SIT-B",), soon, rollback_plan="",
                 defects=[("DEF-1133", "Medium", "Half-hourly reads rejected after a clock change", "SIT-B")])
    _approve(mds, "rm.sit@demo.test")
    mds.window_start = utcnow() - timedelta(days=2)
    mds.window_end = mds.window_start + timedelta(hours=2)
    mds.approved_at = mds.window_start - timedelta(days=1)
    db.session.commit()
    # A DIP release the Release Manager sent back: DIP's home lists it with the comment, beside its drafts. Its
    # window falls in the week after next, which the demo's SIT-B freeze covers (schedule/demo.py).
    asked = _raise("dip@demo.test", "DIP", ReleaseType.MINOR, "1.2.0.0", "DIP 1.2 archive endpoint", ("SIT-B",),
                   next_week + timedelta(days=7))
    services.decide(_user(MANAGER), asked, Decision.CHANGES_REQUESTED,
                    "The window falls in the SIT-B freeze for the performance runs: move it to the week after, "
                    "and add how long the rollback takes.")
    return 9
