"""Copy buttons (the API token shown once, the feed URLs) and the <dialog> asked before disruptive actions, in
chromium under the app's strict CSP (the page fixture fails on any refusal)."""
import os

from playwright.sync_api import expect

from mhhs.directory.reference_data import DEMO_PASSWORD
from tests.nav import account_link
from tests.outages.factory import make_outage

SHOTS = os.environ.get("SHOTS_DIR")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"))


def test_the_token_shown_once_and_the_feed_urls_are_copied(page, log_in):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in("dip@demo.test")
    account_link(page, "API tokens").click()  # in the name's menu (issue 24)
    page.get_by_label("Token name").fill("DIP pipeline")
    page.get_by_label("read — ", exact=False).first.check()
    page.get_by_label("Your password").fill(DEMO_PASSWORD)  # asked again before a token is made
    page.get_by_role("button", name="Make token").click()
    secret = page.locator("#new-secret").inner_text()
    page.get_by_role("button", name="Copy the token").click()
    expect(page.locator("#new-secret-copied")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    _shot(page, "token-copied")

    page.goto("/calendar/feeds")
    page.get_by_role("button", name="Make my feed URLs").click()  # the first URLs break nothing: no question
    page.get_by_role("button", name="Copy the URL of everything I may see").click()
    expect(page.locator("#feed-all-copied")).to_have_text("Copied.")
    first = page.locator("#feed-all").inner_text()
    assert page.evaluate("navigator.clipboard.readText()") == first and first.endswith(".ics")

    # New URLs break every subscription: a dialog asks first, Cancel (focused) keeps the old ones.
    page.get_by_role("button", name="Make new URLs (the old ones stop working)").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("stops updating")
    expect(dialog.get_by_role("button", name="Go back")).to_be_focused()
    _shot(page, "confirm-new-feed-urls")
    dialog.get_by_role("button", name="Go back").click()
    expect(dialog).to_be_hidden()
    assert page.locator("#feed-all").inner_text() == first
    page.get_by_role("button", name="Make new URLs (the old ones stop working)").click()
    page.keyboard.press("Escape")  # Escape cancels as well
    expect(dialog).to_be_hidden()
    assert page.locator("#feed-all").inner_text() == first
    page.get_by_role("button", name="Make new URLs (the old ones stop working)").click()
    dialog.get_by_role("button", name="Make new URLs").click()
    expect(page.get_by_text("New feed URLs made")).to_be_visible()
    assert page.locator("#feed-all").inner_text() != first


def test_ending_an_outage_asks_first(app, page, log_in):
    with app.app_context():
        outage_id = make_outage("dip@demo.test").id
    log_in("dip@demo.test")
    page.goto(f"/outages/{outage_id}")
    page.get_by_role("button", name="End now").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("End the outage of SIT-A now?")
    dialog.get_by_role("button", name="Go back").click()
    page.reload()
    expect(page.get_by_role("button", name="End now")).to_be_visible()  # still ongoing
    page.get_by_role("button", name="End now").click()
    dialog.get_by_role("button", name="End now").click()
    expect(page.get_by_role("button", name="End now")).to_have_count(0)
    # From the log's row (htmx) as well.
    with app.app_context():
        second = make_outage("dip@demo.test", environment="SIT-B").id
    page.goto("/outages")
    row = page.locator(".outage-log tr", has=page.locator(f'a[href="/outages/{second}"]'))
    row.get_by_role("button", name="End now").click()
    page.get_by_role("dialog").get_by_role("button", name="End now").click()
    expect(row.get_by_role("button", name="End now")).to_have_count(0)


def test_closing_an_rfc_and_removing_a_test_phase_ask_first(app, as_user):
    """The same dialog guards Close and Remove (their buttons carry the question and the words of going ahead)."""
    from datetime import date, timedelta

    from mhhs.allocation.services import add_stage as add_test_phase
    from mhhs.rfcs.states import RfcStatus
    from tests.rfcs.factory import approved_earlier, deploy, env_ids, make_rfc, user

    with app.app_context():
        rfc_id = approved_earlier(make_rfc(version="1.1.0.0"))
        deploy(rfc_id, "SIT-A", RfcStatus.DEPLOYED, version="1.1.0.0")
        add_test_phase(user("rm.sit@demo.test"), "SIT Functional cycle 4", env_ids("SIT-A")[0], date.today(),
                       date.today() + timedelta(days=20))
    rm = as_user("rm.sit@demo.test")
    number = f"RFC-{rfc_id:06d}"
    page = rm.get(f"/rfcs/{rfc_id}").get_data(as_text=True)
    assert (f'value="close" data-confirm="Close {number}? A closed RFC is final: its review and closure can no longer '
            f'change." data-confirm-label="Close {number}">Close</button>') in page
    assert '<dialog id="confirm-dialog"' in page
    plan = rm.get("/plan").get_data(as_text=True)
    assert ('data-confirm="Remove the test phase “SIT Functional cycle 4” in SIT-A from the plan? This cannot be '
            'undone." data-confirm-label="Remove SIT Functional cycle 4"') in plan
