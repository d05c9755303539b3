"""The calendar is rendered once per process for a viewer, filters and day (schedule/views.py): a change a user makes
shows on the very next page, the copy follows time when a window ends, and one viewer's copy never reaches another."""
from datetime import timedelta

from mhhs.core.time import to_london, utcnow
from mhhs.extensions import db
from mhhs.rfcs.models import Rfc
from mhhs.rfcs.services import consultation
from mhhs.schedule import calendar, views
from tests.outages.factory import make_outage
from tests.rfcs.factory import approve, make_rfc, next_week, user


def month_of(moment):
    return to_london(moment).strftime("%Y-%m")


def test_a_change_shows_on_the_very_next_calendar(app, as_user):
    start = next_week()
    rm, supplier = as_user("rm.sit@demo.test"), as_user("supplier@demo.test")
    this_month, that_month = "/calendar", f"/calendar?date={month_of(start)}"
    today = to_london(utcnow()).date()
    for page in (this_month, that_month):  # the copies, before any change
        assert "Company freeze" not in rm.get(page).get_data(as_text=True)
        supplier.get(page)
    # A freeze (the SCHEDULE counter), an outage (OUTAGES), a window (WINDOWS).
    assert rm.post("/freezes", {"environment_id": "", "first_day": f"{today}", "last_day": f"{today}",
                                "reason": "Company freeze"}).status_code == 303
    assert "Every environment: Company freeze" in rm.get(this_month).get_data(as_text=True)
    assert "Every environment: Company freeze" in supplier.get(this_month).get_data(as_text=True)
    with app.app_context():
        make_outage("dip@demo.test", description="Messages not acknowledged")
        approved = make_rfc(window_start=start)
        approve(approved, "rm.sit@demo.test")
        pending = make_rfc(version="1.2.0.0", window_start=start + timedelta(days=1))
    assert "Unplanned outage" in rm.get(this_month).get_data(as_text=True)
    assert f"RFC-{approved:06d}" in supplier.get(that_month).get_data(as_text=True)
    assert f"RFC-{pending:06d}" not in supplier.get(that_month).get_data(as_text=True)  # not shared yet
    # Shared for consultation with the supplier's organisation: the supplier sees it from its next page on.
    with app.app_context():
        consultation.consult(user("rm.sit@demo.test"), db.session.get(Rfc, pending),
                             [user("supplier@demo.test").organisation_id])
        db.session.commit()
    assert f"RFC-{pending:06d}" in supplier.get(that_month).get_data(as_text=True)


def test_a_window_that_ends_loses_its_clashes_on_the_same_day(app, as_user, monkeypatch):
    start = next_week()
    with app.app_context():
        first = make_rfc(window_start=start)
        make_rfc(version="1.2.0.0", window_start=start)  # the same window: they clash
        end = db.session.get(Rfc, first).window_end
    rm, url = as_user("rm.sit@demo.test"), f"/calendar?view=week&date={to_london(start).date()}"
    for module in (views, calendar):
        monkeypatch.setattr(module, "utcnow", lambda: start - timedelta(minutes=30))
    assert "Window submitted · clash:" in rm.get(url).get_data(as_text=True)
    for module in (views, calendar):  # the same London day, both windows over: no clash any more
        monkeypatch.setattr(module, "utcnow", lambda: end + timedelta(minutes=1))
    assert to_london(end + timedelta(minutes=1)).date() == to_london(start - timedelta(minutes=30)).date()
    assert "· clash:" not in rm.get(url).get_data(as_text=True)


def test_one_viewers_copy_never_reaches_another(app, as_user):
    start = next_week()
    with app.app_context():
        pending = make_rfc(version="1.2.0.0", window_start=start)  # DIP's, waiting for approval
    url = f"/calendar?date={month_of(start)}"
    for htmx in (False, True):  # the page and the region htmx swaps in
        manager = as_user("rm.sit@demo.test").get(url, htmx=htmx).get_data(as_text=True)
        assert f"RFC-{pending:06d}" in manager and "change it" in manager
        supplier = as_user("supplier@demo.test").get(url, htmx=htmx).get_data(as_text=True)
        assert f"RFC-{pending:06d}" not in supplier and "change it" not in supplier
        assert f"RFC-{pending:06d}" in as_user("dip@demo.test").get(url, htmx=htmx).get_data(as_text=True)
        assert f"RFC-{pending:06d}" not in as_user("mprs@demo.test").get(url, htmx=htmx).get_data(as_text=True)
