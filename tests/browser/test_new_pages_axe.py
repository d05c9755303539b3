"""axe-core's WCAG 2.2 A and AA rules on the pages issues 24 and 25 added or changed, at 1366 px and at 390 px (a
phone), for the roles that use them; with the demo data, so that the pages have rows."""
import os

import pytest
from sqlalchemy import select

from mhhs.extensions import db
from mhhs.participants.models import ParticipantEnvironment
from tests.browser.test_accessibility import AXE, RULES

SHOTS = os.environ.get("SHOTS_DIR")
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
PAGES = {
    "rm.sit@demo.test": ["/search", "/search?q=dip", "/search?q=nothing-like-it", "/outages/board",
                         "/calendar?view=week", "/outbox", "/outbox?state=pending&kind=release",
                         "/rfcs?sort=title&dir=asc&follow_up=closure-due", "/approvals?sort=number",
                         "/certificates?sort=mpid", "/users?sort=email&dir=desc", "/outages?sort=end",
                         "/", "/api-reference",
                         # issue 25: the demo's LSS RFC consulted before approval (RCM §13), systems' hours (EAP §12.7)
                         "/rfcs/4", "/support-hours",
                         # issue 27: environment allocation
                         "/allocation/timeline", "/allocation/timeline?view=month", "/allocation/requests",
                         "/allocation/slots", "/allocation/tranches", "/plan",
                         # the demo's first tranche and its record that SIT Migration may overlap SIT Functional
                         "/allocation/tranches/1/edit", "/allocation/overlaps/1/edit"],
    "supplier@demo.test": ["/search?q=dip", "/outages/board", "/calendar/feeds", "/api-tokens", "/account/password",
                           "/rfcs/4", "/certificates", "/",  # issue 25: the consulted answer, Technical Contact gaps
                           "/allocation/slots", "/allocation/timeline"],
    "dip@demo.test": ["/rfcs/new"],  # issue 25: the rollout plan's fields (RCM 4.1)
}
# participants (issue 26a): the register, the intervals, a participant's page and its forms, the environments and
# the central connection details; {participant} and {environment} are the demo supplier's, found once seeded.
PAGES["rm.sit@demo.test"] += ["/participants", "/participants?gap=no-environment-manager", "/participants/intervals",
                              "/participants/new", "/participants/{participant}", "/participants/{participant}/edit",
                              "/participants/environments", "/participants/connections", "/outages"]
PAGES["supplier@demo.test"] += ["/participants", "/participants/{participant}",
                                "/participants/{participant}/environment-manager",
                                "/participants/{participant}/environments/new",
                                "/participants/environments/{environment}/edit",
                                "/participants/environments/{environment}/outages/new",
                                "/participants/connections", "/participants/environments", "/"]
PAGES["dip@demo.test"] += ["/participants/connections", "/participants/environments"]


def _demo_ids():
    environment = db.session.scalar(select(ParticipantEnvironment).where(ParticipantEnvironment.name
                                                                         == "Northwold SIT-A"))
    return {"participant": environment.participant_id, "environment": environment.id}


# Issue 28 (readiness): the matrix, a criterion's form, the health check, its report page and a system's heat map
# (DIP is the first system of the reference data); a participant's own readiness; a Central Party's report page.
PAGES["rm.sit@demo.test"] += ["/readiness", "/readiness?phase=qualification", "/readiness/criteria/new",
                              "/readiness/health", "/readiness/health/report", "/readiness/health/systems/1"]
PAGES["supplier@demo.test"] += ["/readiness/mine", "/readiness/health", "/"]
PAGES["dip@demo.test"] += ["/readiness/health/report", "/readiness/mine", "/"]


def _proving_url(organisation=None, environment="SIT-A"):
    """Issue 26's pages, whose ids the demo decides: the matrix of an environment, or a participant's steps there."""
    def url():
        from sqlalchemy import select

        from mhhs.directory.models import Environment, Organisation
        from mhhs.extensions import db
        from mhhs.participants.models import Participant
        environment_id = db.session.scalar(select(Environment.id).where(Environment.name == environment))
        if organisation is None:
            return f"/participants/proving?environment={environment_id}"
        participant_id = db.session.scalar(select(Participant.id).join(Organisation, Organisation.id ==
                                                                      Participant.organisation_id)
                                           .where(Organisation.name == organisation))
        return f"/participants/{participant_id}/proving/{environment_id}"
    return url


PAGES["rm.sit@demo.test"] += [_proving_url(), _proving_url("Fenland Networks")]
PAGES["supplier@demo.test"] += [_proving_url("Northwold Energy", "UIT"), "/"]  # "/": its next step leads
# Issue 28 part B: proving tests, GO / NO-GO decisions, the EWG (the demo's SIT-A is 2, its DIP 1, its first stage 1).
PAGES["rm.sit@demo.test"] += ["/readiness/proving", "/readiness/proving/2/1/monitoring", "/readiness/decisions",
                              "/readiness/decisions/new?stage=1", "/readiness/decisions/1", "/readiness/ewg",
                              "/readiness/ewg/1", "/readiness/ewg/2"]
PAGES["dip@demo.test"] += ["/readiness/decisions/1", "/readiness/ewg/1"]  # a Central Party reads them; not a TP
PAGES["dip@demo.test"] += ["/readiness/proving"]


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("email", list(PAGES))
def test_new_pages_pass_axe_at_both_widths(app, browser, live_server, email, width):
    from mhhs.demo import seed_everything
    with app.app_context():
        seed_everything(demo=True)
        ids = _demo_ids()
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
            if callable(url):
                with app.app_context():
                    url = url()
            url = url.format(**ids)
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
