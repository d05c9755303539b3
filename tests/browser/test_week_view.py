"""The calendar's week view on a time-of-day axis: windows overlapping in one day stand side by side, a later one
lower; axe at desktop and phone widths."""
import os
from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from mhhs.core.time import london_to_utc, to_london, utcnow
from mhhs.rfcs.states import ReleaseType
from mhhs.schedule.calendar import Day, Entry, timeline
from tests.browser.test_accessibility import AXE, RULES
from tests.rfcs.factory import make_rfc

SHOTS = os.environ.get("SHOTS_DIR")
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


def _at(day, hour, minute=0):
    return london_to_utc(datetime.combine(day, time(hour, minute)))


def test_the_timeline_places_and_cuts_entries_at_midnight(ctx):
    day = (to_london(utcnow()) + timedelta(days=3)).date()
    morning = Entry("window", "Window approved", "w", start=_at(day, 8), end=_at(day, 10, 30))
    overnight = Entry("window", "Window approved", "o", start=_at(day, 22), end=_at(day + timedelta(days=1), 2))
    ongoing = Entry("unplanned", "Unplanned outage", "u", start=_at(day, 9, 10), end=None)
    holiday = Entry("holiday", "Bank holiday", "h")
    untimed, placed = timeline(Day(day, [holiday, overnight, ongoing, morning]))
    assert untimed == [holiday]
    assert [(p.entry.text, p.first, p.rows, p.before, p.after) for p in placed] == [
        ("w", 32, 10, False, False),  # 08:00, two and a half hours
        ("u", 36, 60, False, True),  # 09:10 falls in the 09:00 row; ongoing: to midnight and on
        ("o", 88, 8, False, True)]  # 22:00 to midnight, then the next day
    _, next_day = timeline(Day(day + timedelta(days=1), [overnight]))
    assert [(p.first, p.rows, p.before, p.after) for p in next_day] == [(0, 8, True, False)]


@pytest.mark.parametrize("width", list(WIDTHS))
def test_overlapping_windows_stand_side_by_side(app, browser, live_server, width):
    with app.app_context():
        day = (to_london(utcnow()) + timedelta(days=9)).date()
        early = make_rfc(version="1.1.0.0", window_start=_at(day, 9), window_end=_at(day, 12))
        overlapping = make_rfc(system="MPRS", email="mprs@demo.test", release_type=ReleaseType.PATCH,
                               version="1.0.1.0", rollback_plan="",
                               window_start=_at(day, 10), window_end=_at(day, 11))
        late = make_rfc(version="1.2.0.0", window_start=_at(day, 18), window_end=_at(day, 20))
    context = browser.new_context(base_url=live_server, bypass_csp=True,
                                  viewport=dict(zip(("width", "height"), WIDTHS[width])))
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/login")
        page.get_by_label("Email").fill("rm.sit@demo.test")
        page.get_by_label("Password").fill("demo-pass")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        page.goto(f"/calendar?view=week&date={day.isoformat()}")
        boxes = {rfc_id: page.locator(f'.week-day > li.entry:has(> a[href="/rfcs/{rfc_id}"])').bounding_box()
                 for rfc_id in (early, overlapping, late)}
        a, b, c = boxes[early], boxes[overlapping], boxes[late]
        assert a["y"] < b["y"] < a["y"] + a["height"]  # 10:00 is inside 09:00–12:00 …
        assert b["x"] >= a["x"] + a["width"] - 1  # … and beside it, not on top of it
        assert c["y"] > a["y"] + a["height"]  # 18:00 lower down
        assert abs(a["height"] - 3 * b["height"]) < 8  # three hours are three times one hour
        # The week scrolls sideways inside its own region (keyboard-focusable); it never widens the page.
        region = page.locator(".week-scroll").bounding_box()
        assert region["x"] + region["width"] <= WIDTHS[width][0]
        expect(page.get_by_role("region", name="by time of day")).to_be_visible()
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, f"week-{width}.png"), full_page=True)
        page.add_script_tag(path=str(AXE))
        found = page.evaluate("rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})"
                              ".then(r => r.violations.map(v => v.id + ': ' + v.help + ' ' + "
                              "v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')))", RULES)
        assert found == []
    finally:
        context.close()
