"""The release schedule in a real browser: a Central Party asks for the next free window and submits; the Release
Manager finds the RFC on the calendar with no clash; a second RFC in the same window is then marked as clashing on
the calendar and in the approval queue."""
import re

from playwright.sync_api import expect

from mhhs.core.time import to_london
from mhhs.extensions import db
from mhhs.rfcs.models import Rfc
from mhhs.rfcs.states import ReleaseType
from tests.helpers import fill_rfc, log_out
from tests.rfcs.factory import make_rfc


def test_next_free_window_then_a_clash_on_the_calendar_and_in_the_queue(app, page, log_in):
    log_in("dip@demo.test")
    page.goto("/rfcs/new")
    fill_rfc(page, environments=("SIT-A (SIT)",), defects=[("DEF-501", "High", "Ack lost on retry", "SIT-A")])
    typed_start = page.get_by_label("Window start").input_value()
    page.get_by_role("button", name="Suggest a window").click()
    expect(page.get_by_role("status").filter(has_text="Suggested the earliest free window of 2 h")).to_be_visible()
    expect(page.get_by_label("Window start")).not_to_have_value(typed_start)  # sooner than the one typed
    expect(page.get_by_label("Title", exact=True)).to_have_value("DIP ack handling")  # nothing typed is lost
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("submitted (revision 1)")).to_be_visible()
    expect(page.locator("p.flash-error", has_text="Clashes with")).to_have_count(0)
    number = page.get_by_role("heading", level=1).inner_text().split(" ")[0]
    rfc_id = int(number.split("-")[1])
    log_out(page)

    with app.app_context():
        first = db.session.get(Rfc, rfc_id)
        day = to_london(first.window_start).date()
        second = make_rfc(system="MPRS", email="mprs@demo.test", release_type=ReleaseType.PATCH, version="1.0.1.0",
                          rollback_plan="",
                          window_start=first.window_start, window_end=first.window_end)
    log_in("rm.sit@demo.test")
    page.get_by_role("link", name="Calendar", exact=True).click()
    page.get_by_label("View").select_option("Week")  # the form follows by itself (htmx), and so does the URL
    page.get_by_label("Month or day").fill(day.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(f"view=week&date={day.isoformat()}"))
    calendar = page.locator("#calendar")
    expect(calendar.get_by_role("heading", level=2)).to_contain_text("Week of")
    ours = calendar.locator("li.entry", has_text=f"{number} DIP")
    theirs = calendar.locator("li.entry", has_text=f"RFC-{second:06d} MPRS")
    expect(ours).to_contain_text("Window submitted · clash:")
    expect(ours.get_by_role("link", name=f"RFC-{second:06d}")).to_be_visible()
    expect(theirs).to_contain_text(f"RFC-{rfc_id:06d} (submitted), DIP")
    theirs.get_by_role("link", name=f"RFC-{rfc_id:06d}", exact=False).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)

    page.get_by_role("link", name="Approvals").click()
    row = page.locator(f"#queue-rfc-{second}")
    expect(row).to_contain_text("Clashes with")
    expect(row.get_by_role("link", name=f"{number} (submitted)", exact=False)).to_be_visible()
