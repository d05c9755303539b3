"""Journeys in a real browser: each role logs in, sees its navigation, and logs out."""
import re

import pytest
from playwright.sync_api import expect

from tests.nav import ALL_LINKS, MENUS, NAV, account_link, nav_link


@pytest.mark.parametrize("email", sorted(NAV))
def test_role_logs_in_sees_navigation_and_logs_out(page, log_in, email):
    log_in(email)
    nav = page.locator("header nav")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(nav.locator(".nav-menu summary")).to_have_text(list(MENUS[email]))
    in_menus = {label for links in MENUS[email].values() for label in links}
    for label in ALL_LINKS:
        link = nav.get_by_role("link", name=label, exact=True)
        if label not in NAV[email]:
            expect(link).to_have_count(0)
        elif label not in in_menus:
            expect(link).to_be_visible()
    for menu, links in MENUS[email].items():  # a menu's links show once it is open
        nav.locator(".nav-menu summary", has_text=menu).click()
        for label in links:
            expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
        nav.locator(".nav-menu summary", has_text=menu).click()  # closes it
        expect(nav.get_by_role("link", name=links[0], exact=True)).to_be_hidden()
    account_link(page, "Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    page.goto("/users")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def test_wrong_password_shows_the_error_and_keeps_the_email(page, log_in):
    log_in("dip@demo.test", "wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("do not match an active account")
    expect(page.get_by_label("Email")).to_have_value("dip@demo.test")
    expect(page.get_by_label("Password")).to_have_value("")


# Notes the focused element's id at the moment a field's error message is put in the page (a MutationObserver's
# callback runs before the page does anything else, such as htmx's settling ~20 ms later).
FOCUS_WHEN_REFUSED = """() => new MutationObserver((_, observer) => {
    if (document.querySelector('.field-error')) {
        window.focusWhenRefused = document.activeElement.id;
        observer.disconnect();
    }
}).observe(document.body, {childList: true, subtree: true})"""


def test_manager_adds_a_user_with_a_mistake_then_fixes_it(page, log_in):
    log_in("rm.sit@demo.test")
    nav_link(page, "Users", menu="Directory").click()
    page.get_by_role("button", name="New user").click()
    page.get_by_label("Email").fill("dip@demo.test")
    page.get_by_label("Name").fill("Rosa Quill")
    page.get_by_label("Role").select_option("Test Participant")
    page.get_by_label("Organisation").select_option("Northwold Energy (Test Participant)")
    page.get_by_label("Password").fill("a-first-password")
    page.evaluate(FOCUS_WHEN_REFUSED)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#email-error")).to_have_text("Another user already has this e-mail address.")
    # The keyboard is on the refused field as soon as the answer is in, not a moment later: typing into the next
    # field straight away stays in that field.
    assert page.evaluate("window.focusWhenRefused") == "email"
    expect(page.get_by_label("Name")).to_have_value("Rosa Quill")  # what was typed is kept
    page.get_by_label("Email").fill("rosa.quill@northwold.test")
    page.get_by_label("Password").fill("a-first-password")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("User rosa.quill@northwold.test created.")).to_be_visible()
    page.get_by_role("searchbox", name="Search users").fill("rosa")  # not the header's search
    expect(page.locator("#user-rows tbody tr")).to_have_count(1)
    expect(page.locator("#user-rows")).to_contain_text("Northwold Energy")
