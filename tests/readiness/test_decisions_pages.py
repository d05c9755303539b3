"""What a newcomer meets in the demo (proving tests for SIT-A, a conditional GO with an open condition, last
month's EWG with minutes and two actions, the next one's agenda), and the decision on the calendar and in the
weekly report."""
from datetime import timedelta

from sqlalchemy import select

from mhhs.audit.models import AuditEvent
from mhhs.core.time import to_london
from mhhs.demo import seed_everything
from mhhs.extensions import db
from mhhs.readiness.decisions_demo import seed_demo_decisions
from mhhs.readiness.models import EwgMeeting, ProvingTest, ReadinessDecision
from mhhs.readiness.owned import today
from mhhs.reports.weekly import build
from tests.readiness.decisions_factory import make_decision, user


def test_the_demo_shows_proving_a_conditional_go_and_the_ewg(app, as_user):
    with app.app_context():
        seed_everything(demo=True)
        assert seed_demo_decisions() == 0  # running it again adds nothing
        assert db.session.scalar(select(db.func.count()).select_from(ReadinessDecision)) == 1
        decision = db.session.scalar(select(ReadinessDecision))
        assert decision.outcome.value == "conditional_go" and decision.environment.name == "SIT-A"
        assert [c.done_at for c in decision.conditions] == [None]
        assert db.session.scalar(select(db.func.count()).select_from(ProvingTest)) >= 4
        meetings = db.session.scalars(select(EwgMeeting).order_by(EwgMeeting.held_on)).all()
        held = [m for m in meetings if m.held_on <= today()]
        ahead = [m for m in meetings if m.held_on > today()]
        assert held[-1].minutes and len(held[-1].actions) == 2 and held[-1].minutes_sent_at
        # The past meeting's agenda was sent before its day, as it stood then: not today's decision's condition.
        assert to_london(held[-1].agenda_sent_at).date() < held[-1].held_on
        sent = " ".join(i["text"] for section in held[-1].agenda_sent for i in section["items"])
        # Its audit row says it was sent then, as if it had happened, not when the demo was seeded.
        assert db.session.scalar(select(AuditEvent.at).where(AuditEvent.action == "ewg.agenda_sent",
                                                             AuditEvent.object_id == held[-1].id)) \
            == held[-1].agenda_sent_at
        assert "Prove the DIP message-queue alert fires" not in sent
        # The connectivity sign-offs are of the proving matrix's participants (Fenland's signed off, Lanternway's not).
        from mhhs.participants.proving import proving_participants
        from mhhs.readiness.decisions import connectivity
        rows = connectivity(decision.environment, None)["rows"]
        assert [r[0] for r in rows] == [p.organisation.name for p in db.session.scalars(
            proving_participants(decision.environment_id))]
        states = {name: state for name, state, _ in rows}
        assert len(states) >= 3 and "Signed off" in states.values() and "Not signed off" in states.values()
        assert [r[0] for r in decision.snapshot["sections"][-1]["rows"]] == [r[0] for r in rows]
        next_id = ahead[0].id
    dip_home = as_user("dip@demo.test").get("/").get_data(as_text=True)
    assert "Prove the DIP message-queue alert fires" in dip_home
    manager = as_user("rm.sit@demo.test")
    grid = manager.get("/readiness/proving?environment=").get_data(as_text=True)
    assert "Failed" in grid and "Not run" in grid and "Passed" in grid
    agenda = manager.get(f"/readiness/ewg/{next_id}").get_data(as_text=True)
    assert "Prove the DIP message-queue alert fires" in agenda and "Send the agenda to the EWG list" in agenda
    assert "CONDITIONAL GO" in manager.get("/readiness/decisions").get_data(as_text=True)
    # The pages the accessibility test reads by id exist in the demo.
    for url in ("/readiness/proving/2/1/monitoring", "/readiness/decisions/new?stage=1", "/readiness/decisions/1",
                "/readiness/ewg/1", "/readiness/ewg/2"):
        assert manager.get(url).status_code == 200, url


def test_a_decision_is_on_the_calendar_and_in_the_weekly_report(app, as_user):
    with app.app_context():
        decision = make_decision()
        decided = decision.decided_at
        monday = today() - timedelta(days=today().weekday())
        report = build(user(), monday, decided + timedelta(minutes=1))
        assert [d.id for d in report.decisions["decisions"]] == [decision.id]
        assert report.decisions["proving"] and report.decisions["overdue"] == []
    calendar = as_user("dip@demo.test").get("/calendar?view=week").get_data(as_text=True)
    assert "CONDITIONAL GO" in calendar and "SIT Functional cycle 4 in SIT-A" in calendar
    # a Test Participant may not open a decision (it shows every participant's readiness): not on its calendar
    assert "CONDITIONAL GO" not in as_user("supplier@demo.test").get("/calendar?view=week").get_data(as_text=True)
    weekly = as_user("rm.sit@demo.test").get("/reports/weekly").get_data(as_text=True)
    assert "GO / NO-GO decisions" in weekly and "Environment proving tests passed" in weekly


READERS_ONLY = ["/readiness/decisions", "/readiness/decisions/{decision}", "/readiness/decisions/{decision}/pdf",
                "/readiness/ewg", "/readiness/ewg/{meeting}", "/readiness/ewg/{meeting}/agenda.pdf",
                "/readiness/ewg/{meeting}/minutes.pdf"]


def test_a_test_participant_reads_no_decision_nor_ewg_page_but_marks_its_condition_done_from_home(app, as_user):
    from mhhs.readiness import ewg
    from tests.readiness.decisions_factory import condition, make_meeting
    with app.app_context():
        decision_id = make_decision(conditions=[condition(owner="organisation:Northwold Energy")]).id
        meeting = make_meeting(today() - timedelta(days=40))
        ewg.save_minutes(user(), meeting, "Attendance: everyone.")
        meeting_id = meeting.id
    urls = [u.format(decision=decision_id, meeting=meeting_id) for u in READERS_ONLY]
    central, participant = as_user("dip@demo.test"), as_user("supplier@demo.test")
    assert [central.get(u).status_code for u in urls] == [200] * len(urls)
    assert [participant.get(u).status_code for u in urls] == [403] * len(urls)
    home = participant.get("/").get_data(as_text=True)
    assert "Prove the DIP alert" in home and f"/readiness/decisions/{decision_id}" not in home
    with app.app_context():
        condition_id = db.session.get(ReadinessDecision, decision_id).conditions[0].id
    response = participant.post(f"/readiness/conditions/{condition_id}/done")
    assert response.status_code == 303 and response.location.endswith("/")  # home, not a page it may not read
