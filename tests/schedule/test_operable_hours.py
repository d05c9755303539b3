"""Operable hours vs support hours (EAP §12.7): when a system runs and when its desk is open are two things; the
weekly report's per-system figures use each; St Clements' 15:15 end-of-day batch is data, named where a window or an
outage meets it; each system's monitoring is recorded and shown."""
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from mhhs.core.time import london_to_utc
from mhhs.directory.models import System
from mhhs.extensions import db
from mhhs.rfcs.states import ReleaseType
from mhhs.windows.support import batch_problem, describe_operable
from tests.outages.factory import make_outage
from tests.rfcs.factory import make_rfc


def london(*args):
    return london_to_utc(datetime(*args))


def system(name):
    return db.session.scalar(select(System).where(System.name == name))


@pytest.mark.parametrize("name, owner, start, operable, supported", [
    # Helix systems run 24/7, supported weekdays 09:00-17:00 (EAP §12.7.2): 6 hours down on Tuesday afternoon.
    ("LSS", "helix@demo.test", london(2026, 11, 3, 10), "96.43%", "85.00%"),  # 1 - 6/168; 1 - 6/40
    # ...and on Saturday: down while operable, never while supported.
    ("LSS", "helix@demo.test", london(2026, 11, 7, 10), "96.43%", "100.00%"),
    # RECCo's EES runs 24/7, supported weekdays 08:00-18:00 (EAP §12.7.3).
    ("EES", "rm.sit@demo.test", london(2026, 11, 3, 10), "96.43%", "88.00%"),  # 1 - 6/50
    # DIP runs weekdays 09:00-17:00 (EAP §12.7.1): its operable figure is over those 40 hours, not 168.
    ("DIP", "dip@demo.test", london(2026, 11, 3, 10), "85.00%", "85.00%"),
])
def test_eap_12_7_the_24_7_figure_uses_operable_hours_and_the_other_support_hours(app, as_user, name, owner, start,
                                                                                 operable, supported):
    with app.app_context():
        make_outage(owner, systems=(name,), start=start, end=start + timedelta(hours=6))
    page = as_user("rm.sit@demo.test").get("/reports/weekly?week=2026-W45").get_data(as_text=True)
    assert "<th scope=\"col\">In operable hours</th>" in page
    row = page.split(f"<td>SIT-A</td><td>{name}</td>")[1].split("</tr>")[0]
    assert row == f"<td>{operable}</td><td>{supported}</td>"


def test_eap_12_7_4_the_end_of_day_batch_is_named_where_a_window_or_an_outage_meets_it(app, as_user):
    """St Clements: "Gate Closure – 15:00 End of Day Batch – 15:15" (EAP §12.7.4)."""
    with app.app_context():
        mprs = system("MPRS")
        assert mprs.end_of_day_batch == time(15, 15) and mprs.gate_closure == time(15)
        assert batch_problem(mprs, london(2026, 11, 3, 14), london(2026, 11, 3, 15)) is None  # ends before 15:15
        assert batch_problem(mprs, london(2026, 11, 3, 15), london(2026, 11, 3, 16)) == \
            "meets MPRS's end-of-day batch at 15:15 (Tue 03 Nov)"
        assert batch_problem(system("DIP"), london(2026, 11, 3, 15), london(2026, 11, 3, 16)) is None  # none
        day = date.today() + timedelta(days=14)
        while day.weekday() != 2:
            day += timedelta(days=1)
        start = london_to_utc(datetime.combine(day, time(15)))
        rfc_id = make_rfc(email="mprs@demo.test", system="MPRS", release_type=ReleaseType.PATCH, version="1.0.1.0",
                          rollback_plan="",
                          window_start=start, window_end=start + timedelta(hours=1))
        outage = make_outage("mprs@demo.test", systems=("MPRS",), start=london(2026, 11, 3, 14),
                             end=london(2026, 11, 3, 16)).id
    rfc_page = as_user("rm.sit@demo.test").get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    assert f"The window meets MPRS&#39;s end-of-day batch at 15:15 ({day:%a %d %b})" in rfc_page
    outage_page = as_user("supplier@demo.test").get(f"/outages/{outage}").get_data(as_text=True)
    assert "The outage meets MPRS&#39;s end-of-day batch at 15:15 (Tue 03 Nov)." in outage_page


def test_eap_12_7_the_systems_page_shows_operable_and_support_hours_the_batch_and_monitoring(app, as_user):
    page = as_user("supplier@demo.test").get("/support-hours").get_data(as_text=True)
    with app.app_context():
        ids = {name: system(name).id for name in ("LSS", "MPRS", "DIP")}
    lss = page.split(f'id="system-{ids["LSS"]}"')[1].split("</tr>")[0]
    assert "<td>24/7</td><td>weekdays 09:00–17:00</td>" in lss and "Internal monitoring and alerts" in lss
    mprs = page.split(f'id="system-{ids["MPRS"]}"')[1].split("</tr>")[0]
    assert "<td>weekdays 09:00–17:00</td><td>weekdays 09:00–17:00 (gate closure 15:00)</td>" in mprs
    assert "<td>15:15</td>" in mprs and "St Clements monitor the environments" in mprs
    assert "DIP L1 Support Team monitors" in page.split(f'id="system-{ids["DIP"]}"')[1].split("</tr>")[0]


@pytest.mark.parametrize("change, field, message", [
    ({"operable_kind": "hours", "operable_days": [], "operable_start": "09:00", "operable_end": "17:00"},
     "operable_days", "Tick the days the system runs."),
    ({"operable_kind": "hours", "operable_days": ["0"], "operable_start": "", "operable_end": "17:00"},
     "operable_start", "Enter when the system starts running, e.g. 09:00."),
    ({"operable_kind": "hours", "operable_days": ["0"], "operable_start": "17:00", "operable_end": "09:00"},
     "operable_end", "The system must stop running after it starts."),
    ({"end_of_day_batch": "25:15"}, "end_of_day_batch", "Not a valid time value."),
])
def test_eap_12_7_bad_hours_are_refused_by_their_field_keeping_what_was_typed(app, as_user, change, field, message):
    with app.app_context():
        lss = system("LSS")
        lss_id, form = lss.id, {"name": "LSS", "organisation_id": lss.organisation_id, "support_kind": "hours",
                                "support_days": ["0", "1", "2", "3", "4"], "support_start": "09:00",
                                "support_end": "17:00", "monitoring": "Grafana alerts to the Helix on-call rota",
                                "environment_ids": [e.id for e in lss.environments]}
    response = as_user("rm.sit@demo.test").post(f"/systems/{lss_id}/edit", {**form, **change})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page.split(f'id="{field}-error"')[1][:200]
    assert "Grafana alerts to the Helix on-call rota" in page
    with app.app_context():
        stored = system("LSS")
        assert (describe_operable(stored), stored.monitoring) == ("24/7", "Internal monitoring and alerts; in the "
                                                                          "event of failure MHHS is informed.")
