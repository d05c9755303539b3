"""Logging, editing and ending outages; who may do what; the board, the log, CSV and availability pages."""
import csv
import io
from datetime import datetime, time, timedelta

from sqlalchemy import select

from mhhs.audit.models import AuditEvent
from mhhs.core.time import london_to_utc, to_london, utcnow
from mhhs.extensions import db
from mhhs.outages.models import Category, Outage
from tests.outages.factory import form, local, make_outage
from tests.rfcs.factory import approve, make_rfc


def outages(app):
    with app.app_context():
        return db.session.scalars(select(Outage).order_by(Outage.id)).all()


def test_participant_reports_an_unplanned_outage_of_a_central_system(app, as_user):
    tp = as_user("supplier@demo.test")
    response = tp.post("/outages/new", form(app))
    assert response.status_code == 303
    (outage,) = outages(app)
    assert outage.planned is False and outage.end is None and outage.defect_reference == "ADO-4411"
    board = tp.get("/outages/board").get_data(as_text=True)
    assert 'hx-trigger="every 60s"' in board and 'class="down" title="down">DIP' in board
    assert "1 outage now" in board


def test_participants_do_not_announce_planned_outages(app, as_user):
    page = as_user("supplier@demo.test").post("/outages/new", form(app, planned=True, category="data refresh")
                                              ).get_data(as_text=True)
    assert 'id="planned-error"' in page and "planned outages are announced by the system&#39;s owner" in page
    assert outages(app) == []


def test_central_party_logs_only_its_own_systems(app, as_user):
    page = as_user("dip@demo.test").post("/outages/new", form(app, systems=("MPRS",))).get_data(as_text=True)
    assert "You log outages of your organisation&#39;s systems only; MPRS is not yours." in page
    assert outages(app) == []


def test_bad_input_is_explained_next_to_each_field_with_input_kept(app, as_user):
    rm = as_user("rm.sit@demo.test")
    page = rm.post("/outages/new", form(app, environment="SIT Staging", systems=("DTN",))).get_data(as_text=True)
    assert "DTN is not in SIT Staging." in page
    start = utcnow() - timedelta(hours=2)
    page = rm.post("/outages/new", form(app, end=local(start - timedelta(hours=1)), description="Kept words")
                   ).get_data(as_text=True)
    assert "The outage must end after it starts." in page and "Kept words" in page
    page = rm.post("/outages/new", form(app, end=local(utcnow() + timedelta(hours=3)))).get_data(as_text=True)
    assert "An unplanned outage cannot end in the future" in page
    page = rm.post("/outages/new", form(app, category="data refresh")).get_data(as_text=True)
    assert "An unplanned outage is an infrastructure failure or a software failure." in page
    page = rm.post("/outages/new", form(app, planned=True, category="software failure")).get_data(as_text=True)
    assert "A planned outage is a data refresh" in page
    page = rm.post("/outages/new", form(app, start="23/11/2026 10:00")).get_data(as_text=True)
    assert 'id="start-error"' in page and "Enter when the outage starts, e.g. 2026-11-24 09:30." in page
    page = rm.post("/outages/new", form(app, systems=("DIP", "MPRS"))).get_data(as_text=True)
    assert "Choose systems of one organisation" in page
    assert outages(app) == []


def test_planned_outages_can_be_entered_ahead_and_warn_outside_availability(app, as_user):
    start = utcnow() + timedelta(days=3)
    dip = as_user("dip@demo.test")
    response = dip.post("/outages/new", form(app, planned=True, category="infrastructure patching",
                                             start=local(start), end=local(start + timedelta(hours=4))))
    assert response.status_code == 303
    page = dip.get(response.location).get_data(as_text=True)
    assert "outside SIT-A&#39;s availability dates" in page  # SIT-A ran to 04 Apr 2025: a warning, not a refusal
    board = dip.get("/outages/board").get_data(as_text=True)
    assert "Next planned" in board and "infrastructure patching" in board


def test_who_may_edit_and_end(app, as_user):
    with app.app_context():
        reported = make_outage("supplier@demo.test").id
        other = make_outage("dip@demo.test", description="Logged by Avanade").id
    assert as_user("supplier@demo.test").get(f"/outages/{other}/edit").status_code == 404
    assert as_user("supplier@demo.test").post(f"/outages/{other}/end").status_code == 404
    assert as_user("mprs@demo.test").get(f"/outages/{reported}/edit").status_code == 404
    assert as_user("dip@demo.test").get(f"/outages/{reported}/edit").status_code == 200  # its own system
    assert as_user("supplier@demo.test").get(f"/outages/{other}").status_code == 200  # everyone reads the log


def test_end_now_in_place_and_history(app, as_user):
    with app.app_context():
        outage_id = make_outage("supplier@demo.test").id
    dip = as_user("dip@demo.test")
    row = dip.post(f"/outages/{outage_id}/end", htmx=True).get_data(as_text=True)
    assert row.lstrip().startswith(f'<tr id="outage-{outage_id}"') and "End now" not in row and "ongoing" not in row
    row = dip.post(f"/outages/{outage_id}/end", htmx=True).get_data(as_text=True)
    assert "This outage has ended already." in row
    edit = dip.get(f"/outages/{outage_id}/edit").get_data(as_text=True)
    data = form(app, description="Acks missing after DIP certificate rotation",
                root_cause="Expired intermediate certificate")
    data["start"] = edit.split('name="start"')[1].split('value="')[1].split('"')[0]
    data["end"] = edit.split('name="end"')[1].split('value="')[1].split('"')[0]
    assert dip.post(f"/outages/{outage_id}/edit", data).status_code == 303
    page = dip.get(f"/outages/{outage_id}").get_data(as_text=True)
    history = page.split("<h2>History</h2>")[1]
    assert "logged" in history and "ended" in history and "description" in history and "root_cause" in history


def test_log_filters_csv_and_constant_queries(app, as_user, count_queries):
    with app.app_context():
        make_outage("supplier@demo.test", description="Ack storm")
        make_outage("mprs@demo.test", systems=("MPRS",), planned=True, category=Category.DATA_LOAD,
                    start=utcnow() - timedelta(days=2), end=utcnow() - timedelta(days=2) + timedelta(hours=1),
                    description="Gate closure data load")
    rm = as_user("rm.sit@demo.test")
    rows = rm.http.get("/outages?planned=planned", headers={"HX-Request": "true", "HX-Target": "outage-rows"})
    text = rows.get_data(as_text=True)
    assert "<html" not in text and "Gate closure data load" in text and "Ack storm" not in text
    table = list(csv.DictReader(io.StringIO(rm.get("/outages/export.csv?q=ack").get_data(as_text=True))))
    assert [r["Description"] for r in table] == ["Ack storm"] and table[0]["Planned"] == "unplanned"
    # The board is read once, then kept per process while it holds (services.board_copy); so is a page of the log
    # per viewer and query string: the default order asked by name is read.
    rm.get("/outages")
    with count_queries() as few:
        rm.get("/outages?sort=start")
    with app.app_context():
        for i in range(40):
            make_outage("rm.sit@demo.test", systems=("MPRS",) if i % 2 else ("DIP",), description=f"Bulk {i}",
                        start=utcnow() - timedelta(days=i + 3),
                        end=utcnow() - timedelta(days=i + 3) + timedelta(hours=1))
    rm.get("/outages")
    with count_queries() as many:
        page = rm.get("/outages?sort=start").get_data(as_text=True)
    assert ">Next</a>" in page and many.count == few.count
    with count_queries() as last:
        page = rm.get("/outages?last=1").get_data(as_text=True)
    assert "Ack storm" not in page and "Bulk 39" in page and last.count == few.count  # the oldest, at the same cost
    with count_queries() as kept:
        assert rm.get("/outages?last=1").get_data(as_text=True).count("Bulk 39") == page.count("Bulk 39")
    assert kept.count < few.count


def test_board_queries_do_not_grow_with_ongoing_outages(app, as_user, count_queries):
    with app.app_context():
        make_outage("supplier@demo.test", description="First down")
    tp = as_user("supplier@demo.test")
    with count_queries() as few:
        tp.get("/outages/board")
    with app.app_context():
        for i in range(30):
            make_outage("rm.sit@demo.test", environment=["SIT-A", "SIT-B", "UIT"][i % 3],
                        systems=("MPRS",) if i % 2 else ("DIP",), description=f"Down {i}")
            make_outage("rm.sit@demo.test", planned=True, category=Category.DATA_LOAD, description=f"Planned {i}",
                        start=utcnow() + timedelta(days=i + 1), end=utcnow() + timedelta(days=i + 1, hours=2))
    with count_queries() as many:
        board = tp.get("/outages/board").get_data(as_text=True)
    assert board.count('class="ongoing"') == 31 and board.count("data load") == 3  # SIT-A's next 3 planned
    assert many.count == few.count


def test_availability_page_and_csv(app, as_user):
    # Two hours on a day eight days ago (10:00-12:00 London): within the last two months and three weeks whatever
    # the time of day the test runs (just after midnight on a Monday the last few hours are last week's).
    day = to_london(utcnow()).date() - timedelta(days=8)
    start = london_to_utc(datetime.combine(day, time(10)))
    with app.app_context():
        make_outage("rm.sit@demo.test", start=start, end=start + timedelta(hours=2))
    rm = as_user("rm.sit@demo.test")
    page = rm.get("/outages/availability?period=month&count=2").get_data(as_text=True)
    assert "SIT-A" in page and "software failure 2.00" in page and 'class="bar"' in page
    table = list(csv.DictReader(io.StringIO(rm.get("/outages/availability.csv?period=week&count=3")
                                            .get_data(as_text=True))))
    sit_a = [r for r in table if r["Environment"] == "SIT-A"]
    assert len(sit_a) == 3
    assert sorted(r["Unplanned (hours)"] for r in sit_a) == ["0.00", "0.00", "2.00"]
    assert sorted(r["software failure (hours)"] for r in sit_a) == ["0.00", "0.00", "2.00"]
    week = next(r for r in sit_a if r["Unplanned (hours)"] == "2.00")
    elapsed = float(week["Elapsed (hours)"])
    assert abs(float(week["Availability (%)"]) - (1 - 2 / elapsed) * 100) < 0.01


def test_rfc_window_becomes_planned_outages_once(app, as_user):
    with app.app_context():
        rfc_id = make_rfc(environments=("SIT-A", "UIT"))
        approve(rfc_id, "rm.sit@demo.test", "rm.uit@demo.test")
    dip = as_user("dip@demo.test")
    assert dip.post(f"/outages/from-rfc/{rfc_id}").status_code == 303
    dip.post(f"/outages/from-rfc/{rfc_id}")
    logged = outages(app)
    assert len(logged) == 2 and all(o.planned and o.category == Category.CODE_DEPLOYMENT and o.rfc_id == rfc_id
                                    for o in logged)
    assert as_user("mprs@demo.test").post(f"/outages/from-rfc/{rfc_id}").status_code == 303
    assert len(outages(app)) == 2  # another Central Party cannot
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "outage.logged")) == \
            f"planned from RFC-{rfc_id:06d}"


def test_an_unchanged_board_answers_a_poll_with_304(app, as_user):
    tp = as_user("supplier@demo.test")
    first = tp.get("/outages/board", htmx=True)  # the poll of an open tab (opened alone it is the wall page)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and "no-cache" in first.headers["Cache-Control"]
    again = tp.http.get("/outages/board", headers={"If-None-Match": etag, "HX-Request": "true"}, buffered=True)
    assert again.status_code == 304 and again.data == b""
    with app.app_context():
        make_outage("dip@demo.test")
    changed = tp.http.get("/outages/board", headers={"If-None-Match": etag, "HX-Request": "true"}, buffered=True)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
