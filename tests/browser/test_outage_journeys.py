"""A Test Participant reports an outage, sees it on the board; the Central Party ends it; availability follows."""
import re
from datetime import datetime, timedelta

from playwright.sync_api import expect

from mhhs.core.time import london_to_utc, utc_to_london_naive, utcnow
from tests.nav import account_link


def sit_a_this_week(page):
    page.goto("/outages/availability?period=week&count=1")
    return page.locator("section.availability", has=page.get_by_role("heading", name="SIT-A", exact=True)) \
        .locator("tbody tr").first


def test_report_board_end_now_and_availability(page, log_in):
    log_in("supplier@demo.test")
    expect(sit_a_this_week(page).locator("td").nth(1)).to_have_text("100.00%")
    page.get_by_role("link", name="Outages", exact=True).click()
    page.get_by_role("button", name="Log outage").click()
    page.get_by_label("Environment").select_option("SIT-A")
    page.get_by_label("DIP (Avanade)").check()
    expect(page.get_by_label("Category")).to_have_value("infrastructure failure")
    page.get_by_label("Planned").check()  # the categories follow "Planned"
    expect(page.get_by_label("Category").locator("option")).to_have_count(6)
    page.get_by_label("Planned").uncheck()
    expect(page.get_by_label("Category").locator("option")).to_have_count(2)
    page.get_by_label("Category").select_option("software failure")
    started = utcnow() - timedelta(hours=2)
    page.get_by_label("Start").fill(utc_to_london_naive(started).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Description").fill("No acknowledgements from the DIP since 10:00")
    page.get_by_label("Impact").fill("SIT Functional scenarios blocked")
    page.get_by_label("Defect reference").fill("ADO-5123")
    page.get_by_role("button", name="Log outage").click()
    expect(page.get_by_text("Outage saved.")).to_be_visible()

    page.get_by_role("link", name="Outages", exact=True).click()
    board = page.get_by_role("region", name="Status board")
    sit_a = board.locator("article", has_text="SIT-A").first
    expect(sit_a.locator("li.down")).to_have_text(re.compile(r"DIP"))
    expect(sit_a).to_contain_text("1 outage now")
    unavailable = sit_a_this_week(page).locator("td").nth(1).inner_text()
    assert float(unavailable.rstrip("%")) < 100
    account_link(page, "Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()

    log_in("dip@demo.test")
    page.get_by_role("link", name="Outages", exact=True).click()
    row = page.locator("#outage-rows tr", has_text="No acknowledgements from the DIP")
    expect(row).to_contain_text("ongoing")
    row.get_by_role("button", name="End now").click()
    page.get_by_role("dialog").get_by_role("button", name="End now").click()  # ending is disruptive: it asks
    expect(page.locator("#outage-rows tr", has_text="No acknowledgements from the DIP")).not_to_contain_text("ongoing")
    page.reload()
    expect(page.get_by_role("region", name="Status board").locator("article", has_text="SIT-A").first) \
        .to_contain_text("all up")
    row = sit_a_this_week(page)
    assert float(row.locator("td").nth(1).inner_text().rstrip("%")) < 100
    # two hours of unplanned downtime, or what of them falls in this week when the test runs early on a Monday
    today = utc_to_london_naive(utcnow()).date()
    week_began = london_to_utc(datetime.combine(today - timedelta(days=today.weekday()), datetime.min.time()))
    this_week = (utcnow() - max(started.replace(second=0, microsecond=0), week_began)).total_seconds() / 3600
    assert abs(float(row.locator("td").nth(5).inner_text()) - this_week) < 0.1


def test_choosing_a_period_shows_it_at_once_under_the_strict_csp(page, log_in):
    log_in("rm.sit@demo.test")
    page.goto("/outages/availability")
    page.get_by_label("Period").select_option("Calendar month")  # no button pressed: the static script submits
    expect(page).to_have_url(re.compile(r"period=month"))
    expect(page.get_by_role("columnheader", name="Month").first).to_be_visible()
