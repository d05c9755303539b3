"""The calendar per role, its bad input, the calendar feeds (read back with icalendar), freezes, test phases and
support hours as a Release Manager keeps them."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from mhhs.allocation.models import TestPhase
from mhhs.core.time import to_london, utcnow
from mhhs.directory.models import System
from mhhs.extensions import db
from mhhs.rfcs import services
from mhhs.rfcs.models import Rfc
from mhhs.rfcs.states import Decision, ReleaseType
from mhhs.windows.models import Freeze
from tests.certificates.factory import make_certificate
from tests.helpers import feed_events, pdf_pages
from tests.rfcs.factory import approve, content, env_ids, make_rfc, next_week, user


def month_of(moment):
    return to_london(moment).strftime("%Y-%m")


def test_the_calendar_shows_each_role_what_it_may_see(app, as_user):
    start = next_week()
    with app.app_context():
        approved = make_rfc(window_start=start)
        approve(approved, "rm.sit@demo.test")
        pending = make_rfc(version="1.2.0.0", window_start=start + timedelta(hours=1))
        draft = make_rfc(version="1.3.0.0", window_start=start, submit=False)
        withdrawn = make_rfc(version="1.4.0.0", window_start=start)
        services.withdraw(user("dip@demo.test"), db.session.get(Rfc, withdrawn))
        expiry = start + timedelta(days=2)
        theirs = make_certificate("Northwold Energy", "SIT-A", days=(expiry - start).days + 8)
        ours = make_certificate("Avanade", "SIT-A", days=(expiry - start).days + 8, mpid="AVAN")
        certificate_day = to_london(theirs.valid_to)
        theirs, ours = theirs.id, ours.id
    month = f"/calendar?date={month_of(start)}"
    page = as_user("rm.sit@demo.test").get(month).get_data(as_text=True)
    assert f"RFC-{approved:06d}" in page and f"RFC-{pending:06d}" in page
    assert "Window approved · clash:" in page and "Window submitted · clash:" in page  # they overlap
    assert f"RFC-{draft:06d}" not in page and f"RFC-{withdrawn:06d}" not in page
    if month_of(certificate_day) == month_of(start):
        assert f"/certificates/{theirs}" in page and f"/certificates/{ours}" in page
    supplier = as_user("supplier@demo.test").get(month).get_data(as_text=True)
    assert f"RFC-{approved:06d}" in supplier and f"RFC-{pending:06d}" not in supplier  # no submitted windows
    assert f"/certificates/{ours}" not in supplier  # nor another organisation's certificate
    central = as_user("dip@demo.test").get(month).get_data(as_text=True)
    assert f"RFC-{pending:06d}" in central and f"RFC-{draft:06d}" not in central
    mprs = as_user("mprs@demo.test").get(month).get_data(as_text=True)
    assert f"RFC-{pending:06d}" not in mprs


def test_the_calendar_moves_by_month_and_week_and_filters(app, as_user):
    start = next_week()
    with app.app_context():
        rfc_id = make_rfc(window_start=start)
        dip = db.session.scalar(select(System.id).where(System.name == "DIP"))
        mprs = db.session.scalar(select(System.id).where(System.name == "MPRS"))
    rm = as_user("rm.sit@demo.test")
    day = to_london(start).date()
    week = rm.get(f"/calendar?view=week&date={day}", htmx=True)
    body = week.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="calendar"') and f"RFC-{rfc_id:06d}" in body
    monday = day - timedelta(days=day.weekday())
    assert f"Week of {monday:%d %B %Y}" in body and f"date={monday + timedelta(days=7)}" in body
    assert f"RFC-{rfc_id:06d}" in rm.get(f"/calendar?date={day:%Y-%m}&system={dip}").get_data(as_text=True)
    assert f"RFC-{rfc_id:06d}" not in rm.get(f"/calendar?date={day:%Y-%m}&system={mprs}").get_data(as_text=True)
    december = rm.get("/calendar?date=2026-12").get_data(as_text=True)
    assert "December 2026" in december and "Christmas Day" in december and "date=2027-01" in december


def test_bad_calendar_input_is_named_next_to_its_field(as_user):
    rm = as_user("rm.sit@demo.test")
    for query, message in (("date=2026-13", "Enter a month as YYYY-MM"), ("date=soon", "Enter a month as YYYY-MM"),
                           ("date=9999-12", "between 2000 and 2100"), ("view=week&date=0001-01-01", "between 2000"),
                           ("environment=999999", "That environment is unknown"),
                           ("system=abc", "That system is unknown"),
                           ("organisation=-4", "That organisation is unknown")):
        response = rm.get(f"/calendar?{query}")
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and message in page, query
        assert 'aria-invalid="true"' in page
    assert 'value="2026-13"' in rm.get("/calendar?date=2026-13").get_data(as_text=True)  # what was typed stays


FEED = re.compile(r"/calendar/feed/([A-Za-z0-9_-]+)\.ics")


def test_the_feed_uids_sequence_status_and_regeneration(app, as_user, client):
    with app.app_context():
        rfc_id = make_rfc()
    central = as_user("dip@demo.test")
    assert "Make my feed URLs" in central.get("/calendar/feeds").get_data(as_text=True)
    token = FEED.search(central.post("/calendar/feeds").get_data(as_text=True)).group(1)  # shown once
    url = f"/calendar/feed/{token}.ics"
    response = client.get(url)
    first, second = feed_events(response), feed_events(client.get(url))
    assert client.http.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304  # unchanged
    uid = f"rfc-{rfc_id}@release-desk.mhhs"
    assert uid in first and set(first) == set(second)
    event = first[uid]
    assert str(event["STATUS"]) == "TENTATIVE" and event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event["DTSTART"].to_ical().endswith(b"Z") and f"/rfcs/{rfc_id}" in str(event["URL"])
    # The links come from PUBLIC_URL, whichever allowed host name the calendar used.
    via_ip = client.http.get(url, base_url="http://127.0.0.1")
    assert str(feed_events(via_ip)[uid]["URL"]) == f"http://localhost/rfcs/{rfc_id}"
    with app.app_context():  # the window moves: sent back, changed and submitted again
        rfc = db.session.get(Rfc, rfc_id)
        services.decide(user("rm.sit@demo.test"), rfc, Decision.CHANGES_REQUESTED, "Move it an hour later")
        later = content(window_start=next_week(hour=11))
        services.save_draft(user("dip@demo.test"), rfc, later)
        services.submit(user("dip@demo.test"), rfc)
    assert client.http.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 200  # changed
    moved = feed_events(client.get(url))[uid]
    assert moved["SEQUENCE"] > event["SEQUENCE"] and moved.decoded("DTSTART") > event.decoded("DTSTART")
    with app.app_context():
        services.withdraw(user("dip@demo.test"), db.session.get(Rfc, rfc_id))
    assert str(feed_events(client.get(url))[uid]["STATUS"]) == "CANCELLED"
    central.post("/calendar/feeds")
    assert client.get(url).status_code == 404
    assert client.get("/calendar/feed/not-a-token.ics").status_code == 404


def test_a_test_participants_feed_has_no_pending_windows_nor_other_certificates(app, as_user, client):
    with app.app_context():
        pending = make_rfc()
        approved = make_rfc(version="1.2.0.0", window_start=next_week(hour=14))
        approve(approved, "rm.sit@demo.test")
        certificate = make_certificate("Avanade", "SIT-A", days=20, mpid="AVAN").id
        own = make_certificate("Northwold Energy", "SIT-A", days=20).id
    supplier = as_user("supplier@demo.test")
    token = FEED.search(supplier.post("/calendar/feeds").get_data(as_text=True)).group(1)
    events = feed_events(client.get(f"/calendar/feed/{token}.ics"))
    assert f"rfc-{approved}@release-desk.mhhs" in events and f"rfc-{pending}@release-desk.mhhs" not in events
    assert f"certificate-{own}@release-desk.mhhs" in events
    assert f"certificate-{certificate}@release-desk.mhhs" not in events
    assert client.get(f"/calendar/feed/{token}/999999.ics").status_code == 404
    with app.app_context():
        sit_b = env_ids("SIT-B")[0]
    assert f"rfc-{approved}@release-desk.mhhs" not in feed_events(client.get(f"/calendar/feed/{token}/{sit_b}.ics"))


def test_freezes_and_test_phases_refuse_bad_dates_and_store_nothing(app, as_user):
    rm = as_user("rm.sit@demo.test")
    page = rm.post("/freezes", {"environment_id": "", "first_day": "2026-12-10", "last_day": "2026-12-01",
                                "reason": "Cycle 3"}).get_data(as_text=True)
    assert "The last day must be on or after the first day." in page and "Cycle 3" in page
    page = rm.post("/plan/phases", {"name": "SIT Functional", "environment_id": "", "first_day": "2026-12-10",
                                    "last_day": "2026-12-01"}).get_data(as_text=True)
    assert "The last day must be on or after the first day." in page and "Choose the environment" in page
    page = rm.post("/freezes", {"environment_id": "", "first_day": "9999-12-31", "last_day": "9999-12-31",
                                "reason": "Far away"}).get_data(as_text=True)
    assert "Enter a day between 2000 and 2100." in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Freeze)) == 0
        assert db.session.scalar(select(func.count()).select_from(TestPhase)) == 0
    assert rm.post("/freezes", {"environment_id": "", "first_day": "2026-12-10", "last_day": "2026-12-11",
                                "reason": "Cycle 3 regression"}).status_code == 303
    assert "Every environment" in rm.get("/freezes").get_data(as_text=True)
    assert as_user("dip@demo.test").post("/freezes", {"first_day": "2026-12-10", "last_day": "2026-12-11",
                                                      "reason": "x"}).status_code == 403


def test_support_hours_are_kept_by_release_managers_with_checks(app, as_user):
    with app.app_context():
        system = db.session.scalar(select(System).where(System.name == "DSP"))
        system_id, org_id = system.id, system.organisation_id
    rm = as_user("rm.sit@demo.test")
    form = {"name": "DSP", "organisation_id": org_id, "support_kind": "hours", "support_days": ["0", "1", "2"],
            "support_start": "17:00", "support_end": "09:00", "support_hours": "DCC desk", "backup_regime": ""}
    page = rm.post(f"/systems/{system_id}/edit", form).get_data(as_text=True)
    assert "Support must end after it starts." in page
    with app.app_context():
        assert db.session.get(System, system_id).support_kind == "tbc"
    assert rm.post(f"/systems/{system_id}/edit", dict(form, support_start="08:00", support_end="18:00")) \
        .status_code == 303
    assert "Mon, Tue, Wed 08:00–18:00" in as_user("supplier@demo.test").get("/support-hours").get_data(as_text=True)
    assert "weekdays 09:00–17:00 (gate closure 15:00)" in rm.get("/support-hours").get_data(as_text=True)


def test_the_month_view_queries_do_not_grow_with_rfcs(app, as_user, count_queries):
    """Read again after each change (a new window moves the schedule's counter), the month reads as many rows with 2
    windows as with 32; unchanged, it is the process's copy (core/changes.py)."""
    start = next_week()
    with app.app_context():
        make_rfc(window_start=start)
    rm = as_user("rm.sit@demo.test")
    url = f"/calendar?date={month_of(start)}"
    rm.get(url)  # the process's copies of the reference data's choices and the longest outage (core/changes.py)
    with app.app_context():
        make_rfc(release_type=ReleaseType.PATCH, version="1.1.1.0", window_start=start)
    with count_queries() as few:
        rm.get(url)
    with app.app_context():
        for i in range(30):
            make_rfc(version=f"2.{i}.0.0", window_start=start + timedelta(days=i % 9, hours=i % 3))
    with count_queries() as many:
        page = rm.get(url).get_data(as_text=True)
    assert "More on" in page  # a busy day says there are more
    assert many.count == few.count
    with count_queries() as unchanged:
        assert rm.get(url).get_data(as_text=True) == page
    assert unchanged.count < few.count


def test_the_plan_and_its_pdf(app, as_user):
    rm = as_user("rm.sit@demo.test")
    today = to_london(utcnow()).date()
    with app.app_context():
        sit_a = env_ids("SIT-A")[0]
    assert rm.post("/plan/phases", {"name": "SIT Functional cycle 3", "environment_id": sit_a, "first_day": f"{today}",
                                    "last_day": f"{today + timedelta(days=30)}"}).status_code == 303
    page = rm.get("/plan").get_data(as_text=True)
    assert "<svg" in page and "SIT-A · SIT Functional cycle 3" in page and ">Today<" in page
    text = " ".join(pdf_pages(rm.get("/plan.pdf"))[1])
    assert "Test-phase plan" in text and "SIT Functional cycle 3" in text and "IR5.4" in text


def test_what_a_manager_changes_is_on_the_very_next_plan_and_a_participant_sees_no_managers_actions(app, as_user):
    """The plan's stages, freezes and roadmap are kept per process and day (schedule/plan.shown): each change is on
    the next page; what only a Release Manager may do is never kept with them."""
    from mhhs.directory.models import MajorRelease
    rm, supplier = as_user("rm.sit@demo.test"), as_user("supplier@demo.test")
    today = to_london(utcnow()).date()
    with app.app_context():
        sit_a = env_ids("SIT-A")[0]
    assert "Night migration" not in rm.get("/plan").get_data(as_text=True)  # drawn and kept
    assert rm.post("/plan/phases", {"name": "Night migration", "environment_id": sit_a, "first_day": f"{today}",
                                    "last_day": f"{today + timedelta(days=3)}"}).status_code == 303
    assert "SIT-A · Night migration" in rm.get("/plan").get_data(as_text=True)
    assert rm.post("/freezes", {"environment_id": "", "first_day": f"{today + timedelta(days=5)}",
                                "last_day": f"{today + timedelta(days=6)}", "reason": "Board week"}).status_code == 303
    assert "<title>Board week: " in rm.get("/plan").get_data(as_text=True)
    with app.app_context():
        db.session.add(MajorRelease(name="IR9.9", planned_date=today + timedelta(days=20), purpose="Winter fixes"))
        db.session.commit()
        phase_id = db.session.scalar(select(TestPhase.id).where(TestPhase.name == "Night migration"))
    page = rm.get("/plan").get_data(as_text=True)
    assert "Winter fixes" in page and "Add a test phase" in page and f"/plan/phases/{phase_id}/remove" in page
    page = supplier.get("/plan").get_data(as_text=True)
    assert "SIT-A · Night migration" in page and "Winter fixes" in page
    assert "Add a test phase" not in page and "/remove" not in page
    assert rm.post(f"/plan/phases/{phase_id}/remove").status_code == 303
    assert "SIT-A · Night migration" not in rm.get("/plan").get_data(as_text=True)


def test_the_plans_blank_form_offers_the_environments_as_they_are_now(app, as_user):
    """The blank form to add a test phase is drawn once per process: an environment renamed is offered by its new name
    on the next page, and the CSRF token is the viewer's own."""
    from mhhs.directory.models import Environment
    rm = as_user("rm.sit@demo.test")
    assert ">SIT-A</option>" in rm.get("/plan").get_data(as_text=True)
    with app.app_context():
        db.session.scalar(select(Environment).where(Environment.name == "SIT-A")).name = "SIT-A (north)"
        db.session.commit()
    page = rm.get("/plan").get_data(as_text=True)
    assert ">SIT-A (north)</option>" in page and ">SIT-A</option>" not in page
    assert re.search(r'name="csrf_token" value="[^"]+"', page)
    refused = rm.post("/plan/phases", {"name": "", "environment_id": "", "first_day": "", "last_day": ""})
    assert "Name the test phase" in refused.get_data(as_text=True)  # a refused post's own form, with its problems
