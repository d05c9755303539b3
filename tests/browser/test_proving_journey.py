"""Issue 26's journey in chromium: a Test Participant's PKI officers and TLS and JWS certificates tick steps 1–2 by
themselves, it records its webhooks and a DIP message; the Release Manager sees the matrix row complete and signs
off; the certificate is replaced by one for UIT only, and the sign-off is voided and both are told."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from tests.certificates.factory import make_x509, pem
from tests.helpers import log_out
from tests.participants.proving_factory import environment, make_participant


def appoint(page, role, name, email, environment_name=None):
    page.get_by_label("Registration scheme").select_option("DIP")
    page.get_by_label("PKI role").select_option(role)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Email").fill(email)
    if environment_name:  # a Technical Contact: per MPID, market role and environment
        page.get_by_label("MPID").fill("NWEN")
        page.get_by_label("Market role").select_option(label="SUP-D — Supplier (domestic)")
        page.get_by_label("Environment").select_option(environment_name)
    page.get_by_role("button", name="Appoint").click()
    expect(page.locator("table")).to_contain_text(name)


def upload(page, tmp_path, kind, environment_name):
    certificate_file = tmp_path / f"{kind}-{environment_name}.pem".replace(" ", "-")
    certificate_file.write_bytes(pem(make_x509(f"nwen.{kind.split()[1].lower()}.{environment_name.lower()}.test")))
    page.goto("/certificates/upload")
    page.get_by_label("Certificate file").set_input_files(str(certificate_file))
    page.get_by_label("Environment").select_option(environment_name)
    page.get_by_label("Kind").select_option(kind)
    page.get_by_label("MPID").fill("NWEN")
    page.get_by_role("button", name="Upload certificate").click()
    page.get_by_role("button", name="Save certificate").click()
    expect(page.get_by_text("Certificate saved.")).to_be_visible()


def step(page, number):
    return page.locator(f"#step-{number}")


def record(page, number, **fields):
    article = step(page, number)
    article.locator("summary").click()  # opens the form in place
    article.get_by_label("Status").select_option("Done")
    for label, value in fields.items():
        article.get_by_label(label).fill(value)
    article.get_by_role("button", name=f"Record step {number}").click()
    expect(page.get_by_text(f"Step {number} recorded.")).to_be_visible()
    expect(step(page, number).locator(".badge").first).to_have_text("Done")


def test_participant_proves_connectivity_and_a_replaced_certificate_voids_the_sign_off(app, page, log_in, tmp_path):
    with app.app_context():
        participant = make_participant("Northwold Energy", interval=3)
        url = f"/participants/{participant.id}/proving/{environment('SIT-A').id}"
        sit_a = environment("SIT-A").id
    log_in("supplier@demo.test")
    page.goto(url)
    expect(step(page, 1).locator(".badge").first).to_have_text("Not started")
    expect(page.locator("#sign-off")).to_contain_text("Next: step 1, PKI officers determined")

    page.goto("/certificates/officers")
    appoint(page, "SRO", "Sara Senior", "sara@northwold.test")
    appoint(page, "Technical Contact", "Tariq Tech", "tariq@northwold.test", "SIT-A")
    upload(page, tmp_path, "DIP TLS", "SIT-A")
    upload(page, tmp_path, "DIP JWS", "SIT-A")

    page.goto(url)
    expect(step(page, 1).locator(".badge").first).to_have_text("Done")  # ticked by themselves
    expect(step(page, 2).locator(".badge").first).to_have_text("Done")
    record(page, 3, **{"Evidence note": "Webhooks registered on the DIP portal"})
    record(page, 4, **{"DIP message id": "NWEN-0001", "Sent and answered at (Europe/London)": "2026-11-30T10:15"})
    record(page, 5)
    expect(page.locator("#sign-off")).to_contain_text("Every required step is done.")
    expect(page.get_by_role("button", name=re.compile("Sign off"))).to_have_count(0)  # not its own to give
    log_out(page)

    log_in("rm.sit@demo.test")
    page.goto(f"/participants/proving?environment={sit_a}")
    row = page.locator(f"#participant-{participant.id}")
    expect(row.locator(".badge")).to_have_text(["Done"] * 5)
    row.get_by_role("link", name="Northwold Energy").click()
    page.get_by_role("button", name="Sign off connectivity to SIT-A").click()
    expect(page.get_by_text("Connectivity to SIT-A signed off.")).to_be_visible()
    expect(page.locator("#sign-off")).to_contain_text("Signed off by Sam Ashdown")
    log_out(page)

    # The SIT-A TLS certificate goes; one for UIT only comes in its place.
    log_in("supplier@demo.test")
    page.goto(f"/certificates?environment={sit_a}&kind=DIP+TLS")
    page.locator("#certificate-rows tbody tr").first.get_by_role("link").first.click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Certificate deleted.")).to_be_visible()
    upload(page, tmp_path, "DIP TLS", "UIT")
    page.goto(url)
    expect(step(page, 2).locator(".badge").first).to_have_text("In progress")
    expect(step(page, 2)).to_contain_text("Regressed on")
    expect(step(page, 3).locator(".badge").first).to_have_text("Blocked")
    expect(page.locator("#sign-off")).to_contain_text("Not signed off.")

    with app.app_context():
        told = {address for recipients in db.session.scalars(select(OutboxMessage.recipients).where(
            OutboxMessage.subject == "Connectivity proving regressed: Northwold Energy in SIT-A"))
            for address in recipients.split(",")}
    assert {"supplier@demo.test", "rm.sit@demo.test"} <= told
