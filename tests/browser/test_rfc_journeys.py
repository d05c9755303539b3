"""RFC journeys in a real browser: raise, request changes, resubmit, approve per phase, deploy, close;
and the refusals a Central Party meets."""
import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.helpers import approved_yesterday, fill_rfc, local, log_out


def test_whole_rfc_journey(app, page, log_in):
    log_in("dip@demo.test")
    page.get_by_role("link", name="RFCs", exact=True).click()
    page.get_by_role("button", name="New RFC").click()
    fill_rfc(page, defects=[("DEF-201", "High", "Ack lost on retry", "SIT-A"),
                            ("DEF-202", "Medium", "Slow schema check", "UIT")],
             crs=[("CR-31", "New ack code", "Adds code 207")])
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text(re.compile(r"RFC-\d{6} submitted \(revision 1\)\."))).to_be_visible()
    rfc_url = page.url
    number = page.get_by_role("heading", level=1).inner_text().split(" ")[0]
    log_out(page)

    log_in("rm.sit@demo.test")
    page.get_by_role("link", name="Approvals").click()
    row = page.locator("tr", has_text=number)
    row.get_by_label(f"Comment for {number}").fill("Please add the rollback timing")
    row.get_by_role("button", name="Request changes").click()
    expect(page.locator("tr", has_text=number)).to_contain_text("changes requested")
    log_out(page)

    log_in("dip@demo.test")
    page.goto(rfc_url)
    page.get_by_role("button", name="Edit").click()
    expect(page.get_by_text("Please add the rollback timing")).to_be_visible()
    expect(page.get_by_label("Defect ID", exact=True).nth(1)).to_have_value("DEF-202")
    page.get_by_label("Rollback plan").fill("Switch back to blue within 15 minutes")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("(revision 2)")).to_be_visible()
    log_out(page)

    for manager in ("rm.sit@demo.test", "rm.uit@demo.test"):
        log_in(manager)
        page.get_by_role("link", name="Approvals").click()
        row = page.locator("tr", has_text=number)
        if manager == "rm.sit@demo.test":  # control points 3 to 6 first, in place
            expect(row.get_by_role("checkbox").first).to_be_visible()  # .all() does not wait
            for box in row.get_by_role("checkbox").all():
                box.check()
            row.get_by_label(f"Evidence or reason for the chosen control points of {number}").fill("Release call")
            row.get_by_role("button", name="Tick").click()
            expect(page.locator("tr", has_text=number)).not_to_contain_text("Open control points")
        page.locator("tr", has_text=number).get_by_role("button", name="Approve").click()
        expect(page.locator("tr", has_text=number)).to_contain_text("you: approved")
        log_out(page)

    approved_yesterday(app, rfc_url)
    log_in("dip@demo.test")
    page.goto(rfc_url)
    expect(page.locator(".page-head")).to_contain_text("approved")
    for environment in ("SIT-A", "UIT"):
        page.get_by_role("button", name="Record an early deployment").click()  # the window is a week away
        page.get_by_label("Environment").select_option(environment)
        page.get_by_label("Actual start").fill(local(timedelta(hours=-2)))
        page.get_by_label("Actual end").fill(local(timedelta(hours=-1)))
        page.get_by_label("Outcome").select_option("Success")
        page.get_by_label("Issues met").fill("None")
        page.get_by_role("button", name="Record deployment").click()
        expect(page.get_by_text(f"in {environment}: deployed recorded")).to_be_visible()
    expect(page.get_by_text("ready for retest").first).to_be_visible()
    version = page.locator("dl.details dd").nth(3).inner_text()
    page.get_by_role("link", name="Environments", exact=True).click()
    expect(page.locator("tr", has_text="SIT-A").locator(".version").first).to_have_text(version)
    log_out(page)

    log_in("rm.uit@demo.test")
    page.goto(rfc_url)
    expect(page.get_by_text("outside the approved window").first).to_be_visible()  # deployed a week early
    page.get_by_label("Work-off actions").fill("Automate the schema check")
    page.get_by_role("button", name="Close", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name=f"Close {number}").click()  # closing is final: it asks
    expect(page.locator("#lessons_learnt-error")).to_contain_text("record the lessons learnt before closing")
    expect(page.get_by_label("Work-off actions")).to_have_value("Automate the schema check")
    page.get_by_label("Rollout report").fill("Both environments deployed")
    page.get_by_label("Lessons learnt").fill("Keep to the approved window")
    page.get_by_role("button", name="Close", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name=f"Close {number}").click()
    # RCM 5.2, Table 10 step 3: the closure announcement to stakeholders is offered at once.
    expect(page.get_by_text(f"{number} closed. Send the closure announcement")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Communicate closure · {number}")).to_be_visible()
    page.goto(rfc_url)
    expect(page.locator(".page-head")).to_contain_text("closed")
    # A work-off action with an owner and a due date: a date in the past is refused by its field, nothing lost.
    page.get_by_label("Action", exact=True).fill("Automate the schema check in the pipeline")
    page.get_by_label("Owner (e-mail address)").fill("dip@demo.test")
    page.get_by_label("Due").fill((date.today() - timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Add work-off action").click()
    expect(page.locator("#due-error")).to_contain_text("A due date cannot be in the past")
    expect(page.get_by_label("Action", exact=True)).to_have_value("Automate the schema check in the pipeline")
    page.get_by_label("Due").fill((date.today() + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Add work-off action").click()
    expect(page.get_by_text("Work-off action added")).to_be_visible()
    log_out(page)

    log_in("dip@demo.test")  # on the owner's home page until done
    block = page.locator("section", has=page.get_by_role("heading", name="Your work-off actions"))
    expect(block).to_contain_text("Automate the schema check in the pipeline")
    block.get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("Done: Automate the schema check")).to_be_visible()
    expect(page.get_by_role("heading", name="Your work-off actions")).to_have_count(0)


def test_notice_refusal_and_emergency_warning(page, log_in):
    log_in("dip@demo.test")
    page.goto("/rfcs/new")
    fill_rfc(page, release_type="Patch", start=timedelta(minutes=30),
             defects=[("DEF-301", "Critical", "Blocking", "SIT-A")])
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#window_start-error")).to_contain_text(
        "A Patch release needs 1 business day's notice: the earliest allowed window start is")
    expect(page.get_by_label("Title", exact=True)).to_have_value("DIP ack handling")  # nothing typed is lost

    page.get_by_label("Release type").select_option("Emergency")
    page.get_by_label("Evidence of testing in development environments").fill("Component tests passed in DEV")
    page.get_by_label("Window start").fill(local(timedelta(hours=2)))
    page.get_by_label("Window end").fill(local(timedelta(hours=3)))
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text(re.compile(r"RFC-\d{6} submitted"))).to_be_visible()
    rfc_url = page.url
    log_out(page)
    log_in("rm.sit@demo.test")
    page.goto(rfc_url)
    for box in page.locator(".control-point-form").get_by_role("checkbox").all():
        box.check()
    page.get_by_label(re.compile("Evidence or reason for the chosen control points")).fill("Emergency call")
    page.get_by_role("button", name="Tick").click()
    expect(page.locator("#control-point-6")).to_contain_text("Emergency call")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status").filter(has_text="approved")).to_be_visible()
    log_out(page)
    log_in("rm.uit@demo.test")
    page.goto(rfc_url)
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Emergency fix not yet carried forward")).to_be_visible()
    page.get_by_role("link", name="Environments", exact=True).click()
    expect(page.get_by_text(re.compile(r"DIP: emergency release RFC-\d{6} .* fixed DEF-301"))).to_be_visible()
