"""Communications in a real browser: a Central Party submits; the SIT Release Manager's home page shows it waiting
and the outbox holds the notification; once the release is communicated, a Test Participant marks the release
note read from its home page and the Release Manager sees who has read it."""
import re

from playwright.sync_api import expect

from mhhs.rfcs.states import RfcStatus
from tests.helpers import fill_rfc, log_out
from tests.nav import nav_link
from tests.rfcs.factory import approved_earlier, deploy, meet_approval_gate


def test_submitted_waiting_communicated_and_read(app, page, log_in):
    log_in("dip@demo.test")
    page.goto("/rfcs/new")
    fill_rfc(page, environments=("SIT-A (SIT)",), defects=[("DEF-601", "High", "Ack lost on retry", "SIT-A")])
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("submitted (revision 1)")).to_be_visible()
    rfc_url = page.url
    number = page.get_by_role("heading", level=1).inner_text().split(" ")[0]
    log_out(page)

    log_in("rm.sit@demo.test")
    waiting = page.locator("section", has=page.get_by_role("heading", name="Waiting for your approval (SIT)"))
    expect(waiting).to_contain_text(number)
    expect(waiting.get_by_role("heading")).to_contain_text("1 in all")
    nav_link(page, "Outbox", menu="Directory").click()
    notification = page.locator("tr", has_text="waits for your approval")
    expect(notification).to_contain_text("rm.sit@demo.test")
    expect(notification).to_contain_text("RFC submitted, to its approvers")  # words, not notify:rfc_submitted
    expect(notification).not_to_contain_text("notify:")

    rfc_id = int(rfc_url.rsplit("/", 1)[1])
    with app.app_context():  # approved, its window now past (the approval itself is the queue journey's)
        meet_approval_gate(rfc_id)
        approved_earlier(rfc_id)
    page.goto(rfc_url)
    expect(page.locator(".page-head")).to_contain_text("approved")
    page.get_by_role("button", name="Communicate release").click()
    page.get_by_role("button", name="Send release communication").click()
    expect(page.get_by_text(re.compile(r"\d+ messages? queued for"))).to_be_visible()
    expect(page.get_by_text("message(s)")).to_have_count(0)
    log_out(page)

    with app.app_context():  # deployed since: the release note now says so
        deploy(rfc_id, "SIT-A", RfcStatus.DEPLOYED)
    log_in("supplier@demo.test")
    notes = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Release notes deployed")))
    note = notes.locator("li", has_text=number)
    expect(note).to_contain_text("not read yet")
    note.get_by_role("button", name=f"Mark read the release note of {number}").click()
    expect(page.get_by_text(f"Release note of {number} marked read.")).to_be_visible()
    expect(notes.locator("li", has_text=number)).to_contain_text("· read")
    log_out(page)

    log_in("rm.sit@demo.test")
    page.goto(rfc_url)
    row = page.locator("#acknowledgements tr", has_text="Northwold Energy")
    expect(row.locator("td").nth(2)).to_contain_text("Sunil Patel")
