"""A delivery pipeline's journey over real HTTP against the app served on loopback: a Central Party makes a token
in the browser; the pipeline raises an RFC (idempotently) and submits it; a Release Manager approves it in the
browser; the pipeline's poll sees the approval, records the deployment, and the baseline shows the version."""
import json
import urllib.error
import urllib.request
from datetime import timedelta

from playwright.sync_api import expect

from mhhs.api.permissions import SCOPES
from mhhs.core.time import utcnow
from mhhs.directory.reference_data import DEMO_PASSWORD
from tests.helpers import approved_yesterday, log_out, rfc_body
from tests.nav import account_link


class Pipeline:
    def __init__(self, base, secret):
        self.base, self.secret = base, secret

    def call(self, method, path, body=None, headers=None):
        """(status, headers, JSON body or None): every answer, errors included, as a pipeline reads it."""
        request = urllib.request.Request(f"{self.base}/api/v1{path}", method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Authorization": f"Bearer {self.secret}",
                                                  "Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, response.headers, json.loads(response.read() or "null")
        except urllib.error.HTTPError as error:
            content = error.read()
            return error.code, error.headers, json.loads(content) if content else None


def iso(moment):
    return moment.replace(microsecond=0).isoformat() + "Z"


def test_a_pipeline_raises_waits_for_approval_and_records_its_deployment(app, page, log_in, live_server):
    log_in("dip@demo.test")
    account_link(page, "API tokens").click()
    page.get_by_label("Token name").fill("DIP pipeline")
    for scope in ("read", "rfcs", "deployments"):
        page.get_by_label(f"{scope} — {SCOPES[scope]}", exact=True).check()
    page.get_by_label("Your password").fill(DEMO_PASSWORD)  # asked again before a token is made
    page.get_by_role("button", name="Make token").click()
    expect(page.get_by_text("it is shown this once")).to_be_visible()
    pipeline = Pipeline(live_server, page.locator("#new-secret").inner_text())
    log_out(page)

    status, _, proposal = pipeline.call("GET", "/versions/next?system=DIP&release_type=Minor")
    assert status == 200 and proposal["proposal"]
    body = rfc_body(version=proposal["proposal"], title="DIP from CI")
    status, _, created = pipeline.call("POST", "/rfcs", body, {"Idempotency-Key": "build-4411"})
    assert status == 201 and created["status"] == "draft"
    status, headers, retried = pipeline.call("POST", "/rfcs", body, {"Idempotency-Key": "build-4411"})
    assert status == 201 and retried["id"] == created["id"] and headers["Idempotent-Replayed"] == "true"
    status, _, submitted = pipeline.call("POST", f"/rfcs/{created['id']}/submit")
    assert status == 200 and submitted["status"] == "submitted" and submitted["waiting_for"] == ["SIT"]
    status, headers, _ = pipeline.call("GET", f"/rfcs/{created['id']}")
    etag = headers["ETag"]
    assert pipeline.call("GET", f"/rfcs/{created['id']}", headers={"If-None-Match": etag})[0] == 304

    log_in("rm.sit@demo.test")
    page.get_by_role("link", name="Approvals").click()
    number = created["number"]
    row = page.locator("tr", has_text=number)
    expect(row.get_by_role("checkbox").first).to_be_visible()  # .all() does not wait
    for box in row.get_by_role("checkbox").all():
        box.check()
    row.get_by_label(f"Evidence or reason for the chosen control points of {number}").fill("Checked on the call")
    row.get_by_role("button", name="Tick").click()
    expect(page.locator("tr", has_text=number).get_by_role("checkbox")).to_have_count(0, timeout=15_000)
    page.locator("tr", has_text=number).get_by_role("button", name="Approve").click()
    expect(page.locator("tr", has_text=number)).to_contain_text("you: approved")
    log_out(page)

    status, _, polled = pipeline.call("GET", f"/rfcs/{created['id']}", headers={"If-None-Match": etag})
    assert status == 200 and polled["status"] == "approved" and polled["approvals"][0]["by"]
    approved_yesterday(app, created["page"])
    deployed_at = utcnow() - timedelta(hours=2)
    status, _, deployed = pipeline.call("POST", f"/rfcs/{created['id']}/deployments", {
        "environment": "SIT-A", "outcome": "success", "actual_start": iso(deployed_at),
        "actual_end": iso(deployed_at + timedelta(minutes=40))})
    assert status == 201 and deployed["status"] == "deployed"
    status, _, cells = pipeline.call("GET", "/baseline?system=DIP&environment=SIT-A")
    assert status == 200 and cells[0]["version"] == proposal["proposal"] and cells[0]["rfc"] == number

    log_in("dip@demo.test")
    page.goto(created["page"].replace(live_server, ""))
    expect(page.get_by_text("through the API (token “DIP pipeline”)").first).to_be_visible()
    page.goto("/api-tokens")
    row = page.locator("tr", has_text="DIP pipeline")
    expect(row).not_to_contain_text("never")  # its last use is shown
    page.once("dialog", lambda dialog: dialog.accept())  # "Revoke “DIP pipeline”? Pipelines using it stop at once."
    row.get_by_role("button", name="Revoke DIP pipeline").click()
    expect(page.get_by_text("Token “DIP pipeline” revoked: it no longer works.")).to_be_visible()
    expect(page.locator("tr", has_text="DIP pipeline")).to_contain_text("revoked")
    assert pipeline.call("GET", "/baseline")[0] == 401
