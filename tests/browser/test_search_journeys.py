"""The header's search box in chromium: typed, sent with Enter, refined as one types; axe at desktop and phone."""
import os

import pytest

from tests.browser.test_accessibility import AXE, RULES

SHOTS = os.environ.get("SHOTS_DIR")  # set to keep screenshots of what the journey saw
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.fixture
def demo(app):
    from mhhs.demo import seed_everything
    with app.app_context():
        seed_everything(demo=True)


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_search_from_the_header_and_refine_it(demo, page, log_in, width):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width])))
    log_in("supplier@demo.test")
    page.wait_for_url("**/")
    box = page.get_by_role("searchbox", name="Find an RFC, defect, outage or certificate")
    box.fill("DIP")
    box.press("Enter")
    page.wait_for_url("**/search?q=DIP")
    results = page.locator("ol.search-results li")
    assert results.count() > 1
    assert page.locator("ol.search-results").get_by_role("link", name="DIP", exact=True).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width][0]
    _shot(page, f"search-{width}")
    # Refined on the page as one types (htmx), the address following the words.
    page.get_by_label("RFC number, title or version").fill("DIP 1.1")
    page.wait_for_url("**/search?q=DIP%201.1")
    assert "DIP 1.1" in page.locator("#search-results p").first.inner_text()
    titles = page.locator("ol.search-results a").all_inner_texts()
    assert titles and all("DIP 1.1" in title for title in titles), titles


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("email", ["rm.sit@demo.test", "supplier@demo.test"])
def test_search_pages_pass_axe_at_both_widths(demo, browser, live_server, email, width):
    context = browser.new_context(base_url=live_server, bypass_csp=True,
                                  viewport=dict(zip(("width", "height"), WIDTHS[width])))
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill("demo-pass")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        found = []
        for url in ("/search", "/search?q=dip", "/search?q=nothing-like-it"):
            page.goto(url)
            page.add_script_tag(path=str(AXE))
            found += page.evaluate("rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})"
                                   ".then(r => r.violations.map(v => v.id + ': ' + v.help))", RULES)
        assert found == []
    finally:
        context.close()
