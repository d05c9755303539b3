"""RCM Table 3 and §7.4: weekly Minor releases, indicatively Monday afternoon. The programme's weekly release slot is
data a Release Manager keeps (default Monday 13:00–17:00); "Suggest a window" offers it first for Minor and Patch
releases, and the calendar shows it."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from mhhs.audit.models import AuditEvent
from mhhs.core.time import london_to_utc
from mhhs.directory.models import System
from mhhs.extensions import db
from mhhs.rfcs.clashes import next_free_window
from mhhs.rfcs.states import ReleaseType
from mhhs.windows.models import ReleaseSlot
from tests.rfcs.factory import env_ids, form_data


def london(day, hour, minute=0):
    return london_to_utc(datetime.combine(day, time(hour, minute)))


TUESDAY_MORNING = london(date(2026, 12, 8), 9, 30)  # a business day's notice: Wednesday 09:30 at the earliest


def dip():
    return db.session.scalar(select(System).where(System.name == "DIP"))


def test_rcm_table_3_minor_and_patch_are_offered_the_weekly_slot_first(ctx):
    hour, sit_a = timedelta(hours=1), env_ids("SIT-A")
    monday = london(date(2026, 12, 14), 13)
    assert next_free_window(dip(), ReleaseType.MINOR, sit_a, hour, TUESDAY_MORNING) == (monday, monday + hour)
    assert next_free_window(dip(), ReleaseType.PATCH, sit_a, hour, TUESDAY_MORNING) == (monday, monday + hour)
    # A Major (or an Emergency) is not a weekly release: the earliest window that meets its own rules.
    assert next_free_window(dip(), ReleaseType.EMERGENCY, sit_a, hour, TUESDAY_MORNING)[0] < monday
    # Five hours do not fit in the slot: the earliest free window instead.
    assert next_free_window(dip(), ReleaseType.MINOR, sit_a, 5 * hour, TUESDAY_MORNING)[0] < monday


def test_rcm_table_3_a_release_manager_keeps_the_slot_and_the_calendar_shows_it(app, as_user):
    rm = as_user("rm.sit@demo.test")
    week = rm.get("/calendar?view=week&date=2026-12-14").get_data(as_text=True)
    assert "Weekly release slot:" in week and "13:00–17:00, Minor and Patch releases (RCM Table 3)" in week
    page = rm.post("/release-slot", {"weekday": "1", "start": "15:00", "end": "11:00"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<small id="end-error" class="field-error">The slot must end after it starts.' in text
    assert 'value="15:00"' in text and 'value="11:00"' in text  # kept as typed
    with app.app_context():
        assert db.session.scalar(select(ReleaseSlot.weekday)) == 0  # nothing stored
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "release_slot.updated")) == 0
    assert rm.post("/release-slot", {"weekday": "1", "start": "10:00", "end": "12:00"}).status_code == 303
    with app.app_context():
        tuesday = london(date(2026, 12, 15), 10)
        assert next_free_window(dip(), ReleaseType.MINOR, env_ids("SIT-A"), timedelta(hours=1),
                                TUESDAY_MORNING) == (tuesday, tuesday + timedelta(hours=1))
    assert "10:00–12:00, Minor and Patch" in rm.get("/calendar?view=week&date=2026-12-14").get_data(as_text=True)
    assert as_user("dip@demo.test").post("/release-slot", {"weekday": "2"}).status_code == 403


def test_rcm_table_3_suggest_a_window_says_it_is_the_weekly_slot(app, as_user):
    dip_user = as_user("dip@demo.test")
    form = {**form_data(app, release_type=ReleaseType.PATCH), "window_start": "", "window_end": "",
            "action": "suggest_window"}
    text = dip_user.post("/rfcs/new", form).get_data(as_text=True)
    assert "Suggested the earliest free window of 1 h in the weekly release slot (Monday 13:00–17:00, RCM Table 3)" \
        in text
