"""The API of connectivity proving (scope `participants`): the matrix, a participant's steps, and step 4 recorded
by the participant's pipeline with the page's rules and an audit row that names the token."""
from sqlalchemy import select

from mhhs.audit.models import AuditEvent
from mhhs.directory.models import User
from mhhs.extensions import db
from mhhs.participants import proving
from tests.participants.proving_factory import certificates_for, environment, make_participant, officers_for

PROBLEM = "application/problem+json"


def prepared(app, upto=3, **kwargs):
    with app.app_context():
        participant = make_participant(**kwargs)
        officers_for(participant)
        certificates_for(participant)
        if upto >= 3:
            manager = db.session.scalar(select(User).where(User.email == "rm.sit@demo.test"))
            proving.record_step(manager, participant, environment("SIT-A"), 3,
                                {"status": proving.StepStatus.DONE, "blocked_by": "", "not_applicable_reason": "",
                                 "note": "", "message_id": "", "message_at": None})
        return participant.id


def test_the_pipeline_records_a_dip_message_and_the_manager_reads_the_matrix(app, api, make_token):
    participant_id = prepared(app)
    pipeline = make_token("supplier@demo.test", scopes=["participants"], name="NWEN pipeline")
    url = f"/participants/{participant_id}/proving/SIT-A"
    before = api("GET", url, pipeline)
    assert before.status_code == 200
    assert [s["status"] for s in before.json["steps"]] == ["done", "done", "done", "not_started", "not_started"]
    answer = api("POST", url + "/dip-message", pipeline, {"message_id": "NWEN-42", "sent_at": "2026-11-30T10:15:00Z"})
    assert answer.status_code == 200
    step_4 = answer.json["steps"][3]
    assert (step_4["status"], step_4["message_id"], step_4["message_at"]) == ("done", "NWEN-42",
                                                                              "2026-11-30T10:15:00+00:00")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "proving.step_recorded"
                                                           ).order_by(AuditEvent.id.desc()))
        assert "NWEN pipeline" in (event.via or "")
    manager = make_token("rm.sit@demo.test", scopes=["participants"])
    matrix = api("GET", "/participants/proving/SIT-A", manager)
    assert matrix.status_code == 200 and matrix.json["environment"] == "SIT-A"
    row, = matrix.json["participants"]
    assert row["organisation"] == "Northwold Energy" and row["signed_off_at"] is None
    assert [s["status"] for s in row["steps"]][:4] == ["done"] * 4
    assert api("GET", "/participants/proving/SIT-A", pipeline).status_code == 403  # the matrix is the managers'


def test_the_same_rules_refuse_by_field(app, api, make_token):
    participant_id = prepared(app, upto=2)
    pipeline = make_token("supplier@demo.test", scopes=["participants"])
    url = f"/participants/{participant_id}/proving/SIT-A/dip-message"
    early = api("POST", url, pipeline, {"message_id": "NWEN-1", "sent_at": "2026-11-30T10:15:00Z"})
    assert early.status_code == 422 and early.content_type == PROBLEM
    assert early.json["errors"][0]["field"] == "status"
    assert early.json["errors"][0]["detail"].startswith("Step 4 needs step 3, webhooks registered, done first")
    missing = api("POST", url, pipeline, {"message_id": "NWEN-1"})
    assert missing.status_code == 422 and "sent_at" in str(missing.json)


def test_an_ees_participant_and_another_organisation_are_refused(app, api, make_token):
    participant_id = prepared(app, market_roles=("EES",))
    body = {"message_id": "X-1", "sent_at": "2026-11-30T10:15:00Z"}
    url = f"/participants/{participant_id}/proving/SIT-A"
    ees = api("POST", url + "/dip-message", make_token("supplier@demo.test", scopes=["participants"]), body)
    assert ees.status_code == 422 and "EES market role" in ees.json["errors"][0]["detail"]
    other = make_token("dip@demo.test", scopes=["participants"])
    assert api("GET", url, other).status_code == 404
    assert api("POST", url + "/dip-message", other, body).status_code == 404
    assert api("GET", "/participants/proving/NOWHERE", make_token("rm.sit@demo.test", scopes=["participants"])
               ).status_code == 404
