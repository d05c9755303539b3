"""After the review of the merged app: the participant page's proving block (RM and the organisation itself only),
the matrix opening where someone proves, the proving page offering only what can be done and showing only that
participant × environment's history, and a tranche named once in the matrix's filter."""
import re

from mhhs.audit.services import record
from mhhs.extensions import db
from mhhs.participants.models import Participant, Route, Tranche
from tests.participants.proving_factory import environment, make_participant, officers_for


def text(response):
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _ids(app, **kwargs):
    with app.app_context():
        participant = make_participant(**kwargs)
        return participant.id, environment("SIT-A").id


def test_the_participant_page_shows_its_proving_per_environment_to_itself_and_managers_only(app, as_user):
    participant_id, sit_a = _ids(app)
    link = f'href="/participants/{participant_id}/proving/{sit_a}">SIT-A</a>'
    for email in ("rm.sit@demo.test", "supplier@demo.test"):
        page = text(as_user(email).get(f"/participants/{participant_id}"))
        assert link in page and "step 1, PKI officers determined" in page
        assert "recorded on the proving pages" not in page
    central = text(as_user("dip@demo.test").get(f"/participants/{participant_id}"))
    assert "Connectivity proving" not in central and f"/proving/{sit_a}" not in central


def test_the_matrix_opens_on_the_first_environment_someone_proves_in(app, as_user):
    _ids(app)  # proves in SIT-A only, which is not the programme's first environment
    page = text(as_user("rm.sit@demo.test").get("/participants/proving"))
    assert "Northwold Energy" in page


def test_the_proving_page_offers_only_what_can_be_done(app, as_user):
    participant_id, sit_a = _ids(app, interval=1)  # step 4 is not required before interval 3
    page = text(as_user("rm.sit@demo.test").get(f"/participants/{participant_id}/proving/{sit_a}"))
    assert "Sign off connectivity to SIT-A</button>" not in page
    assert "Not signed off. Next: step 1, PKI officers determined" in page
    assert "Record step 3" not in page  # waits for step 2
    assert "Record step 4" not in page  # not applicable
    assert "Record step 5</summary>" in page


def test_the_proving_page_history_is_that_environments_proving_only(app, as_user):
    participant_id, sit_a = _ids(app)
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        officers_for(participant)
        record("proving.step_recorded", obj=participant, summary="SIT-A, step 5 (internal connectivity proven): done")
        record("proving.step_recorded", obj=participant, summary="UIT, step 5 (internal connectivity proven): done")
        record("connectivity.signed_off", obj=participant, summary="SIT-B")
        db.session.commit()
    page = text(as_user("rm.sit@demo.test").get(f"/participants/{participant_id}/proving/{sit_a}"))
    history = page.split("<h2>History</h2>")[1]
    assert "SIT-A, step 5" in history
    assert "UIT, step 5" not in history and "SIT-B" not in history


def test_the_matrix_names_a_tranche_once(app, as_user):
    _ids(app)
    with app.app_context():
        from datetime import date
        db.session.add(Tranche(route=Route.QUALIFICATION, name="Qualification tranche 1",
                               environment_id=environment("UIT").id, first_day=date(2030, 1, 1),
                               last_day=date(2030, 2, 1)))
        db.session.commit()
    page = text(as_user("rm.sit@demo.test").get("/participants/proving"))
    assert ">Qualification tranche 1</option>" in page and "Qualification Qualification" not in page
