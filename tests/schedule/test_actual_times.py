"""Issue 24: once a deployment's outcome is recorded, the calendar and the feeds show when it actually happened and
how it went, instead of the planned window."""
import re
from datetime import timedelta

from mhhs.core.time import format_london, to_london
from mhhs.extensions import db
from mhhs.rfcs.models import Rfc
from mhhs.rfcs.states import Outcome
from mhhs.schedule.calendar import Filters, calendar_days, view_range
from tests.helpers import feed_events
from tests.rfcs.factory import approved_earlier, deploy, make_rfc, user


def test_the_calendar_and_the_feed_show_the_actual_times_and_outcome(app, as_user, client):
    with app.app_context():
        rfc_id = make_rfc()
        approved_earlier(rfc_id)
        deploy(rfc_id, "SIT-A", Outcome.DEPLOYED)
        rfc = db.session.get(Rfc, rfc_id)
        rfc.window_start, rfc.window_end = rfc.window_start + timedelta(days=5), rfc.window_end + timedelta(days=5)
        db.session.commit()  # deployed early, as in the issue: the plan said five days later
        (deployment,) = rfc.deployments
        start, end, month = deployment.actual_start, deployment.actual_end, to_london(rfc.window_start)
    dip = as_user("dip@demo.test")
    page = dip.get(f"/calendar?date={month:%Y-%m}").get_data(as_text=True)
    expected = f"deployed {format_london(start, '%d %b %H:%M')}–{format_london(end, '%H:%M')} in SIT-A"
    assert expected in page
    # The feed's secret is shown once, on the answer that makes it (only its hash is stored).
    token = re.search(r"/calendar/feed/([A-Za-z0-9_-]+)\.ics", dip.post("/calendar/feeds").get_data(as_text=True))[1]
    event = feed_events(client.get(f"/calendar/feed/{token}.ics"))[f"rfc-{rfc_id}@release-desk.mhhs"]
    assert event.decoded("DTSTART").replace(tzinfo=None) == start.replace(microsecond=0)  # not the window's
    assert event.decoded("DTEND").replace(tzinfo=None) == end.replace(microsecond=0)
    assert "Deployed " in str(event["DESCRIPTION"]) and "in SIT-A" in str(event["DESCRIPTION"])


def test_a_deployed_rfc_sits_on_the_day_it_was_deployed_not_on_its_planned_day(app):
    """Deployed on 6 Dec, planned for 11 Dec: the calendar shows it on 6 Dec, and no longer on 11 Dec."""
    with app.app_context():
        rfc_id = make_rfc()
        approved_earlier(rfc_id)
        deploy(rfc_id, "SIT-A", Outcome.DEPLOYED)
        rfc = db.session.get(Rfc, rfc_id)
        rfc.window_start, rfc.window_end = rfc.window_start + timedelta(days=5), rfc.window_end + timedelta(days=5)
        db.session.commit()
        deployed_on = to_london(rfc.deployments[0].actual_start).date()
        planned_on = to_london(rfc.window_start).date()
        for view in ("month", "week"):
            for shown in (deployed_on, planned_on):
                first, last, _, _ = view_range(view, shown)
                days, _ = calendar_days(user("dip@demo.test"), first, last, Filters(), 5)
                on = {day.date for day in days for e in day.entries if e.args.get("rfc_id") == rfc_id}
                assert on == ({deployed_on} if first <= deployed_on <= last else set()), (view, shown)
