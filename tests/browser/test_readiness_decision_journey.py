"""Issue 28's journey, the decision's part: the Release Manager records a conditional GO for SIT-A with one
condition, which appears on its owner's home page; the EWG's agenda lists the condition; the decision's PDF reads
back its snapshot."""
from datetime import timedelta
from urllib.parse import urlsplit

from playwright.sync_api import expect

from mhhs.readiness.models import ProvingKind
from mhhs.readiness.owned import today
from tests.helpers import pdf_pages
from tests.nav import account_link, nav_link
from tests.readiness.decisions_factory import ewg_list, make_stage, prove


def test_a_conditional_go_reaches_its_owner_and_the_ewg_agenda(app, page, log_in, as_user):
    with app.app_context():
        make_stage(name="SIT Functional cycle 4", starts_in=10)
        ewg_list()
        prove(ProvingKind.NETWORK, "passed", evidence="Ping and DNS from the SIT jump host")
    due = (today() + timedelta(days=9)).isoformat()
    log_in("rm.sit@demo.test")
    nav_link(page, "GO / NO-GO").click()
    page.get_by_role("link", name="SIT Functional cycle 4 in SIT-A").click()
    expect(page.get_by_role("heading", name="Environment proving tests")).to_be_visible()
    page.get_by_label("CONDITIONAL GO").check()
    # Without a condition it is refused by the field, keeping what was typed.
    page.get_by_label("Rationale").fill("Ready but for the DIP's monitoring alert")
    page.get_by_role("button", name="Record and send the decision").click()
    expect(page.locator("#condition_1_text-error")).to_contain_text("needs at least one condition")
    expect(page.get_by_label("Rationale")).to_have_value("Ready but for the DIP's monitoring alert")
    page.get_by_label("Condition 1", exact=True).fill("Prove the DIP message-queue alert fires")
    page.get_by_label("Owner of condition 1").select_option(label="Avanade (organisation)")
    page.get_by_label("Condition 1 due on").fill(due)
    page.get_by_role("button", name="Record and send the decision").click()
    expect(page.get_by_text("CONDITIONAL GO recorded and sent to EWG.")).to_be_visible()
    decision_url = page.url
    account_link(page, "Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()

    log_in("dip@demo.test")  # Avanade's Central Party: the condition is its organisation's
    block = page.locator("#readiness-items").locator("xpath=..")
    expect(block).to_contain_text("Prove the DIP message-queue alert fires")
    account_link(page, "Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()

    log_in("rm.sit@demo.test")
    nav_link(page, "EWG").click()
    page.get_by_role("button", name="Add this month's and next month's").click()
    page.locator("tbody tr").first.get_by_role("link").click()  # the latest meeting
    expect(page.get_by_role("heading", name="Agenda", exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Prove the DIP message-queue alert fires — Avanade")

    _, pages = pdf_pages(as_user("rm.sit@demo.test").get(urlsplit(decision_url).path + "/pdf"))
    text = " ".join(" ".join(pages).split())
    assert "CONDITIONAL GO: SIT Functional cycle 4 in SIT-A" in text
    assert "Ping and DNS from the SIT jump host" in text and "Prove the DIP message-queue alert fires" in text
