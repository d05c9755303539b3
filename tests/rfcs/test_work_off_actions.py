"""Work-off actions (RCM 5.2, RCM Table 10 step 3): items of the review with an owner and a due date, on the owner's
home page until done; bad input refused by its field with nothing stored; the closure announcement offered at
close."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mhhs.core.time import to_london, utcnow
from mhhs.extensions import db
from mhhs.rfcs.models import WorkOffAction
from mhhs.rfcs.states import Outcome
from tests.rfcs.factory import approved_earlier, deploy, make_rfc


@pytest.fixture
def deployed(app):
    with app.app_context():
        rfc_id = make_rfc()
        approved_earlier(rfc_id)
        deploy(rfc_id, "SIT-A", Outcome.DEPLOYED)
    return rfc_id


def today():
    return to_london(utcnow()).date()


def action(text="Automate the schema check", owner="supplier@demo.test", due=None):
    return {"text": text, "owner_email": owner, "due": (due or today() + timedelta(days=7)).isoformat()}


@pytest.mark.parametrize("form, field, message", [
    (action(due=today() - timedelta(days=1)), "due", "A due date cannot be in the past"),
    (action(owner="nobody@demo.test"), "owner_email",
     "No active user of Release Desk has the address nobody@demo.test."),
    (action(owner=""), "owner_email", "Name the owner by their e-mail address."),
    (action(text=""), "text", "Say what is to be done."),
    ({**action(), "due": ""}, "due", "Give the date it is due."),
])
def test_rcm_5_2_bad_work_off_actions_are_refused_by_their_field(app, as_user, deployed, form, field, message):
    """RCM 5.2: the owner must be a user, the due date today or later; what was typed stays, nothing is stored."""
    response = as_user("rm.sit@demo.test").post(f"/rfcs/{deployed}/work-off-actions", form)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<small id="{field}-error" class="field-error">{message}' in text
    if form["text"]:
        assert f'value="{form["text"]}"' in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WorkOffAction)) == 0


def test_rcm_5_2_a_work_off_action_stays_on_its_owners_home_page_until_done(app, as_user, deployed):
    """RCM 5.2 / Table 10 step 3: the action has an owner and a due date and is on the owner's home page until
    done; only its owner (or a Release Manager) marks it done."""
    dip = as_user("dip@demo.test")  # the RFC's Central Party writes the review
    assert dip.post(f"/rfcs/{deployed}/work-off-actions", action()).status_code == 303
    supplier = as_user("supplier@demo.test")
    home = supplier.get("/").get_data(as_text=True)
    assert "Your work-off actions" in home and "Automate the schema check" in home
    assert f"due {(today() + timedelta(days=7)):%d %b %Y}" in home
    assert "Your work-off actions" not in dip.get("/").get_data(as_text=True)  # not the author's, the owner's
    with app.app_context():
        action_id = db.session.scalar(select(WorkOffAction.id))
    assert as_user("mprs@demo.test").post(f"/work-off-actions/{action_id}/done").status_code == 404
    assert supplier.post(f"/work-off-actions/{action_id}/done").status_code == 303
    assert "Your work-off actions" not in supplier.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(WorkOffAction.done_at)) is not None
    page = as_user("rm.sit@demo.test").get(f"/rfcs/{deployed}").get_data(as_text=True)
    assert "Automate the schema check" in page and "Sunil Patel" in page


def test_rcm_5_2_no_work_off_action_before_the_deployment(app, as_user):
    with app.app_context():
        rfc_id = make_rfc()
    response = as_user("rm.sit@demo.test").post(f"/rfcs/{rfc_id}/work-off-actions", action())
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WorkOffAction)) == 0


def test_rcm_table_10_step_3_closing_offers_the_closure_announcement(app, as_user, deployed):
    """RCM 5.2 / Table 10 step 3: at close the Release Manager is taken to the closure announcement."""
    rm = as_user("rm.sit@demo.test")
    response = rm.post(f"/rfcs/{deployed}/close", {"rollout_report": "Deployed in the window", "action": "close"})
    assert response.status_code == 303 and response.location == f"/rfcs/{deployed}/communicate/closure"
    assert "closure" in rm.get(response.location).get_data(as_text=True)
