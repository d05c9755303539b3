"""Helpers shared by several test modules (no test module imports another): logging in and filling forms in the
browser, the mail outbox, the API's JSON body, PDF text, the fuzzers' odd values and invariants, and the route
samples of the role x route matrix. Objects themselves are made by the factories (tests/*/factory.py)."""
import io
import time
from datetime import date, timedelta

from icalendar import Calendar
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import delete, select, text

from mhhs.allocation.models import Slot, StageOverlap, TestPhase
from mhhs.allocation.services import add_stage, add_tranche
from mhhs.api.models import ApiToken
from mhhs.api.services import create_token
from mhhs.certificates.models import Certificate, PkiOfficer
from mhhs.core.permissions import Role
from mhhs.core.time import utc_to_london_naive, utcnow
from mhhs.directory.models import Environment, MajorRelease, MarketRole, Organisation, System, User
from mhhs.directory.reference_data import DEMO_PASSWORD
from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from mhhs.mail.services import queue
from mhhs.notifications.models import MailGroup
from mhhs.outages.models import Outage
from mhhs.participants.models import Participant, ParticipantKind, ProvingStep, Route, StepStatus, Tranche
from mhhs.readiness import criteria
from mhhs.readiness.models import EntryCriterion
from mhhs.rfcs.models import Defect, Rfc, WorkOffAction
from mhhs.schedule.services import add_freeze, feed_token
from mhhs.windows.models import Freeze
from tests.allocation.factory import at, book, next_monday
from tests.certificates.factory import make_certificate, make_officer
from tests.nav import account_link
from tests.outages.factory import make_outage
from tests.participants.factory import make_environment, make_participant, make_participant_outage
from tests.readiness import decisions_factory as readiness
from tests.readiness.factory import make_criterion
from tests.readiness.factory import user as readiness_user
from tests.rfcs.factory import approve, env_ids, make_rfc, next_week

# Browser journeys -------------------------------------------------------------------------------------------------

def local(delta):
    return utc_to_london_naive(utcnow() + delta).strftime("%Y-%m-%dT%H:%M")


def fill_rfc(page, release_type="Minor", start=timedelta(days=8), defects=(), crs=(),
             environments=("SIT-A (SIT)", "UIT (UIT)")):
    page.get_by_label("System").select_option("DIP")
    page.get_by_label("Release type").select_option(release_type)
    expect(page.get_by_label("Version")).not_to_have_value("")  # proposed from the system's history
    page.get_by_label("Title", exact=True).fill("DIP ack handling")
    page.get_by_label("Reason", exact=True).fill("Fixes found in SIT Functional")
    for environment in environments:
        page.get_by_label(environment).check()
    page.get_by_label("Window start").fill(local(start))
    page.get_by_label("Window end").fill(local(start + timedelta(hours=2)))
    page.get_by_label("Expected downtime (minutes)").fill("30")
    page.get_by_label("Implementation plan").fill("Blue/green switch-over")
    page.get_by_label("Rollback plan").fill("Switch back to blue")
    page.get_by_label("Stakeholders impacted").fill("All SIT and UIT participants")
    page.get_by_label("Resources required").fill("Release engineer and on-call support")  # RCM 4.1 rollout plan
    page.get_by_label("Timings").fill("T+0 deploy, T+30 smoke test")
    page.get_by_label("Communications required").fill("Start and end messages to the participants")
    page.get_by_label("Runbook reference").fill("RB-DIP-7")
    for i, (defect_id, severity, summary, found_in) in enumerate(defects):
        page.get_by_role("button", name="Add defect").click()
        expect(page.get_by_label("Defect ID", exact=True)).to_have_count(i + 1)
        page.get_by_label("Defect ID", exact=True).nth(i).fill(defect_id)
        page.get_by_label("Severity", exact=True).nth(i).select_option(severity)
        page.get_by_label("Summary", exact=True).nth(i).fill(summary)
        page.get_by_label("Found in", exact=True).nth(i).select_option(found_in)
    for i, (cr_id, title, summary) in enumerate(crs):
        page.get_by_role("button", name="Add change request").click()
        expect(page.get_by_label("CR ID", exact=True)).to_have_count(i + 1)
        page.get_by_label("CR ID", exact=True).nth(i).fill(cr_id)
        page.get_by_label("CR title", exact=True).nth(i).fill(title)
        page.get_by_label("CR summary", exact=True).nth(i).fill(summary)
    page.get_by_label("Known issues").fill("Retry needed after failover")
    page.get_by_label("Installation instructions").fill("Run the release pipeline")


def log_out(page):
    account_link(page, "Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def approved_yesterday(app, rfc_url):
    """The deployment happened after the approval and is recorded afterwards: the approval moves a day back."""
    with app.app_context():
        rfc = db.session.get(Rfc, int(rfc_url.rstrip("/").rsplit("/", 1)[1]))
        rfc.approved_at = utcnow() - timedelta(days=1)
        db.session.commit()

# Mail and communications ------------------------------------------------------------------------------------------

def approved_rfc(app):
    with app.app_context():
        rfc_id = make_rfc(defects=[{"defect_id": f"DEF-{i}", "severity": "High", "summary": f"Fix {i}",
                                    "found_in_id": env_ids("SIT-A")[0]} for i in (501, 502, 503)])
        approve(rfc_id, "rm.sit@demo.test")
        # The notifications of its submission and approval (tests/mail/test_notifications.py) are set aside.
        db.session.execute(delete(OutboxMessage))
        db.session.commit()
    return rfc_id


def org_ids(app, *names):
    with app.app_context():
        return list(db.session.scalars(select(Organisation.id).where(Organisation.name.in_(names))))


def statuses(app):
    with app.app_context():
        db.session.expire_all()
        return [m.status for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def wait_until_settled(app, rounds=200):
    # Delivery runs in a background thread after the response; wait for it (bounded), then check the outcome.
    for _ in range(rounds):
        if not {"pending", "sending"} & set(statuses(app)):
            return
        time.sleep(0.05)


def communicate(client, rfc_id, organisations, kind="release", **extra):
    form = client.get(f"/rfcs/{rfc_id}/communicate/{kind}").get_data(as_text=True)
    subject = form.split('name="subject"')[1].split('value="')[1].split('"')[0]
    return client.post(f"/rfcs/{rfc_id}/communicate/{kind}", {"organisation_ids": organisations, "subject": subject,
                                                              "body": "Please read the attached release note.",
                                                              **extra})

# The API ----------------------------------------------------------------------------------------------------------

def feed_events(response):
    """A calendar feed's events by UID."""
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return {str(e["UID"]): e for e in Calendar.from_ical(response.data).walk("VEVENT")}


def iso(moment):
    return moment.isoformat() + "Z"


def rfc_body(**overrides):
    start = next_week()
    body = {"system": "DIP", "release_type": "Minor", "version": "1.1.0.0", "title": "DIP 1.1.0.0",
            "reason": "Fixes for SIT Functional testing", "environments": ["SIT-A"], "window_start": iso(start),
            "window_end": iso(start + timedelta(hours=2)), "expected_downtime": 30,
            "implementation_plan": "Blue/green switch", "rollback_plan": "Switch back",
            "stakeholders_impacted": "All SIT participants", "known_issues": "None",
            "installation_instructions": "Run the pipeline",
            "resources_required": "Release engineer and on-call support", "timings": "T+0 deploy, T+30 smoke test",
            "communications_required": "Start and end messages to SIT participants", "runbook_reference": "RB-42",
            "defects": [{"defect_id": "DEF-101", "severity": "High", "summary": "Timeout on ack", "found_in": "SIT-A"}]}
    body.update(overrides)
    return body

# PDFs -------------------------------------------------------------------------------------------------------------

def pdf_pages(response):
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return reader, [page.extract_text() for page in reader.pages]

# Fuzzing (tests/core/test_property_fuzz.py) --------------------------------------------------------------------------

ODD = ["", "0", "-1", "1", "99999999999999999999", "-99999999999999999999", "1e99", "NaN", "2026-13-45T25:61",
       "2026-02-30 10:00", "0000-00-00", "9999-12", "9999-12-31", "0001-01-01", "2026-13", "week", "carry:abc",
       "carry:", "carry:99999999999999999999", "remove_defect:1:2",
       "remove_defect:x", "remove_change_request:-1", "add_defect", "add_change_request", "submit", "save",
       "approve", "reject", "request_changes", "queue", "yes", "Major", "Emergency", "SIT-A", "\x00", "\r\n",
       "../../etc/passwd", "=HYPERLINK(\"x\")", "☃ Zürich", "<script>alert(1)</script>", "x" * 100_000]


# After every request these hold: what a refused request began is never left half-written.
INVARIANTS = {
    "a submitted RFC without its revision": """SELECT count(*) FROM rfcs r WHERE r.revision > 0 AND NOT EXISTS
        (SELECT 1 FROM rfc_revisions v WHERE v.rfc_id = r.id AND v.number = r.revision)""",
    "an RFC past draft never submitted": "SELECT count(*) FROM rfcs WHERE status NOT IN ('draft', 'withdrawn') "
                                        "AND submitted_at IS NULL",
    "an outage without systems": """SELECT count(*) FROM outages o WHERE NOT EXISTS
        (SELECT 1 FROM outage_systems s WHERE s.outage_id = o.id)""",
    "an approved RFC without an approval": """SELECT count(*) FROM rfcs r WHERE r.status = 'approved' AND NOT EXISTS
        (SELECT 1 FROM rfc_approvals a WHERE a.rfc_id = r.id)""",
}


def check_invariants(app, response, what):
    assert response.status_code < 500, f"{what}: {response.status_code}"
    with app.app_context():
        broken = {name: db.session.scalar(text(sql)) for name, sql in INVARIANTS.items()}
    assert not any(broken.values()), f"{what}: {broken}"

# Route samples (tests/core/test_permissions.py, tests/core/test_property_fuzz.py) ---------------------------------

USERS = {
    Role.RELEASE_MANAGER: "rm.sit@demo.test",
    Role.CENTRAL_PARTY: "dip@demo.test",
    Role.TEST_PARTICIPANT: "supplier@demo.test",
}


# For each route argument, how to find a real object to use in the URL.
ARGUMENTS = {
    ("directory.edit_environment", "obj_id"): lambda: db.session.scalar(select(Environment.id)),
    ("directory.edit_market_role", "obj_id"): lambda: db.session.scalar(select(MarketRole.id)),
    ("directory.edit_major_release", "obj_id"): lambda: db.session.scalar(select(MajorRelease.id)),
    ("directory.edit_organisation", "obj_id"): lambda: db.session.scalar(select(Organisation.id)),
    ("directory.edit_system", "obj_id"): lambda: db.session.scalar(select(System.id)),
    ("directory.edit_user", "user_id"): lambda: db.session.scalar(select(User.id)),
    ("notifications.edit_mail_group", "group_id"): lambda: db.session.scalar(select(MailGroup.id)),
    ("directory.reset_password",
     "user_id"): lambda: db.session.scalar(select(User.id).where(User.email == "supplier@demo.test")),
    ("auth.unlock", "user_id"): lambda: db.session.scalar(select(User.id).where(User.email == "helix@demo.test")),
    ("certificates.detail", "certificate_id"): lambda: sample_certificate(),
    ("certificates.delete", "certificate_id"): lambda: sample_certificate(),
    ("certificates.download", "certificate_id"): lambda: sample_certificate(),
    ("certificates.remove_officer", "officer_id"): lambda: sample_officer(),
    **{(endpoint, "rfc_id"): lambda: sample_rfc() for endpoint in (
        "rfcs.detail", "rfcs.edit", "rfcs.withdraw", "rfcs.decide", "rfcs.governance",
        "rfcs.tick", "rfcs.deployment", "rfcs.close", "rfcs.revision", "rfcs.rfc_pdf",
        "release_notes.release_note_pdf", "release_notes.communicate", "release_notes.acknowledge",
        "release_notes.remind_readers",
        "rfcs.add_work_off_action", "rfcs.consult", "rfcs.answer_consultation")},
    ("rfcs.finish_work_off_action", "action_id"): lambda: sample_work_off_action(),
    ("release_notes.communicate", "kind"): lambda: "release",
    **{(endpoint, "outage_id"): lambda: sample_outage() for endpoint in ("outages.edit", "outages.detail",
                                                                          "outages.end", "outages.post_update",
                                                                          "outages.cancel")},
    ("outages.from_rfc", "rfc_id"): lambda: sample_rfc(),
    **{(endpoint, "message_id"): lambda: sample_message() for endpoint in (
        "mail.row", "mail.retry_message", "mail.attachment")},
    ("rfcs.revision", "number"): lambda: 1,
    ("baseline.cell", "environment_id"): lambda: db.session.scalar(select(Environment.id)),
    ("baseline.cell", "system_id"): lambda: db.session.scalar(select(System.id)),
    ("retests.retest", "defect_id"): lambda: sample_defect(),
    ("schedule.lift_freeze", "freeze_id"): lambda: sample_freeze(),
    ("schedule.remove_test_phase", "phase_id"): lambda: sample_test_phase(),
    ("schedule.feed", "token"): lambda: sample_feed_token(),
    ("schedule.feed", "environment_id"): lambda: db.session.scalar(select(Environment.id)),
    ("api_pages.revoke_token", "token_id"): lambda: sample_token(),
    # participants (issue 26a): the supplier's own register entry, its SIT-A environment and an outage of it
    **{(endpoint, "participant_id"): lambda: make_participant().id for endpoint in (
        "participants.participant", "participants.edit_participant", "participants.environment_manager",
        "participants.add_environment")},
    **{(endpoint, "participant_environment_id"): lambda: make_environment().id for endpoint in (
        "participants.edit_environment", "participants.log_outage", "participants.remove_environment")},
    ("participants.end_outage", "participant_outage_id"): lambda: make_participant_outage().id,
    **{(endpoint, "participant_id"): lambda: sample_participant() for endpoint in (
        "readiness.participant", "readiness.meet", "readiness.waive", "readiness.reopen", "readiness.evidence",
        "readiness.standing_data")},
    **{(endpoint, "criterion_id"): lambda: sample_criterion() for endpoint in (
        "readiness.edit_criterion", "readiness.meet", "readiness.waive", "readiness.reopen")},
    ("readiness.remove_criterion", "criterion_id"): lambda: make_criterion("Removed by the matrix").id,
    ("readiness.evidence", "criterion_id"): lambda: sample_evidence(),
    ("readiness.system_health", "system_id"): lambda: db.session.scalar(select(System.id).where(System.name == "DIP")),
    # Connectivity proving (issue 26): Northwold's steps in the first environment, step 3 with an evidence file.
    **{(endpoint, argument): sample for endpoint in ("proving.page", "proving.record_step", "proving.evidence",
                                                     "proving.sign_off", "proving.void")
       for argument, sample in (("participant_id", lambda: sample_proving()[0]),
                                ("environment_id", lambda: sample_proving()[1]))},
    **{(endpoint, "step"): lambda: 3 for endpoint in ("proving.record_step", "proving.evidence")},
    # Readiness: proving tests, GO / NO-GO decisions, the EWG (issue 28 part B)
    ("decisions.record_proving", "environment_id"): lambda: readiness.environment("SIT-A").id,
    ("decisions.record_proving", "system_id"): lambda: readiness.system("DIP").id,  # the Central Party's own
    ("decisions.record_proving", "kind"): lambda: "network",
    ("decisions.decision", "decision_id"): lambda: sample_decision(),
    ("decisions.decision_pdf", "decision_id"): lambda: sample_decision(),
    ("decisions.finish_condition", "condition_id"): lambda: sample_condition(),
    ("decisions.finish_action", "action_id"): lambda: sample_ewg_action(),
    **{(endpoint, "meeting_id"): lambda: sample_meeting() for endpoint in (
        "decisions.ewg_meeting", "decisions.edit_meeting", "decisions.send_agenda", "decisions.send_minutes",
        "decisions.save_minutes", "decisions.add_action", "decisions.agenda_pdf", "decisions.minutes_pdf")},
    **{(endpoint, "slot_id"): lambda: sample_slot() for endpoint in (
        "allocation.cancel", "allocation.cancel_series", "allocation.accept", "allocation.move",
        "allocation.move_form", "allocation.approve", "allocation.decline")},
    **{(endpoint, "tranche_id"): lambda: sample_tranche() for endpoint in (
        "allocation.place", "allocation.take_out", "allocation.edit_tranche_form", "allocation.edit_tranche",
        "allocation.remove_tranche")},
    **{(endpoint, "overlap_id"): lambda: sample_overlap() for endpoint in (
        "allocation.edit_overlap_form", "allocation.edit_overlap", "allocation.remove_overlap")},
    ("allocation.take_out", "participant_id"): lambda: make_participant().id,
}


# Routes that need more than a plain GET or an empty POST to show their rule.
SKIP = {"static"}


# The API takes tokens, not the session: its own matrix is in tests/api/test_api.py.
API = "api."


def sample_participant():
    """Northwold Energy (the demo Test Participant's organisation) on the SIT route: Avanade may not reach it."""
    found = db.session.scalar(select(Participant.id).join(Participant.organisation)
                              .where(Organisation.name == "Northwold Energy"))
    return found or make_participant().id


def sample_criterion():
    """A SIT criterion met by hand, which applies to the sample participant."""
    sample_participant()
    return db.session.scalar(select(EntryCriterion.id).where(EntryCriterion.text == "Test plan approved")) \
        or make_criterion("Test plan approved").id


def sample_evidence():
    """A criterion the sample participant met with a file."""
    found = db.session.scalar(select(EntryCriterion.id).where(EntryCriterion.text == "Test data loaded"))
    if found:
        return found
    participant = db.session.get(Participant, sample_participant())
    criterion = make_criterion("Test data loaded", evidence_required=True)
    criteria.meet(readiness_user("supplier@demo.test"), participant, criterion, "",
                  ("load.txt", "text/plain", b"12,000 MPANs loaded"))
    return criterion.id


def sample_certificate():
    """A certificate of the supplier's organisation: others must not reach it (404), managers may look."""
    return db.session.scalar(select(Certificate.id)) or make_certificate("Northwold Energy", "SIT-A").id


def sample_rfc():
    """Avanade's submitted RFC: its Central Party and managers see it, a Test Participant gets 404."""
    return db.session.scalar(select(Rfc.id)) or make_rfc()


def sample_defect():
    """A defect of Avanade's submitted RFC (not yet public, not yet ready for retest)."""
    return db.session.scalar(select(Defect.id).where(Defect.rfc_id == sample_rfc()))


def sample_outage():
    """An ongoing DIP outage logged by Avanade: a Test Participant may read it but not change it."""
    return db.session.scalar(select(Outage.id)) or make_outage("dip@demo.test").id


def sample_message():
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.attachment_name.is_not(None)))
    if message is None:
        message = queue(["someone@demo.test"], "Subject", "Body", attachment=("note.pdf", b"%PDF-1.7"))
        db.session.commit()
    return message.id


def sample_work_off_action():
    """An open work-off action owned by the Central Party: a Test Participant does not reach it (404)."""
    action = db.session.scalar(select(WorkOffAction))
    if action is None:
        owner = db.session.scalar(select(User).where(User.email == USERS[Role.CENTRAL_PARTY]))
        action = WorkOffAction(rfc_id=sample_rfc(), text="Automate the check", owner_id=owner.id,
                               due=date.today() + timedelta(days=7), created_by_id=owner.id)
        db.session.add(action)
        db.session.commit()
    return action.id


def sample_decision():
    """A conditional GO whose condition the programme (the Release Managers' organisation) owns."""
    from mhhs.readiness.models import ReadinessDecision
    found = db.session.scalar(select(ReadinessDecision.id))
    owned = readiness.condition(owner="organisation:MHHS Programme (SI)")
    return found or readiness.make_decision(conditions=[owned]).id


def sample_condition():
    """Owned by the programme's organisation: a Central Party or a Test Participant does not reach it (404)."""
    from mhhs.readiness.models import DecisionCondition
    sample_decision()
    return db.session.scalar(select(DecisionCondition.id))


def sample_meeting():
    """An EWG meeting held in the past, with minutes."""
    from mhhs.readiness.models import EwgMeeting
    meeting = db.session.scalar(select(EwgMeeting).where(EwgMeeting.month == date(2026, 1, 1)))
    if meeting is None:
        meeting = EwgMeeting(month=date(2026, 1, 1), held_on=date(2026, 1, 6), minutes="Sample minutes",
                             dropped_items=[], extra_items="")
        db.session.add(meeting)
        db.session.commit()
    return meeting.id


def sample_ewg_action():
    """Owned by the programme's organisation: others do not reach it (404)."""
    from mhhs.readiness.models import EwgAction
    found = db.session.scalar(select(EwgAction.id))
    if found is None:
        manager = db.session.scalar(select(User).where(User.email == USERS[Role.RELEASE_MANAGER]))
        action = EwgAction(meeting_id=sample_meeting(), text="Sample action", due_on=date.today() + timedelta(days=9),
                           owner_organisation_id=manager.organisation_id, created_by_id=manager.id)
        db.session.add(action)
        db.session.commit()
        found = action.id
    return found


def sample_officer():
    return db.session.scalar(select(PkiOfficer.id)) or make_officer("Northwold Energy").id


def sample_freeze():
    manager = db.session.scalar(select(User).where(User.email == USERS[Role.RELEASE_MANAGER]))
    return db.session.scalar(select(Freeze.id)) or add_freeze(manager, None, date(2030, 1, 1), date(2030, 1, 2),
                                                              "Sample").id


def sample_test_phase():
    manager = db.session.scalar(select(User).where(User.email == USERS[Role.RELEASE_MANAGER]))
    return db.session.scalar(select(TestPhase.id)) or add_stage(
        manager, "SIT Functional", db.session.scalar(select(Environment.id)), date(2030, 1, 1), date(2030, 2, 1)).id


def sample_slot():
    """Northwold Energy's request for a SIT-A slot (the Test Participant's own)."""
    monday = next_monday()
    return db.session.scalar(select(Slot.id)) or book([make_participant()], at(monday, 15), at(monday, 16),
                                                      by=USERS[Role.TEST_PARTICIPANT])[0].id


def sample_overlap():
    """A Release Manager's record that two exclusive stages of SIT-A may overlap."""
    found = db.session.scalar(select(StageOverlap.id))
    if found:
        return found
    manager = db.session.scalar(select(User).where(User.email == USERS[Role.RELEASE_MANAGER]))
    environment_id = db.session.scalar(select(Environment.id).order_by(Environment.position))
    for name in ("Sample stage A", "Sample stage B"):
        add_stage(manager, name, environment_id, date(2031, 1, 1), date(2031, 1, 2), exclusive=True,
                  may_overlap=True, overlap_reason="Sample")
    return db.session.scalar(select(StageOverlap.id))


def sample_tranche():
    manager = db.session.scalar(select(User).where(User.email == USERS[Role.RELEASE_MANAGER]))
    return db.session.scalar(select(Tranche.id)) or add_tranche(
        manager, Route.QUALIFICATION, "Tranche 1", db.session.scalar(select(Environment.id)), date(2030, 1, 1),
        date(2030, 2, 1), "Code Bodies").id


def sample_token():
    """The Central Party's API token: only its owner may revoke it."""
    owner = db.session.scalar(select(User).where(User.email == USERS[Role.CENTRAL_PARTY]))
    return db.session.scalar(select(ApiToken.id)) or create_token(owner, "Sample", ["read"],
                                                                  date.today() + timedelta(days=9),
                                                                  password=DEMO_PASSWORD)[0].id


def sample_proving():
    """(participant id, environment id): Northwold Energy's register entry, with its step 3 recorded with evidence in
    the first environment; other organisations reach neither (404)."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == "Northwold Energy"))
    participant = db.session.scalar(select(Participant).where(Participant.organisation_id == organisation.id))
    if participant is None:
        participant = Participant(organisation_id=organisation.id, kind=ParticipantKind.SUPPLIER, route=Route.SIT)
        db.session.add(participant)
        db.session.flush()
    environment_id = db.session.scalar(select(Environment.id).order_by(Environment.position))
    step = db.session.scalar(select(ProvingStep).where(ProvingStep.participant_id == participant.id,
                                                       ProvingStep.environment_id == environment_id,
                                                       ProvingStep.step == 3))
    if step is None:
        db.session.add(ProvingStep(participant_id=participant.id, environment_id=environment_id, step=3,
                                   status=StepStatus.IN_PROGRESS, evidence_name="webhooks.txt", evidence=b"200 OK"))
    db.session.commit()
    return participant.id, environment_id


def sample_feed_token():
    """The Test Participant's feed: anyone holding the URL reads it, logged in or not."""
    return feed_token(db.session.scalar(select(User).where(User.email == USERS[Role.TEST_PARTICIPANT])))
