"""Readiness journeys (issue 28): the DIP Central Party reports a green and an amber morning health check and logs
the outage the amber one offers, pre-filled; a Test Participant meets its entry criteria."""
from playwright.sync_api import expect

from mhhs.extensions import db
from tests.nav import account_link, nav_link
from tests.readiness.factory import make_criterion, make_participant


def test_a_central_party_reports_green_and_amber_and_logs_the_outage_offered(page, log_in):
    log_in("dip@demo.test")
    nav_link(page, "Health check").click()
    page.get_by_role("button", name="Report today's check").click()
    page.get_by_label("Green for DIP in SIT-A").check()
    page.get_by_label("Amber for DIP in SIT-B").check()
    page.get_by_role("button", name="Report").click()
    # Amber without a note is refused by its row, with the choices kept.
    expect(page.get_by_text("Say what is wrong with DIP in SIT-B.")).to_be_visible()
    expect(page.get_by_label("Amber for DIP in SIT-B")).to_be_checked()
    expect(page.get_by_label("Green for DIP in SIT-A")).to_be_checked()
    page.get_by_label("Note on DIP in SIT-B").fill("Acknowledgements take up to 4 minutes")
    page.get_by_role("button", name="Report").click()
    expect(page.get_by_text("Health check reported for")).to_be_visible()

    nav_link(page, "Health check").click()
    sit_b = page.locator("table", has=page.locator("caption", has_text="SIT-B"))
    expect(sit_b.get_by_role("row", name="DIP")).to_contain_text("Amber")
    sit_b.get_by_role("link", name="Log an outage of DIP in SIT-B").click()
    expect(page.get_by_label("Environment")).to_have_value(page.locator("#environment_id option", has_text="SIT-B")
                                                          .get_attribute("value"))
    expect(page.get_by_label("DIP (Avanade)")).to_be_checked()
    expect(page.get_by_label("Description")).to_have_value(
        "Amber in the morning health check: Acknowledgements take up to 4 minutes")
    page.get_by_label("Category").select_option("software failure")
    page.get_by_role("button", name="Log outage").click()
    expect(page.get_by_text("Outage saved.")).to_be_visible()
    page.get_by_role("link", name="Outages", exact=True).click()
    board = page.get_by_role("region", name="Status board")
    expect(board.locator("article", has_text="SIT-B").first).to_contain_text("1 outage now")
    # today's morning health check is shown under the board on the outages page (not on the board every poll shares)
    expect(page.get_by_role("region", name="Morning health check")).to_contain_text("Acknowledgements take up to")
    account_link(page, "Log out").click()


def test_a_participant_meets_its_entry_criteria(app, page, log_in):
    with app.app_context():
        make_participant()
        make_criterion("SIT test plan approved by the SI Test Team", evidence_required=True)
        make_criterion("Test environment smoke-tested")
        db.session.remove()
    log_in("supplier@demo.test")
    nav_link(page, "Readiness").click()
    expect(page.get_by_text("Not ready (2 open)")).to_be_visible()
    plan = page.locator("tr", has_text="SIT test plan approved")
    plan.get_by_text("Meet").click()
    plan.get_by_role("button", name="Mark met").click()
    plan = page.locator("tr", has_text="SIT test plan approved")
    expect(plan.get_by_text("This criterion needs evidence")).to_be_visible()
    plan.get_by_label("Evidence", exact=True).fill("Approved at the SIT planning board, minutes v1.2")
    plan.get_by_role("button", name="Mark met").click()
    expect(page.get_by_text("Not ready (1 open)")).to_be_visible()
    smoke = page.locator("tr", has_text="Test environment smoke-tested")
    smoke.get_by_text("Meet").click()
    smoke.get_by_role("button", name="Mark met").click()
    expect(page.get_by_text("Ready", exact=True).first).to_be_visible()
    expect(page.locator("tr", has_text="SIT test plan approved")).to_contain_text("Approved at the SIT planning board")
