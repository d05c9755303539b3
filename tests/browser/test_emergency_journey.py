"""Issue 25 in a real browser: an Emergency release held to RCM §12.8 from its raising to its carrying into the next
Minor, with its defect retested by a Test Participant that tests where it was found (RCM §14)."""
import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.helpers import approved_yesterday, fill_rfc, local, log_out


def test_rcm_12_8_emergency_raised_approved_deployed_retested_and_carried(app, page, log_in):
    log_in("dip@demo.test")
    page.goto("/rfcs/new")
    fill_rfc(page, release_type="Emergency", start=timedelta(hours=2), environments=("SIT-A (SIT)",),
             defects=[("DEF-501", "High", "Inbound queue stalls", "SIT-A")])
    page.get_by_role("button", name="Submit").click()
    # RCM §12.8: a critical or blocking defect, and the evidence of development testing, each refused by its field.
    expect(page.locator("#defects-error")).to_contain_text(
        "at least one defect of Critical severity or marked blocking")
    expect(page.locator("#dev_test_evidence-error")).to_contain_text("evidence of testing completed in development")
    expect(page.get_by_label("Defect ID", exact=True)).to_have_value("DEF-501")  # nothing typed is lost
    page.get_by_label("Severity", exact=True).select_option("Critical")
    page.get_by_label("Evidence of testing in development environments").fill("Queue replay in DEV: green")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text(re.compile(r"RFC-\d{6} submitted"))).to_be_visible()
    rfc_url = page.url
    number = page.get_by_role("heading", level=1).inner_text().split(" ")[0]
    log_out(page)

    # Control points 4 and 5 are not in the three-step process: not applicable by themselves, with the reason.
    log_in("rm.sit@demo.test")
    page.goto(rfc_url)
    for point in (4, 5):
        expect(page.locator(f"#control-point-{point}")).to_contain_text("n/a")
        expect(page.locator(f"#control-point-{point}")).to_contain_text("Not part of the Emergency release process")
    for box in page.locator(".control-point-form").get_by_role("checkbox").all():
        box.check()  # none is ticked for the manager (issue 24)
    page.get_by_label(re.compile("Evidence or reason for the chosen control points")).fill("Emergency call")
    page.get_by_role("button", name="Tick").click()
    expect(page.locator("#control-point-6")).to_contain_text("Emergency call")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".page-head")).to_contain_text("approved")
    log_out(page)

    approved_yesterday(app, rfc_url)
    log_in("dip@demo.test")
    page.goto(rfc_url)
    page.get_by_role("button", name="Record an early deployment").click()  # the window is two hours away
    page.get_by_label("Environment").select_option("SIT-A")
    page.get_by_label("Actual start").fill(local(timedelta(hours=-2)))
    page.get_by_label("Actual end").fill(local(timedelta(hours=-1)))
    page.get_by_label("Outcome").select_option("Success")
    page.get_by_label("Issues met").fill("None")
    page.get_by_role("button", name="Record deployment").click()
    expect(page.get_by_text("in SIT-A: deployed recorded")).to_be_visible()
    expect(page.get_by_text("ready for retest").first).to_be_visible()
    log_out(page)

    # RCM §14: Northwold Energy tests in SIT-A (the demo's organisation × environment), so its tester retests there.
    log_in("supplier@demo.test")
    page.goto(rfc_url)
    page.get_by_role("link", name="ready for retest").click()
    form = page.locator("form.retest-form").filter(has=page.get_by_role("button", name="Record retest of DEF-501"))
    form.get_by_label("Result").select_option("passed")
    form.get_by_role("button", name="Record retest of DEF-501").click()
    expect(page.get_by_text("Retest of DEF-501 in SIT-A recorded: passed.")).to_be_visible()
    log_out(page)

    # RCM §12.8 NB: the next Minor of DIP is offered the emergency's defects, pre-filled by one click.
    log_in("dip@demo.test")
    page.goto("/rfcs/new")
    page.get_by_label("System").select_option("DIP")
    page.get_by_label("Release type").select_option("Minor")
    expect(page.get_by_text(re.compile(rf"Emergency release {number} .* fixed DEF-501"))).to_be_visible()
    page.get_by_role("button", name="Carry them into this release").click()
    expect(page.get_by_label("Defect ID", exact=True)).to_have_value("DEF-501")
    expect(page.get_by_label("Severity", exact=True)).to_have_value("Critical")
    expect(page.get_by_label("Summary", exact=True)).to_have_value("Inbound queue stalls")
