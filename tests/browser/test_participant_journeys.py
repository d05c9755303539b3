"""A Test Participant names its Environment Manager and adds its SIT-A test environment with connection details, in
a real browser (part of issue 26's journey); a bad host name is refused by its field, with what was typed kept."""
from playwright.sync_api import expect

from tests.nav import nav_link
from tests.participants.factory import make_participant


def test_participant_names_its_environment_manager_and_adds_its_sit_a_environment(app, page, log_in):
    with app.app_context():
        make_participant("Northwold Energy")
    log_in("supplier@demo.test")
    expect(page.get_by_text("No Environment Manager named")).to_be_visible()  # the gap on its home page
    nav_link(page, "Register").click()
    page.get_by_role("button", name="Northwold Energy: your entry").click()
    page.get_by_role("button", name="Name the Environment Manager").click()
    page.get_by_label("One of our users").select_option(label="Sunil Patel")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Environment Manager named.")).to_be_visible()
    expect(page.get_by_role("region", name="Environment Manager")).to_contain_text("Sunil Patel <supplier@demo.test>")

    page.get_by_role("button", name="Add a test environment").click()
    page.get_by_label("Name", exact=True).fill("Northwold SIT-A")
    page.get_by_label("Serves (phase or stage)").fill("SIT Functional")
    page.get_by_label("Connects to (central environment)").select_option(label="SIT-A")
    page.get_by_label("Status").select_option(label="Ready")
    page.get_by_label("Endpoints").fill("https://dip-sit-a.northwold.example/webhooks")
    page.get_by_label("Host names").fill("dip-sit-a.northwold.example\ndip_sit_a.northwold.example")
    page.get_by_label("Addresses to allow").fill("203.0.113.16/29\n2001:db8:1::/48")
    page.get_by_role("button", name="Save environment").click()
    expect(page.locator("#host_names-error")).to_contain_text("“dip_sit_a.northwold.example” is not a host name")
    expect(page.get_by_label("Addresses to allow")).to_have_value("203.0.113.16/29\n2001:db8:1::/48")
    page.get_by_label("Host names").fill("dip-sit-a.northwold.example")
    page.get_by_role("button", name="Save environment").click()

    expect(page.get_by_text("Northwold SIT-A saved.")).to_be_visible()
    row = page.get_by_role("region", name="Test environments").locator("tbody tr").filter(has_text="Northwold SIT-A")
    expect(row).to_contain_text("SIT-A")
    expect(row).to_contain_text("Ready")
    expect(row).to_contain_text("dip-sit-a.northwold.example")
    expect(row).to_contain_text("2001:db8:1::/48")
