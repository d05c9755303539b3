"""RCM 4.4, deployment sign-off: each environment's outcome records the confirmation / smoke test result (passed,
failed, not run), who confirmed it, and the errors found in the installation instructions; shown on the RFC and in
its PDF."""
import io
from datetime import timedelta

from pypdf import PdfReader

from mhhs.core.time import utc_to_london_naive
from mhhs.extensions import db
from mhhs.rfcs.models import Rfc
from tests.rfcs.factory import approved_earlier, env_ids, make_rfc


def local(moment):
    return utc_to_london_naive(moment).strftime("%Y-%m-%dT%H:%M")


def test_rcm_4_4_the_sign_off_is_recorded_with_who_confirmed_it(app, as_user):
    with app.app_context():
        rfc_id = approved_earlier(make_rfc())
        approved, sit_a = db.session.get(Rfc, rfc_id).approved_at, env_ids("SIT-A")[0]
    dip = as_user("dip@demo.test")
    form = {"environment_id": sit_a, "outcome": "deployed", "actual_start": local(approved + timedelta(hours=1)),
            "actual_end": local(approved + timedelta(hours=2)), "smoke_test": "passed", "confirmed_by": "",
            "instruction_errors": "Step 4 names the wrong queue", "issues": "Kept text"}
    page = dip.post(f"/rfcs/{rfc_id}/deployment", form)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<small id="confirmed_by-error" class="field-error">Name who confirmed the smoke test passed ' \
           '(RCM 4.4).' in text
    assert "Step 4 names the wrong queue" in text and "Kept text" in text  # nothing typed is lost
    with app.app_context():
        assert db.session.get(Rfc, rfc_id).deployments == []  # nothing stored half
    assert "Not a valid choice" in dip.post(f"/rfcs/{rfc_id}/deployment",
                                            {**form, "smoke_test": "maybe"}).get_data(as_text=True)
    assert dip.post(f"/rfcs/{rfc_id}/deployment", {**form, "confirmed_by": "Priya (DIP L1)"}).status_code == 303
    with app.app_context():
        (deployment,) = db.session.get(Rfc, rfc_id).deployments
        assert (deployment.smoke_test, deployment.confirmed_by, deployment.instruction_errors) == (
            "passed", "Priya (DIP L1)", "Step 4 names the wrong queue")
    detail = dip.get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    assert "confirmed by Priya (DIP L1)" in detail \
        and "Installation instructions: Step 4 names the wrong queue" in detail
    pdf = dip.get(f"/rfcs/{rfc_id}/pdf").data
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "passed, confirmed by Priya (DIP L1)" in text and "Step 4 names the wrong queue" in text


def test_rcm_4_4_a_smoke_test_not_run_needs_no_confirmation(app, as_user):
    with app.app_context():
        rfc_id = approved_earlier(make_rfc())
        approved, sit_a = db.session.get(Rfc, rfc_id).approved_at, env_ids("SIT-A")[0]
    response = as_user("dip@demo.test").post(f"/rfcs/{rfc_id}/deployment", {
        "environment_id": sit_a, "outcome": "deployed", "actual_start": local(approved + timedelta(hours=1)),
        "actual_end": local(approved + timedelta(hours=2))})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Rfc, rfc_id).deployments[0].smoke_test == "not run"
