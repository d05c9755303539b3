"""GO / CONDITIONAL GO / NO-GO (EAP §12.2): the snapshot is taken with the decision and never changes; the rules
of a decision refuse by field, storing nothing; who may decide; the decision goes to the chosen list with its PDF."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mhhs.core.time import utcnow
from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from mhhs.mail.services import attachment_of
from mhhs.participants.models import ConnectivitySignOff, Participant, ParticipantEnvironment, ParticipantKind, Route
from mhhs.readiness.models import DecisionCondition, ProvingKind, ReadinessDecision
from tests.helpers import pdf_pages
from tests.outages.factory import make_outage
from tests.readiness.decisions_factory import (
    condition,
    environment,
    ewg_list,
    make_decision,
    make_stage,
    organisation,
    prove,
    user,
)


def _participant(name="Northwold Energy"):
    participant = Participant(organisation_id=organisation(name).id, kind=ParticipantKind.SUPPLIER, route=Route.SIT)
    db.session.add(participant)
    db.session.flush()
    db.session.add(ParticipantEnvironment(participant_id=participant.id, name="NWE SIT",
                                          environment_id=environment().id))
    db.session.commit()
    return participant


def _section(snapshot, title):
    return next(s for s in snapshot["sections"] if s["title"] == title)


def test_the_snapshot_and_the_pdf_read_back_unchanged_after_the_evidence_changes(app, as_user):
    with app.app_context():
        prove(ProvingKind.NETWORK, "passed")
        make_outage("dip@demo.test", description="Queue stuck before the stage")
        participant_id = _participant().id
        decision_id = make_decision().id
        before = db.session.get(ReadinessDecision, decision_id).snapshot
    assert ["DIP", "Network", "Passed"] in [r[:3] for r in _section(before, "Environment proving tests")["rows"]]
    assert any("Queue stuck before the stage" in r for r in _section(before, "Open outages")["rows"])
    assert _section(before, "Connectivity sign-offs")["rows"] == [["Northwold Energy", "Not signed off", ""]]
    manager = as_user("rm.sit@demo.test")
    _, pdf_before = pdf_pages(manager.get(f"/readiness/decisions/{decision_id}/pdf"))
    # Everything the snapshot rested on changes afterwards...
    with app.app_context():
        prove(ProvingKind.NETWORK, "failed", evidence="DNS no longer resolves")
        make_outage("dip@demo.test", description="A later outage")
        db.session.add(ConnectivitySignOff(participant_id=participant_id, environment_id=environment().id,
                                           signed_by_id=user().id, signed_at=utcnow()))
        db.session.commit()
        after = db.session.get(ReadinessDecision, decision_id).snapshot
    # ...and the decision reads back what it rested on, on its page and in its PDF.
    assert after == before
    _, pdf_after = pdf_pages(manager.get(f"/readiness/decisions/{decision_id}/pdf"))
    assert pdf_after == pdf_before
    text = " ".join(" ".join(pdf_after).split())
    assert "CONDITIONAL GO" in text and "Queue stuck before the stage" in text and "A later outage" not in text
    assert "Not signed off" in text and "Page 1 of" in text
    page = manager.get(f"/readiness/decisions/{decision_id}").get_data(as_text=True)
    assert "DNS no longer resolves" not in page and "Not signed off" in page


GOOD = {"outcome": "conditional_go", "rationale": "Monitoring to be proven"}


@pytest.mark.parametrize("values, conditions, field, words", [
    ({"outcome": ""}, [], "outcome", "Choose GO, CONDITIONAL GO or NO-GO."),
    ({"outcome": "no_go", "rationale": ""}, [], "rationale", "Say why it is a NO-GO"),
    (GOOD, [], "condition_1_text", "A conditional GO needs at least one condition"),
    ({"outcome": "go"}, ["given"], "condition_1_text", "A GO has no conditions"),
    (GOOD, [{"owner": ""}], "condition_1_owner", "Choose who owns it"),
    (GOOD, [{"due_on": None}], "condition_1_due_on", "Enter the day it is due."),
    (GOOD, [{"due_in": -1}], "condition_1_due_on", "The due day has passed"),
    (GOOD, [{"text": ""}], "condition_1_text", "Say what is to be done."),
], ids=["no outcome", "no-go without reason", "conditional without condition", "go with condition",
        "condition without owner", "condition without due day", "condition due in the past", "condition no text"])
def test_a_decision_is_refused_by_field_and_nothing_is_stored(app, ctx, values, conditions, field, words):
    from mhhs.core.services import Invalid
    from mhhs.readiness import decisions
    stage, group = make_stage(), ewg_list()
    rows = []
    for change in conditions:
        row = condition(due_in=change.pop("due_in", 7)) if change != "given" else condition()
        if change != "given":
            row.update(change)
        rows.append(row)
    with pytest.raises(Invalid) as refused:
        decisions.record_decision(user(), stage, {"rationale": "", **values, "mail_group_id": group.id},
                                  list(enumerate(rows, 1)))
    assert words in refused.value.problems[field]
    assert db.session.scalar(select(func.count()).select_from(ReadinessDecision)) == 0
    assert db.session.scalar(select(func.count()).select_from(DecisionCondition)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_list_without_members_is_refused(app, ctx):
    from mhhs.core.services import Invalid
    from mhhs.readiness import decisions
    group = ewg_list()
    group.members = []
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        decisions.record_decision(user(), make_stage(), {**GOOD, "mail_group_id": group.id},
                                  [(1, condition())])
    assert "has no active Release Manager or Central Party" in refused.value.problems["mail_group_id"]


def test_the_form_keeps_what_was_typed_and_says_what_is_missing_by_the_field(app, as_user):
    with app.app_context():
        stage_id, group_id = make_stage().id, ewg_list().id
    response = as_user("rm.sit@demo.test").post(f"/readiness/decisions/new?stage={stage_id}", {
        "stage_id": stage_id, "outcome": "conditional_go", "rationale": "Monitoring still to prove",
        "mail_group_id": group_id, "condition_1_text": "", "condition_1_owner": "", "condition_1_due_on": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A conditional GO needs at least one condition" in page and "Monitoring still to prove" in page
    assert 'id="condition_1_text-error"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReadinessDecision)) == 0


@pytest.mark.parametrize("email", ["supplier@demo.test", "dip@demo.test"])
def test_only_a_release_manager_records_a_decision(app, as_user, email):
    with app.app_context():
        stage_id, group_id = make_stage().id, ewg_list().id
    response = as_user(email).post(f"/readiness/decisions/new?stage={stage_id}", {
        "stage_id": stage_id, "outcome": "go", "mail_group_id": group_id})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReadinessDecision)) == 0


def test_the_decision_goes_to_each_member_of_the_list_but_its_test_participants_with_the_snapshot_as_pdf(
        app, as_user):
    response = None
    with app.app_context():
        group_id = ewg_list("rm.sit@demo.test", "dip@demo.test", "supplier@demo.test").id
        stage_id = make_stage(name="SIT Operational").id
        owner = condition()
    response = as_user("rm.sit@demo.test").post(f"/readiness/decisions/new?stage={stage_id}", {
        "stage_id": stage_id, "outcome": "conditional_go", "rationale": "", "mail_group_id": group_id,
        "condition_1_text": owner["text"], "condition_1_owner": owner["owner"],
        "condition_1_due_on": owner["due_on"].isoformat()})
    assert response.status_code == 303
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "readiness_decision")).all()
        assert sorted(m.recipients for m in messages) == ["dip@demo.test", "rm.sit@demo.test"]
        assert messages[0].subject == "CONDITIONAL GO: SIT Operational in SIT-A"
        assert "Prove the DIP alert (Avanade, due" in messages[0].body
        import io

        from pypdf import PdfReader
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(attachment_of(messages[0]))).pages)
        assert "SIT Operational" in text and "Environment proving tests" in text
    # The snapshot carries every participant's readiness: the list's Test Participant is not sent it, and the page
    # says who was.
    page = as_user("rm.sit@demo.test").get(response.location).get_data(as_text=True)
    assert "not its 1 Test Participant: it carries other participants" in page


def test_the_decision_list_costs_the_same_queries_at_two_sizes(app, as_user, count_queries):
    manager = as_user("rm.sit@demo.test")
    with app.app_context():
        make_decision()
    manager.get("/readiness/decisions")
    with count_queries() as few:
        assert manager.get("/readiness/decisions").status_code == 200
    with app.app_context():
        for n in range(4):
            make_decision(stage=make_stage(name=f"Stage {n}"), outcome="go", conditions=[])
    with count_queries() as many:
        assert manager.get("/readiness/decisions").status_code == 200
    assert many.count == few.count


def test_a_stage_ended_long_ago_is_not_offered(app, ctx):
    from mhhs.readiness import decisions
    from mhhs.readiness.owned import today
    old = make_stage(name="Old stage", starts_in=-90, days=10)
    assert old not in decisions.stages_to_decide(today())
    assert make_stage(name="Next stage") in decisions.stages_to_decide(today() + timedelta(days=0))
