"""axe-core's WCAG 2.2 A and AA rules on the main pages of each role, in Debian's chromium."""
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = {
    None: ["/login"],
    "rm.sit@demo.test": ["/", "/rfcs", "/approvals", "/rfcs/1", "/outages", "/outages/availability",
                         "/certificates", "/certificates/officers", "/environments", "/users", "/organisations",
                         "/outbox", "/users/1/edit", "/baseline", "/baseline/record", "/baseline/2/1", "/retests",
                         "/rfcs/2", "/rfcs/3", "/rfcs/3/deployment", "/rfcs/1/revisions/1", "/calendar",
                         "/calendar?view=week", "/calendar?date=2026-13", "/plan", "/freezes", "/support-hours",
                         "/calendar/feeds", "/systems/1/edit", "/outages/1",
                         "/account/notifications", "/reports/weekly", "/reports/weekly?week=2026-W60",
                         "/mail-groups", "/mail-groups/new", "/mail-groups/1/edit", "/release-slot",
                         "/rfcs?set=next-7-days", "/outages?state=ongoing"],
    "dip@demo.test": ["/", "/rfcs/new", "/rfcs/7", "/rfcs?set=to-do", "/outages/new", "/certificates/upload",
                      "/calendar", "/plan", "/api-tokens", "/api-reference"],
    "helix@demo.test": ["/retests?environment=2", "/rfcs/2"],
    "supplier@demo.test": ["/", "/rfcs", "/certificates", "/baseline", "/retests", "/calendar", "/freezes",
                           "/account/notifications", "/rfcs/2", "/reports/weekly", "/mail-groups",
                           "/rfcs?set=deployed-recently"],
}


WIDTHS = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}  # a laptop, a phone


@pytest.fixture(params=list(WIDTHS))
def axe_page(browser, live_server, request):
    # axe is injected as a script of its own, which the app's CSP rightly refuses: this context only bypasses it.
    context = browser.new_context(base_url=live_server, bypass_csp=True, viewport=WIDTHS[request.param])
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def violations(page, url):
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})"
                          ".then(r => r.violations.map(v => v.id + ': ' + v.help + ' — '"
                          " + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')))", RULES)
    return [f"{url}: {v}" for v in found]


@pytest.mark.parametrize("email", list(PAGES), ids=lambda e: e or "anonymous")
def test_pages_pass_axe_wcag_22_aa(app, axe_page, email):
    from mhhs.demo import seed_everything
    with app.app_context():
        seed_everything(demo=True)  # the demo RFCs, outages and certificates, so the pages have rows
    if email:
        axe_page.goto("/login")
        axe_page.get_by_label("Email").fill(email)
        axe_page.get_by_label("Password").fill("demo-pass")
        axe_page.get_by_role("button", name="Log in").click()
        axe_page.wait_for_url("**/")
    found = [v for url in PAGES[email] for v in violations(axe_page, url)]
    assert found == []
