"""Issue 24: the outage form starts at now and chooses no environment for the user; an outage's update form keeps
the latest status instead of going back to "Investigating"."""
import re
from datetime import datetime, timedelta

from sqlalchemy import select

from mhhs.core.time import utc_to_london_naive, utcnow
from mhhs.directory.models import User
from mhhs.extensions import db
from tests.outages.factory import make_outage


def selected(page, name):
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
    found = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select)
    return next((g for g in found.groups() if g is not None), None) if found else None


def test_a_new_outage_starts_now_and_has_no_environment_until_one_is_chosen(app, as_user):
    dip = as_user("dip@demo.test")
    page = dip.get("/outages/new").get_data(as_text=True)
    start = re.search(r'<input[^>]*name="start"[^>]*value="([^"]*)"', page).group(1)
    shown = datetime.strptime(start, "%Y-%m-%dT%H:%M")
    assert timedelta(0) <= utc_to_london_naive(utcnow()) - shown < timedelta(minutes=2)  # now, in London time
    assert selected(page, "environment_id") in (None, "")
    assert '<option value="">Choose the environment</option>' in page or \
        '<option selected value="">Choose the environment</option>' in page
    answer = dip.post("/outages/new", {"start": start, "description": "Down", "category": "software failure"})
    assert "Choose the environment that is down." in answer.get_data(as_text=True)


def test_the_update_form_keeps_the_latest_status(app, as_user):
    with app.app_context():
        outage_id = make_outage("dip@demo.test").id
    dip = as_user("dip@demo.test")
    assert dip.post(f"/outages/{outage_id}/updates", {"status": "identified", "note": "A full disk"}).status_code == 303
    page = dip.get(f"/outages/{outage_id}").get_data(as_text=True)
    assert selected(page, "status") == "identified"


def test_the_category_field_follows_planned_and_only_for_a_live_session(app, as_user):
    """The Category field htmx swaps in when Planned changes: the planned or unplanned categories, the one asked for
    chosen (each rendered once per process, the same for everyone); the session is checked without loading the
    user, yet an ended session is sent to log in."""
    tp = as_user("supplier@demo.test")
    planned = tp.http.get("/outages/categories?planned=y&category=data+load").get_data(as_text=True)
    unplanned = tp.http.get("/outages/categories").get_data(as_text=True)
    assert selected(planned, "category") == "data load" and "software failure" not in planned
    assert "software failure" in unplanned and "data load" not in unplanned
    assert tp.http.get("/outages/categories").headers["Cache-Control"] == "no-store"
    with app.app_context():
        db.session.scalar(select(User).where(User.email == "supplier@demo.test")).end_sessions()
        db.session.commit()
    ended = tp.http.get("/outages/categories?planned=y")
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]
    assert app.test_client().get("/outages/categories").status_code == 302  # nobody logged in
