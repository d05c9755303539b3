"""Onboarding intervals on the calendar (with the matrix linked for Release Managers only) and in the feeds."""
import re
from datetime import timedelta

from mhhs.core.time import to_london, utcnow
from mhhs.extensions import db
from tests.helpers import feed_events
from tests.participants.proving_factory import make_interval


def test_onboarding_intervals_are_calendar_and_feed_events(app, as_user, client):
    first_day = to_london(utcnow()).date() + timedelta(days=10)
    with app.app_context():
        make_interval(4, first_day)
        db.session.commit()
    month = f"/calendar?date={first_day:%Y-%m}"
    manager = as_user("rm.sit@demo.test").get(month).get_data(as_text=True)
    assert re.search(r'<a href="/participants/proving">DIP onboarding interval 4 begins \(week commencing\)</a>',
                     manager)
    supplier = as_user("supplier@demo.test")
    page = supplier.get(month).get_data(as_text=True)
    assert "DIP onboarding interval 4 begins (week commencing)" in page
    assert 'href="/participants/proving"' not in page  # not a page a participant may open
    feeds = supplier.post("/calendar/feeds").get_data(as_text=True)
    token = re.search(r"/calendar/feed/([A-Za-z0-9_-]+)\.ics", feeds)[1]
    event = feed_events(client.get(f"/calendar/feed/{token}.ics"))["onboarding-interval-4@release-desk.mhhs"]
    assert str(event["SUMMARY"]) == "DIP onboarding interval 4"
    assert event.decoded("DTSTART") == first_day and event.decoded("DTEND") == first_day + timedelta(days=28)
