"""RCM §7.4: SIT-A and SIT-B receive a fix on the same working day. An RFC pair (or one RFC) deploying a fix to
only one of the two, with the other more than one working day later, is warned in the queue and the weekly
report."""
from datetime import datetime, time, timedelta

from mhhs.core.time import london_to_utc, to_london, utcnow
from mhhs.extensions import db
from mhhs.rfcs.models import Rfc
from mhhs.rfcs.states import ReleaseType
from tests.rfcs.factory import approve, make_rfc, next_week

WARNING = "not the same working day"


def queue_row(page, rfc_id):
    return page.split(f'id="queue-rfc-{rfc_id}"')[1].split("</tr>")[0]


def test_rcm_7_4_a_pair_days_apart_is_warned_in_the_queue(app, as_user):
    with app.app_context():
        start = next_week()
        sit_a = make_rfc(environments=("SIT-A",), window_start=start)
        sit_b = make_rfc(version="1.1.1.0", release_type=ReleaseType.PATCH, environments=("SIT-B",),
                         window_start=start + timedelta(days=5))
    page = as_user("rm.sit@demo.test").get("/approvals").get_data(as_text=True)
    for rfc_id in (sit_a, sit_b):
        assert WARNING in queue_row(page, rfc_id)
    assert "SIT-B gets 1.1.1.0" in queue_row(page, sit_a) and "working days later" in queue_row(page, sit_a)
    assert "SIT-A gets 1.1.0.0" in queue_row(page, sit_b) and "working days earlier" in queue_row(page, sit_b)


def test_rcm_7_4_a_pair_on_the_same_working_day_is_not_warned(app, as_user):
    with app.app_context():
        start = next_week()
        make_rfc(environments=("SIT-A",), window_start=start)
        make_rfc(version="1.1.1.0", release_type=ReleaseType.PATCH, environments=("SIT-B",),
                 window_start=start + timedelta(hours=3))
        make_rfc(system="MPRS", email="mprs@demo.test", version="1.0.1.0", release_type=ReleaseType.PATCH,
                 environments=("SIT-A", "SIT-B"), rollback_plan="", window_start=start)  # one RFC for both
    assert WARNING not in as_user("rm.sit@demo.test").get("/approvals").get_data(as_text=True)


def test_rcm_7_4_the_weekly_report_warns_of_next_weeks_pair(app, as_user):
    with app.app_context():
        start = next_week()
        sit_a = make_rfc(environments=("SIT-A",), window_start=start)
        sit_b = make_rfc(version="1.1.1.0", release_type=ReleaseType.PATCH, environments=("SIT-B",),
                         window_start=start + timedelta(days=5))
        for rfc_id in (sit_a, sit_b):
            approve(rfc_id, "rm.sit@demo.test")
        # This week's report lists next week's releases: the pair moves to next Monday and Saturday.
        today = to_london(utcnow()).date()
        monday = today - timedelta(days=today.weekday())
        for rfc_id, days in ((sit_a, 7), (sit_b, 12)):
            rfc = db.session.get(Rfc, rfc_id)
            rfc.window_start = london_to_utc(datetime.combine(monday + timedelta(days=days), time(10)))
            rfc.window_end = rfc.window_start + timedelta(hours=2)
        db.session.commit()
    year, week, _ = monday.isocalendar()
    page = as_user("rm.sit@demo.test").get(f"/reports/weekly?week={year}-W{week:02d}").get_data(as_text=True)
    line = page.split(f"RFC-{sit_a:06d}")[1].split("</li>")[0]
    assert "not the same working day</strong>: SIT-B gets 1.1.1.0" in line
