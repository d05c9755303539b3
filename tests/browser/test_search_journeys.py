"""The header's search box in chromium: typed, sent with Enter, refined as one types (axe: test_new_pages_axe.py)."""
import os

import pytest

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
