"""An outage in progress carries a timeline of updates (investigating, identified, monitoring, resolved), shown on
its page and on the status board; "resolved" ends it; only those who may change the outage post, and only while
it is in progress."""
from datetime import timedelta

from mhhs.core.time import utcnow
from mhhs.extensions import db
from mhhs.outages.models import Outage
from tests.outages.factory import make_outage


def test_a_timeline_of_updates_ends_with_resolved(app, as_user):
    with app.app_context():
        outage_id = make_outage("dip@demo.test").id
    dip = as_user("dip@demo.test")
    page = dip.post(f"/outages/{outage_id}/updates", {"status": "identified", "note": "  "}).get_data(as_text=True)
    assert "Say what is known now" in page  # by its field; nothing stored
    response = dip.post(f"/outages/{outage_id}/updates", {"status": "identified",
                                                           "note": "Certificate on the DIP adapter expired"})
    assert response.status_code == 303
    dip.post(f"/outages/{outage_id}/updates", {"status": "monitoring", "note": "New certificate in place"})
    page = dip.get(f"/outages/{outage_id}").get_data(as_text=True)
    timeline = page.split('id="updates"')[1].split("</section>")[0]
    assert timeline.index("Monitoring") < timeline.index("Identified")  # newest first
    board = as_user("supplier@demo.test").get("/outages/board").get_data(as_text=True)
    assert "Monitoring" in board and "New certificate in place" in board and "Identified" not in board

    response = dip.post(f"/outages/{outage_id}/updates", {"status": "resolved", "note": "Messages flowing again"})
    assert "The outage has ended." in dip.get(response.location).get_data(as_text=True)
    with app.app_context():
        outage = db.session.get(Outage, outage_id)
        assert outage.end is not None and outage.end <= utcnow() and len(outage.updates) == 3
    response = dip.post(f"/outages/{outage_id}/updates", {"status": "monitoring", "note": "Late"})
    assert "This outage has ended already." in dip.get(response.location).get_data(as_text=True)
    with app.app_context():
        assert len(db.session.get(Outage, outage_id).updates) == 3


def test_updates_need_the_right_to_change_the_outage_and_a_status(app, as_user):
    with app.app_context():
        outage_id = make_outage("dip@demo.test").id
        planned_id = make_outage("dip@demo.test", planned=True, start=utcnow() + timedelta(days=2),
                                 end=utcnow() + timedelta(days=2, hours=1)).id
    assert as_user("mprs@demo.test").post(f"/outages/{outage_id}/updates",
                                          {"status": "identified", "note": "x"}).status_code == 404
    rm = as_user("rm.sit@demo.test")
    page = rm.post(f"/outages/{outage_id}/updates", {"status": "fixed", "note": "x"}).get_data(as_text=True)
    assert "Not a valid choice" in page
    response = rm.post(f"/outages/{planned_id}/updates", {"status": "investigating", "note": "x"})
    assert "has not started yet" in rm.get(response.location).get_data(as_text=True)
