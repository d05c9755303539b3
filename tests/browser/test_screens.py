"""Issue 24 in a real browser: every home card's count is the data's and its "All …" link lists the same items;
keyboard focus is never hidden by the RFC form's sticky bar; at 390 px (a phone) no page scrolls sideways and
Approve is reachable. Screenshots go to SHOTS for a person to look at."""
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from mhhs.certificates.models import Certificate
from mhhs.core.time import utcnow
from mhhs.directory.models import User
from mhhs.extensions import db
from mhhs.outages.models import Outage
from mhhs.rfcs.models import Rfc
from mhhs.rfcs.states import PUBLIC_STATUSES, Outcome, RfcStatus

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-24"))
PHONE = {"width": 390, "height": 844}
DETAIL = re.compile(r"^/(rfcs|outages|certificates)/\d+$")


@pytest.fixture
def demo(app):
    from mhhs.demo import seed_everything
    with app.app_context():
        seed_everything(demo=True)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def items(page, scope):
    """The detail pages a card's rows or a list's rows lead to (RFCs, outages, certificates), as paths; links in a
    row's notes (a clash names another RFC) are not the row's item."""
    rows = "ul.work > li > a:first-child" if page.url.rstrip("/").count("/") == 2 else "tr > td:first-child a"
    hrefs = page.locator(scope).locator(rows).evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return {h for h in hrefs if h and DETAIL.match(h)}


def card_count(page, scope):
    text = page.locator(scope).locator(".count").first.inner_text()
    return int(re.match(r"\d+", text).group())


def follows(page, card, link, rows):
    """The card's items, its count, and the items of the list its link opens (after going back home)."""
    on_card, count = items(page, card), card_count(page, card)
    with page.expect_navigation():
        page.locator(card).get_by_role("link", name=link, exact=True).click()
    listed = items(page, rows)
    page.goto("/")
    return on_card, count, listed


def check_card(page, card, link, rows, expected):
    on_card, count, listed = follows(page, card, link, rows)
    assert count == len(expected), f"{card}: the card says {count}, the data has {len(expected)}"
    assert listed == expected, f"{card}: its link lists {sorted(listed)}, the data {sorted(expected)}"
    assert on_card <= listed and len(on_card) == min(count, 5)


def paths(kind, ids):
    return {f"/{kind}/{i}" for i in ids}


def test_the_release_managers_cards_count_the_data_and_their_links_list_the_same(app, demo, page, log_in):
    now = utcnow()
    with app.app_context():
        ongoing = [o.id for o in db.session.scalars(select(Outage)) if o.is_ongoing(now)]
        rfcs = db.session.scalars(select(Rfc)).all()
        next_week = [r.id for r in rfcs if r.status == RfcStatus.APPROVED and r.window_end > now
                     and r.window_start < now + timedelta(days=7)]
        certificates = db.session.scalars(select(Certificate).where(~Certificate.replaced)).all()
        expired = [c.id for c in certificates if c.valid_to < now]
        expiring = [c.id for c in certificates if now <= c.valid_to <= now + timedelta(days=30)]
    assert ongoing and expired  # the demo shows each of them
    log_in("rm.sit@demo.test")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")  # logged in
    shot(page, "home-manager-1366")
    check_card(page, "section[aria-labelledby=outages-now]", "All outages going on now", "#outage-rows",
               paths("outages", ongoing))
    check_card(page, "section[aria-labelledby=deployments]", "All approved RFCs with a window in the next 7 days",
               "#rfc-rows",
               paths("rfcs", next_week))
    check_card(page, "#expired", "All expired certificates", "#certificate-rows", paths("certificates", expired))
    check_card(page, "#expiring", "All certificates expiring within 30 days", "#certificate-rows",
               paths("certificates", expiring))
    on_card, count, listed = follows(page, "section[aria-labelledby=waiting]", "Open the approval queue", "#queue-rows")
    assert count == len(listed) and on_card <= listed


def test_the_central_partys_cards_count_the_data_and_their_links_list_the_same(app, demo, page, log_in):
    now = utcnow()
    with app.app_context():
        dip = db.session.scalar(select(User).where(User.email == "dip@demo.test"))
        own = [r for r in db.session.scalars(select(Rfc)) if r.organisation_id == dip.organisation_id]
        to_do = [r.id for r in own if r.status in (RfcStatus.DRAFT, RfcStatus.CHANGES_REQUESTED)]
        upcoming = [r.id for r in own if r.status in (RfcStatus.SUBMITTED, RfcStatus.CHANGES_REQUESTED,
                                                      RfcStatus.APPROVED) and r.window_end > now]
        outages = db.session.scalars(select(Outage)).all()
        ongoing = [o.id for o in outages if o.is_ongoing(now) and o.organisation_id == dip.organisation_id]
        down_elsewhere = [o for o in outages if o.is_ongoing(now) and o.organisation_id != dip.organisation_id]
    assert any(r.status == RfcStatus.CHANGES_REQUESTED for r in own if r.id in to_do)  # the bug's case
    log_in("dip@demo.test")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")  # logged in
    shot(page, "home-central-party-1366")
    check_card(page, "section[aria-labelledby=to-do]", "All your drafts and changes requested", "#rfc-rows",
               paths("rfcs", to_do))
    check_card(page, "section[aria-labelledby=windows]", "All your upcoming windows", "#rfc-rows", paths("rfcs",
                                                                                                         upcoming))
    check_card(page, "section[aria-labelledby=outages-now]", "All outages of your systems going on now", "#outage-rows",
               paths("outages", ongoing))
    if not ongoing and down_elsewhere:  # the words say what was counted, never "every environment is up"
        expect(page.locator("section[aria-labelledby=outages-now]")).to_contain_text("None of your systems is down.")
        expect(page.locator("section[aria-labelledby=outages-now]")).not_to_contain_text("every environment is up")


def test_the_test_participants_cards_show_outages_where_they_test_and_expired_certificates(app, demo, page, log_in):
    now = utcnow()
    with app.app_context():
        supplier = db.session.scalar(select(User).where(User.email == "supplier@demo.test"))
        theirs = db.session.scalars(select(Certificate).where(
            Certificate.organisation_id == supplier.organisation_id, ~Certificate.replaced)).all()
        tested = {c.environment_id for c in theirs}
        outages = db.session.scalars(select(Outage)).all()
        reported = [o for o in outages if o.is_ongoing(now) and o.reporter_organisation_id == supplier.organisation_id]
        tested |= {o.environment_id for o in reported}
        ongoing = [o.id for o in outages if o.is_ongoing(now) and o.environment_id in tested]
        expired = [c.id for c in theirs if c.valid_to < now]
        deployed = [r.id for r in db.session.scalars(select(Rfc).where(Rfc.status.in_(PUBLIC_STATUSES)))
                    if any(d.actual_end >= now - timedelta(days=14) and d.outcome != Outcome.ROLLED_BACK
                           for d in r.deployments)]
    assert reported and expired and ongoing  # the demo shows the cases: reported by them, expired
    log_in("supplier@demo.test")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")  # logged in
    shot(page, "home-test-participant-1366")
    check_card(page, "section[aria-labelledby=outages-now]", "All outages going on now where you test", "#outage-rows",
               paths("outages", ongoing))
    check_card(page, "#expired", "All expired certificates", "#certificate-rows", paths("certificates", expired))
    notes = "section[aria-labelledby=notes]"
    rows = page.locator(notes).locator("ul.work > li").count()  # one per deployment where the supplier tests
    on_card, count, listed = follows(page, notes, "All releases deployed in the last 14 days, in every environment",
                                     "#rfc-rows")
    assert count == rows and on_card <= listed and listed == paths("rfcs", deployed)
    assert listed  # the list the bug left empty ("No RFCs match.")


def test_a_refused_submit_shows_its_summary_there_and_never_on_the_next_page(page, log_in):
    log_in("dip@demo.test")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")  # logged in
    page.goto("/rfcs/new")
    page.get_by_label("Title", exact=True).fill("Half-written")
    page.get_by_role("button", name="Submit").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()  # GOV.UK: focus moves to the summary, which links to each field in error
    page.wait_for_function("() => !document.querySelector('.htmx-settling')", timeout=5000)  # htmx has settled
    expect(summary).to_be_focused()  # and it stays there (not moved on to the first refused field)
    expect(summary.get_by_role("link", name=re.compile("^System"))).to_have_attribute("href", "#system_id")
    shot(page, "rfc-refused-submit-1366")
    summary.get_by_role("link", name=re.compile("^Reason")).click()
    expect(page.get_by_label("Reason", exact=True)).to_be_focused()
    page.goto("/rfcs")
    expect(page.get_by_text("Saved as a draft")).to_have_count(0)
    expect(page.locator(".flash")).to_have_count(0)  # nothing carried over to the next page


def covered(page):
    """Whether the focused element is hidden behind the form's sticky bar (by its box, WCAG 2.2 SC 2.4.11)."""
    return page.evaluate("""() => {
        const focused = document.activeElement, bar = document.querySelector('.sticky-actions');
        if (!bar || bar.contains(focused)) return false;
        const f = focused.getBoundingClientRect(), b = bar.getBoundingClientRect();
        return f.top < b.bottom && f.bottom > b.top && f.left < b.right && f.right > b.left;
    }""")


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, PHONE], ids=["1366", "390"])
def test_tabbing_through_the_rfc_form_never_hides_the_focused_element_behind_the_sticky_bar(page, log_in, viewport):
    page.set_viewport_size(viewport)
    log_in("dip@demo.test")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")  # logged in
    page.goto("/rfcs/new")
    page.get_by_label("System").focus()
    seen = set()
    for _ in range(120):
        page.keyboard.press("Tab")
        name = page.evaluate("() => { const e = document.activeElement;"
                             " return e.id || (e.tagName === 'BUTTON' && e.value) || e.textContent.trim(); }")
        assert not covered(page), f"{name} is focused behind the Save/Submit bar"
        seen.add(name)
        if name == "Cancel":
            break
    assert {"suggest_window", "installation_instructions", "Cancel"} <= seen


def no_sideways_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("email, urls", [
    ("rm.sit@demo.test", ["/", "/approvals", "/rfcs/1", "/rfcs/3"]),
    ("dip@demo.test", ["/", "/rfcs/1", "/rfcs/new"]),
    ("supplier@demo.test", ["/", "/rfcs/2"]),
], ids=["manager", "central-party", "test-participant"])
def test_at_390_px_no_page_scrolls_sideways(demo, page, log_in, email, urls):
    page.set_viewport_size(PHONE)
    log_in(email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")  # logged in
    for url in urls:
        page.goto(url)
        shot(page, f"phone-{email.split('@')[0]}-{url.strip('/').replace('/', '-') or 'home'}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert no_sideways_scroll(page), f"{url} is {width} px wide at 390 px"


def test_at_390_px_the_menu_folds_and_approve_is_clickable_in_the_queue(demo, page, log_in):
    page.set_viewport_size(PHONE)
    log_in("rm.sit@demo.test")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")  # logged in
    nav = page.locator("#main-nav")
    expect(nav).to_be_hidden()  # the links no longer fill the first screen
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Approvals")).to_be_visible()
    shot(page, "phone-menu-open")
    nav.get_by_role("link", name="Approvals").click()
    assert no_sideways_scroll(page)
    shot(page, "phone-approvals")
    approve = page.locator("#queue-rows").get_by_role("button", name="Approve").first
    approve.scroll_into_view_if_needed()
    box = approve.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # on screen, not cut off
    approve.click(trial=True)  # nothing covers it: a real click would land on it


def in_view(page, selector):
    return page.evaluate("""s => { const r = document.querySelector(s).getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight; }""", selector)


def test_a_refused_close_shows_its_errors_where_the_user_is(app, page, log_in):
    from tests.rfcs.factory import approved_earlier, deploy, make_rfc
    with app.app_context():
        rfc_id = make_rfc()
        approved_earlier(rfc_id)
        deploy(rfc_id, "SIT-A", Outcome.ROLLED_BACK)  # a deviation: lessons learnt are needed to close
    log_in("rm.sit@demo.test")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")  # logged in
    page.goto(f"/rfcs/{rfc_id}")
    page.get_by_label("Rollout report").fill("Rolled back after the smoke tests failed")
    page.get_by_role("button", name="Close", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name=re.compile(r"^Close RFC-")).click()  # the confirmation
    summary = page.locator("#closure .error-summary")
    expect(summary).to_be_focused()
    assert in_view(page, "#closure .error-summary")  # not at the top of a long page
    expect(summary.get_by_role("link", name=re.compile("^Lessons learnt"))).to_be_visible()
    expect(page.get_by_label("Rollout report")).to_have_value("Rolled back after the smoke tests failed")
    shot(page, "rfc-refused-close-1366")


def test_at_1366_px_the_navigation_is_one_row_with_the_name_in_its_own_menu(page, log_in):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in("rm.sit@demo.test")  # the manager has the most links
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    links = page.locator("header nav > ul > li")  # the brand, each link and the name's menu
    boxes = [links.nth(i).bounding_box() for i in range(links.count())]
    # One row: every item overlaps every other vertically (the lowest top is above the highest bottom).
    assert max(b["y"] for b in boxes) < min(b["y"] + b["height"] for b in boxes), "the navigation wraps"
    expect(page.locator("#main-nav").get_by_role("link", name="Log out")).to_be_hidden()  # in the name's menu
    page.locator(".account-menu summary").click()
    expect(page.locator(".account-menu").get_by_role("link", name="Log out")).to_be_visible()
    shot(page, "nav-1366-account-menu")


@pytest.mark.parametrize("email", ["rm.sit@demo.test", "dip@demo.test", "supplier@demo.test"],
                         ids=["manager", "central-party", "test-participant"])
def test_at_1366_px_every_link_and_the_account_menu_are_on_screen(demo, page, log_in, email):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert no_sideways_scroll(page), f"the home page is {width} px wide at 1366 px"
    account = page.locator(".account-menu summary").bounding_box()
    assert account["x"] + account["width"] <= 1366  # the name (and Log out behind it) is on screen
    for menu in page.locator("#main-nav .nav-menu").all():
        menu.locator("summary").click()
        for link in menu.get_by_role("link").all():
            expect(link).to_be_visible()
            box = link.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 1366, f"{link.inner_text()} is off screen"
        menu.locator("summary").click()  # closed again
    assert no_sideways_scroll(page)
    shot(page, f"nav-1366-{email.split('@')[0]}")


def test_the_participants_menu_opens_with_the_keyboard_and_marks_the_page_shown(demo, page, log_in):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in("rm.sit@demo.test")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    menu = page.locator("#main-nav .nav-menu").filter(has_text="Participants")
    ewg = menu.get_by_role("link", name="EWG", exact=True)
    expect(ewg).to_be_hidden()
    menu.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(ewg).to_be_visible()
    page.keyboard.press("Tab")  # into the menu
    page.keyboard.press("Escape")  # closes it, the focus back on its name
    expect(ewg).to_be_hidden()
    expect(menu.locator("summary")).to_be_focused()
    menu.locator("summary").click()
    ewg.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/ewg"))
    expect(page.locator("#main-nav .nav-menu summary.current")).to_have_text("Participants")
    menu.locator("summary").click()
    expect(menu.get_by_role("link", name="EWG", exact=True)).to_have_attribute("aria-current", "page")
    page.mouse.click(1300, 700)  # a click elsewhere closes it
    expect(menu.get_by_role("link", name="EWG", exact=True)).to_be_hidden()


@pytest.mark.parametrize("width", [1024, 1280])
def test_between_phone_and_laptop_the_navigation_wraps_rather_than_scrolling_sideways(page, log_in, width):
    page.set_viewport_size({"width": width, "height": 768})
    log_in("rm.sit@demo.test")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    assert no_sideways_scroll(page)
    page.locator("#main-nav .nav-menu summary", has_text="Directory").click()
    expect(page.locator("#main-nav").get_by_role("link", name="Outbox")).to_be_visible()
