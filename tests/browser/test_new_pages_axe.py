"""axe-core's WCAG 2.2 A and AA rules on the pages issue 24 added or changed, at 1366 px and at 390 px (a phone),
for the roles that use them; with the demo data, so that the pages have rows."""
import os

import pytest

from tests.browser.test_accessibility import AXE, RULES

SHOTS = os.environ.get("SHOTS_DIR")
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
PAGES = {
    "rm.sit@demo.test": ["/search", "/search?q=dip", "/search?q=nothing-like-it", "/outages/board",
                         "/calendar?view=week", "/outbox", "/outbox?state=pending&kind=release",
                         "/rfcs?sort=title&dir=asc&follow_up=closure-due", "/approvals?sort=number",
                         "/certificates?sort=mpid", "/users?sort=email&dir=desc", "/outages?sort=end",
                         "/", "/api-reference",
                         # issue 27: environment allocation
                         "/allocation/timeline", "/allocation/timeline?view=month", "/allocation/requests",
                         "/allocation/slots", "/allocation/tranches", "/plan"],
    "supplier@demo.test": ["/search?q=dip", "/outages/board", "/calendar/feeds", "/api-tokens",
                           "/allocation/slots", "/allocation/timeline", "/"],
}


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("email", list(PAGES))
def test_new_pages_pass_axe_at_both_widths(app, browser, live_server, email, width):
    from mhhs.demo import seed_everything
    with app.app_context():
        seed_everything(demo=True)
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
        for url in PAGES[email]:
            page.goto(url)
            if SHOTS and url in ("/outages/board", "/api-reference", "/outbox", "/"):
                name = url.strip("/").replace("/", "-") or "home"
                page.screenshot(path=os.path.join(SHOTS, f"{name}-{email.split('@')[0]}-{width}.png"), full_page=True)
            page.add_script_tag(path=str(AXE))
            found += [f"{url}: {v}" for v in page.evaluate(
                "rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})"
                ".then(r => r.violations.map(v => v.id + ': ' + v.help + ' — '"
                " + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')))", RULES)]
        assert found == []
    finally:
        context.close()
