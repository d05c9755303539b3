"""Keeping the allocation in a real browser: the Release Manager allocates a weekday series and cancels the rest of
it in one go through the confirm dialog; changes a tranche, typing its last day before its first (refused by the
field, in place, nothing typed lost), then rightly."""
import re
from datetime import date, timedelta

from playwright.sync_api import expect

from mhhs.allocation import services
from mhhs.participants.models import Route
from tests.allocation.factory import environment, make_participant, next_monday, user


def test_a_series_allocated_then_the_rest_cancelled_at_once(app, page, log_in):
    with app.app_context():
        make_participant()
        monday = next_monday()
    log_in("rm.sit@demo.test")
    page.goto("/allocation/slots")
    page.get_by_label("Environment").select_option("SIT-A")
    page.get_by_label("Purpose").select_option("Connectivity proving")
    page.get_by_label("Participants").select_option("Northwold Energy")
    page.get_by_label("Start (UK time)").fill(f"{monday}T10:00")
    page.get_by_label("End (UK time)").fill(f"{monday}T11:00")
    page.get_by_label("Repeat on weekdays until").fill(f"{monday + timedelta(days=4)}")
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_text("5 slots allocated.")).to_be_visible()
    series = page.get_by_role("button", name="Cancel the rest of the series")
    expect(series).to_have_count(1)  # once per series, not on every occurrence
    series.click()
    page.locator("dialog[open]").get_by_role("button", name="Cancel the rest of the series").click()
    expect(page.get_by_text("5 slots of the series cancelled")).to_be_visible()
    expect(page.locator("#slots")).to_contain_text("No slots to come.")


def test_a_tranche_changed_refused_by_the_field_in_place_then_saved(app, page, log_in):
    with app.app_context():
        tranche = services.add_tranche(user(), Route.QUALIFICATION, "Tranche 1", environment("UIT").id,
                                       date(2030, 1, 1), date(2030, 2, 1), "Code Bodies' panel")
        tranche_id = tranche.id
    log_in("rm.sit@demo.test")
    page.goto("/allocation/tranches")
    page.get_by_role("button", name="Change Qualification tranche Tranche 1").click()
    expect(page).to_have_url(re.compile(f"/allocation/tranches/{tranche_id}/edit$"))
    page.get_by_label("Name").fill("Tranche 1A")
    page.get_by_label("Last day").fill("2029-12-01")
    page.get_by_role("button", name="Save the tranche").click()
    expect(page.locator("#last_day-error")).to_have_text("The last day must be on or after the first day.")
    expect(page.get_by_label("Name")).to_have_value("Tranche 1A")  # nothing typed is lost
    expect(page.get_by_label("Last day")).to_be_focused()  # the keyboard is taken to the refused field
    page.get_by_label("Last day").fill("2030-03-01")
    page.get_by_role("button", name="Save the tranche").click()
    expect(page.get_by_text("Tranche saved: Qualification tranche Tranche 1A.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("UIT, 01 Jan 2030 to 01 Mar 2030.")
