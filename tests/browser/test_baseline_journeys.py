"""The configuration baseline in a real browser: a Release Manager records a baseline, a Central Party raises an RFC
for SIT-A only and is warned of drift, the manager settles control points 3 to 6 and approves, the Central Party
records success in SIT-A, the grid shows the new version and the drift, and the defect is retested in SIT-A."""
from datetime import timedelta

from playwright.sync_api import expect

from tests.helpers import approved_yesterday, fill_rfc, local, log_out


def record_baseline(page, environment, version):
    page.get_by_role("link", name="Baseline", exact=True).click()
    page.get_by_role("button", name="Record a baseline").click()
    page.get_by_label("System").select_option(label="DIP (Avanade)")
    page.get_by_label("Environment").select_option(environment)
    page.get_by_label("Version").fill(version)
    page.get_by_label("Reason").fill("Avanade release note, 2 November")
    page.get_by_role("button", name="Record baseline").click()
    expect(page.get_by_text("Baseline recorded.")).to_be_visible()


def test_baseline_drift_gates_deployment_and_retest(app, page, log_in):
    log_in("rm.sit@demo.test")
    page.goto("/baseline/record")
    page.get_by_label("Version").fill("1.0")
    page.get_by_role("button", name="Record baseline").click()
    expect(page.locator("#version-error")).to_contain_text("four numeric parts")
    expect(page.locator("#system_id-error")).to_contain_text("Choose a system.")
    expect(page.get_by_label("Version")).to_have_value("1.0")  # what was typed stays
    record_baseline(page, "SIT-A", "1.0.0.0")
    record_baseline(page, "SIT-B", "1.0.0.0")
    dip = page.locator("tr", has=page.get_by_role("rowheader", name="DIP", exact=True))
    sit_a = dip.locator("td").nth(1)
    expect(sit_a).to_contain_text("1.0.0.0")
    sit_a.get_by_role("link", name="History of DIP in SIT-A: 1.0.0.0").click()  # the history, in place
    expect(page.locator("#cell-history")).to_contain_text("Avanade release note, 2 November")
    log_out(page)

    log_in("dip@demo.test")
    page.goto("/rfcs/new")
    fill_rfc(page, environments=("SIT-A (SIT)",), defects=[("DEF-401", "High", "Ack lost on retry", "SIT-A")])
    expect(page.get_by_label("Version")).to_have_value("1.1.0.0")  # built on the recorded baseline
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("SIT-B will differ from SIT-A").first).to_be_visible()
    rfc_url = page.url
    number = page.get_by_role("heading", level=1).inner_text().split(" ")[0]
    log_out(page)

    log_in("rm.sit@demo.test")
    page.get_by_role("link", name="Approvals").click()
    row = page.locator("tr", has_text=number)
    expect(row).to_contain_text("SIT-B will differ from SIT-A")
    row.get_by_role("button", name="Approve").click()
    expect(page.locator("tr", has_text=number)).to_contain_text("Control points 3 (Environments are built")
    row = page.locator("tr", has_text=number)
    expect(row.get_by_role("checkbox", checked=True)).to_have_count(0)  # none is ticked for the manager
    row.get_by_role("checkbox", name="3 Baseline").check()
    row.get_by_role("button", name="Tick").click()  # 3 alone: its evidence comes from the baseline
    row = page.locator("tr", has_text=number)
    expect(row.get_by_role("checkbox")).to_have_count(3)
    expect(row.get_by_role("checkbox").first).to_be_visible()  # .all() does not wait
    for box in row.get_by_role("checkbox").all():
        box.check()
    row.get_by_label(f"Evidence or reason for the chosen control points of {number}").fill("Weekly release call")
    row.get_by_role("button", name="Tick").click()
    expect(page.locator("tr", has_text=number).get_by_role("checkbox")).to_have_count(0)
    page.locator("tr", has_text=number).get_by_role("button", name="Approve").click()
    expect(page.locator("tr", has_text=number)).to_contain_text("you: approved")
    page.goto(rfc_url)
    expect(page.locator("#control-point-3")).to_contain_text("Baseline: SIT-A runs 1.0.0.0")
    log_out(page)

    approved_yesterday(app, rfc_url)
    log_in("dip@demo.test")
    page.goto(rfc_url)
    page.get_by_role("button", name="Record an early deployment").click()  # the window is a week away
    page.get_by_label("Actual start").fill(local(timedelta(hours=-3)))
    page.get_by_label("Actual end").fill(local(timedelta(hours=-4)))
    page.get_by_label("Outcome").select_option("Success")
    page.get_by_role("button", name="Record deployment").click()
    expect(page.locator("#actual_end-error")).to_have_text("The deployment must end after it starts.")
    page.get_by_label("Actual end").fill(local(timedelta(hours=-2)))
    page.get_by_role("button", name="Record deployment").click()
    expect(page.get_by_text("in SIT-A: deployed recorded")).to_be_visible()

    page.get_by_role("link", name="Baseline", exact=True).click()
    dip = page.locator("tr", has=page.get_by_role("rowheader", name="DIP drift"))
    expect(dip.locator("td").nth(1)).to_contain_text("1.1.0.0")
    expect(dip.locator("td").nth(2)).to_contain_text("1.0.0.0")
    expect(page.get_by_role("heading", name="SIT-A and SIT-B differ (1)")).to_be_visible()

    page.get_by_role("link", name="Retests", exact=True).click()
    page.get_by_role("link", name="SIT-A (1 to retest)", exact=True).click()  # each tab with its count
    row = page.locator("tr", has_text="DEF-401")
    expect(row.get_by_label("Result")).to_have_value("")  # no result chosen for the tester
    row.get_by_label("Result").select_option("Passed")
    row.get_by_label("Note").fill("Ack received after retry")
    row.get_by_role("button", name="Record retest of DEF-401").click()
    expect(page.get_by_text("Retest of DEF-401 in SIT-A recorded: passed.")).to_be_visible()
    expect(page.locator("section", has_text="Retested").locator("tr", has_text="DEF-401")).to_contain_text("passed")
