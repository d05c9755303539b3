"""The proving pages: the matrix (filters, counts, a query count that does not grow with the participants) and a
participant's steps in one environment (bad input refused by the field, nothing typed lost, another organisation's
steps 404, signing oneself off 403)."""
import io
import re
from datetime import timedelta

from sqlalchemy import select

from mhhs.core.time import utcnow
from mhhs.directory.models import User
from mhhs.extensions import db
from mhhs.participants import proving
from mhhs.participants.models import ConnectivitySignOff, ParticipantKind, ProvingStep, Route, StepStatus
from tests.participants.proving_factory import (
    certificates_for,
    environment,
    make_interval,
    make_participant,
    officers_for,
)


def ids(app, participant_name="Northwold Energy", **kwargs):
    with app.app_context():
        participant = make_participant(participant_name, **kwargs)
        return participant.id, environment("SIT-A").id


def page_url(participant_id, environment_id):
    return f"/participants/{participant_id}/proving/{environment_id}"


def form(step, **fields):
    return {f"step{step}-{name}": value for name, value in fields.items()}


def text(response):
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def ready_for(app, participant_id, upto=2):
    from mhhs.participants.models import Participant
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        officers_for(participant)
        if upto >= 2:
            certificates_for(participant)


def test_a_step_done_before_the_one_it_needs_is_refused_by_the_field_keeping_what_was_typed(app, as_user):
    participant_id, environment_id = ids(app)
    ready_for(app, participant_id, upto=1)
    supplier = as_user("supplier@demo.test")
    response = supplier.post(page_url(participant_id, environment_id) + "/steps/3",
                             form(3, status="done", note="Webhooks registered on the DIP portal"))
    assert response.status_code == 200
    body = text(response)
    assert re.search(r'id="step3-status-error" class="field-error">Step 3 needs step 2, PKI certificates', body)
    assert "Webhooks registered on the DIP portal</textarea>" in body
    with app.app_context():
        assert db.session.scalar(select(ProvingStep).where(ProvingStep.step == 3)) is None


def test_recording_steps_with_evidence_then_the_release_manager_signs_off(app, as_user):
    participant_id, environment_id = ids(app)
    ready_for(app, participant_id)
    supplier = as_user("supplier@demo.test")
    url = page_url(participant_id, environment_id)
    response = supplier.post(url + "/steps/3", {**form(3, status="done", note="Registered"),
                                                "step3-evidence": (io.BytesIO(b"HTTP/1.1 200 OK"), "webhooks.log")},
                             content_type="multipart/form-data")
    assert response.status_code == 303
    assert supplier.get(url + "/steps/3/evidence").get_data() == b"HTTP/1.1 200 OK"
    # Step 4 without its message id: refused next to the field.
    response = supplier.post(url + "/steps/4", form(4, status="done", message_at="2026-01-05T10:00"))
    assert 'id="step4-message_id-error" class="field-error">Enter the id of the DIP message sent.' in text(response)
    assert supplier.post(url + "/steps/4", form(4, status="done", message_id="DIP-77",
                                                message_at="2026-01-05T10:00")).status_code == 303
    assert supplier.post(url + "/steps/5", form(5, status="done")).status_code == 303
    # The participant cannot sign itself off (403); the Release Manager can.
    assert supplier.post(url + "/sign-off").status_code == 403
    manager = as_user("rm.sit@demo.test")
    assert manager.post(url + "/sign-off").status_code == 303
    page = text(manager.get(url))
    assert "Signed off by Sam Ashdown" in page
    assert "DIP message DIP-77, sent and answered 05 Jan 2026 10:00." in page
    with app.app_context():
        assert db.session.scalar(select(ConnectivitySignOff.signed_by_id)) is not None


def test_sign_off_refused_names_the_open_step(app, as_user):
    participant_id, environment_id = ids(app)
    response = as_user("rm.sit@demo.test").post(page_url(participant_id, environment_id) + "/sign-off")
    assert response.status_code == 200
    assert ('id="sign-off-error" class="field-error">Not signed off: Step 1, PKI officers determined, is not done'
            in text(response))


def test_step_4_of_an_ees_participant_is_refused(app, as_user):
    participant_id, environment_id = ids(app, market_roles=("EES",))
    ready_for(app, participant_id)
    manager = as_user("rm.sit@demo.test")
    url = page_url(participant_id, environment_id)
    assert manager.post(url + "/steps/3", form(3, status="done")).status_code == 303
    response = manager.post(url + "/steps/4", form(4, status="done", message_id="X", message_at="2026-01-05T10:00"))
    assert "Step 4 does not apply to Northwold Energy: The EES market role receives DIP messages" in text(response)


def test_another_participant_gets_404_for_the_steps_and_403_for_signing_off(app, as_user):
    participant_id, environment_id = ids(app)
    ids(app, "Other Supply", email="tester@other.test")
    other = as_user("tester@other.test")
    url = page_url(participant_id, environment_id)
    assert other.get(url).status_code == 404
    assert other.post(url + "/steps/3", form(3, status="in_progress")).status_code == 404
    assert other.get(url + "/steps/3/evidence").status_code == 404
    assert other.post(url + "/sign-off").status_code == 403
    assert other.get("/participants/proving").status_code == 403


def _add_participants(app, start, stop):
    with app.app_context():
        for n in range(start, stop):
            participant = make_participant(f"Supplier {n:03}", interval=1 + n % 6,
                                           kind=ParticipantKind.SUPPLIER if n % 2 else ParticipantKind.AGENT)
            if n % 3:
                officers_for(participant)
                certificates_for(participant)
        return environment("SIT-A").id


def _matrix_queries(manager, count_queries, environment_id, participants):
    with count_queries() as counter:
        response = manager.get(f"/participants/proving?environment={environment_id}")
    assert response.status_code == 200
    assert f"SIT-A: {participants} participants proving connectivity" in text(response)
    return counter.count


def test_the_matrix_query_count_does_not_grow_with_the_participants(app, as_user, count_queries):
    manager = as_user("rm.sit@demo.test")
    sit_a = _add_participants(app, 0, 3)
    few = _matrix_queries(manager, count_queries, sit_a, 3)
    _add_participants(app, 3, 30)
    assert _matrix_queries(manager, count_queries, sit_a, 30) == few


def test_the_matrix_filters_and_counts(app, as_user):
    with app.app_context():
        done = make_participant("Done Energy", interval=2)
        officers_for(done)
        certificates_for(done)
        make_participant("Open Energy", interval=4, route=Route.SIT)
        make_participant("Elsewhere Energy", interval=4, environment_name="UIT")
        sit_a = environment("SIT-A").id
    manager = as_user("rm.sit@demo.test")
    body = text(manager.get(f"/participants/proving?environment={sit_a}"))
    assert "SIT-A: 2 participants proving connectivity" in body and "Elsewhere Energy" not in body
    assert re.search(r"1\. PKI officers determined</th><td>1 of 2", body)
    body = text(manager.get(f"/participants/proving?environment={sit_a}&gap=1"))
    assert "Open Energy" in body and "Done Energy" not in body and "Showing 1 of 2 participants." in body
    body = text(manager.get(f"/participants/proving?environment={sit_a}&gap=sign-off&route=qualification"))
    assert "No participant matches these filters." in body


def test_a_step_done_by_who_need_not_do_it_is_not_counted_against_who_must(app, as_user):
    """Step 4 is required from onboarding interval 3 only (EAP §11.3.1.3): done by an interval-2 participant, the
    count says it is required of none, never "1 of 0"."""
    with app.app_context():
        early = make_participant("Early Energy", interval=2)
        officers_for(early)
        certificates_for(early)
        manager = db.session.scalar(select(User).where(User.email == "rm.sit@demo.test"))
        for step in (3, 4):
            proving.record_step(manager, early, environment("SIT-A"), step, {
                "status": StepStatus.DONE, "blocked_by": "", "not_applicable_reason": "", "note": "",
                "message_id": "MSG-2" if step == 4 else "", "message_at": utcnow() if step == 4 else None})
        sit_a = environment("SIT-A").id
    body = text(as_user("rm.sit@demo.test").get(f"/participants/proving?environment={sit_a}"))
    assert re.search(r"4\. DIP message sent and its response received</th><td>Not required of any", body)
    assert "1 of 0" not in body


def test_an_evidence_file_over_the_limit_is_refused_next_to_its_field(app, as_user):
    participant_id, environment_id = ids(app)
    ready_for(app, participant_id)
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = as_user("supplier@demo.test").post(
        page_url(participant_id, environment_id) + "/steps/3",
        {**form(3, status="done"), "step3-evidence": (io.BytesIO(big), "capture.pcap")},
        content_type="multipart/form-data")
    assert response.status_code == 413
    assert 'id="step3-evidence-error" class="field-error">The file is too large' in text(response)


def test_the_daily_commands_sweep_and_remind(app):
    from datetime import timedelta

    from mhhs.core.time import to_london, utcnow
    from tests.participants.proving_factory import make_interval
    with app.app_context():
        participant = make_participant("Soon Energy", interval=None, email="soon@soon.test")
        participant.interval = make_interval(1, to_london(utcnow()).date() + timedelta(days=7))
        db.session.commit()
    runner = app.test_cli_runner()
    swept = runner.invoke(args=["participants", "sweep"])
    assert swept.exit_code == 0 and swept.output.startswith("0 regression(s) found;")
    reminded = runner.invoke(args=["participants", "remind"])
    assert reminded.exit_code == 0 and ": 1 reminder(s) queued;" in reminded.output
    assert ": 0 reminder(s) queued;" in runner.invoke(args=["participants", "remind"]).output  # once a week


def test_the_matrix_shows_a_page_of_rows_and_counts_every_participant(app, as_user):
    shown = proving.MATRIX_PER_PAGE
    total = shown + 5
    sit_a = _add_participants(app, 0, total)
    ready = sum(1 for n in range(total) if n % 3)  # steps 1 and 2 done
    manager = as_user("rm.sit@demo.test")
    body = text(manager.get(f"/participants/proving?environment={sit_a}"))
    assert f"SIT-A: {total} participants proving connectivity" in body
    assert body.count('<tr id="participant-') == shown
    assert f"Showing {shown} on this page of {total} participants" in body
    assert "Supplier 000" in body and f"Supplier {total - 1:03}" not in body
    # Every participant is counted, not only the page's.
    assert re.search(rf"1\. PKI officers determined</th><td>{ready} of {total}", body)
    next_page = re.search(r'<a href="([^"]+)"[^>]*>Next</a>', body).group(1).replace("&amp;", "&")
    assert f"environment={sit_a}" in next_page
    body = text(manager.get(next_page))
    assert body.count('<tr id="participant-') == 5
    assert f"Supplier {total - 1:03}" in body and "Supplier 000" not in body
    # A filter pages through its own rows; the counts stay those of every participant.
    body = text(manager.get(f"/participants/proving?environment={sit_a}&gap=2"))
    assert f"Showing {total - ready} of {total} participants." in body
    assert re.search(rf"1\. PKI officers determined</th><td>{ready} of {total}", body)
    body = text(manager.get(f"/participants/proving?environment={sit_a}&gap=2&kind=agent"))
    assert f"Showing {sum(1 for n in range(total) if n % 3 == 0 and n % 2 == 0)} of {total} participants." in body


def test_the_matrix_follows_every_change_and_a_certificate_that_expires_with_no_change(app, as_user, monkeypatch):
    participant_id, environment_id = ids(app)
    ready_for(app, participant_id)
    manager = as_user("rm.sit@demo.test")
    url = f"/participants/proving?environment={environment_id}"
    step_2 = r"2\. PKI certificates \(TLS and JWS\) requested and installed</th><td>"
    assert re.search(step_2 + "1 of 1", text(manager.get(url)))
    with app.app_context():
        manager_user = db.session.scalar(select(User).where(User.email == "rm.sit@demo.test"))
        participant = db.session.get(proving.Participant, participant_id)
        proving.record_step(manager_user, participant, environment("SIT-A"), 3, {
            "status": StepStatus.DONE, "blocked_by": "", "not_applicable_reason": "", "note": "", "message_id": "",
            "message_at": None})
    assert re.search(r"3\. Webhooks registered</th><td>1 of 1", text(manager.get(url)))  # a write: read again
    later = utcnow() + timedelta(days=400)  # the certificates (a year) have expired; no row changed
    monkeypatch.setattr(proving, "utcnow", lambda: later)
    monkeypatch.setattr("mhhs.participants.proving_views.utcnow", lambda: later)
    body = text(manager.get(url))
    assert re.search(step_2 + "0 of 1", body)
    assert re.search(r"3\. Webhooks registered</th><td>0 of 1", body)  # it waits for step 2 again


def test_the_kept_matrix_shows_the_next_change_and_is_shown_to_release_managers_only(app, as_user):
    """The matrix is rendered once per process per query string (proving_views._region): a renamed participant and
    a new interval show on the very next page, whole or swapped in; a Central Party or a Test Participant asking
    the same query string is refused, not handed the Release Manager's copy."""
    participant_id, environment_id = ids(app)
    manager = as_user("rm.sit@demo.test")
    url = f"/participants/proving?environment={environment_id}"
    assert "Northwold Energy" in text(manager.get(url))
    with app.app_context():
        participant = db.session.get(proving.Participant, participant_id)
        participant.organisation.name = "Southwold Energy"
        make_interval(7)
        db.session.commit()
    body = text(manager.get(url))
    assert "Southwold Energy" in body and "Northwold Energy" not in body
    assert "Interval 7</option>" in body
    assert "Southwold Energy" in text(manager.get(url, htmx=True))
    for email in ("dip@demo.test", "supplier@demo.test"):
        response = as_user(email).get(url)
        assert response.status_code == 403 and "proving-matrix-table" not in text(response)
