"""A Test Participant uploads a certificate in a real browser and sees it on the expiry dashboard."""
import re

from cryptography.hazmat.primitives import serialization
from playwright.sync_api import expect

from tests.certificates.factory import key, make_x509, pem


def test_participant_uploads_a_pem_and_sees_it_expiring(page, log_in, tmp_path):
    certificate_file = tmp_path / "nwen-sit-a.pem"
    certificate_file.write_bytes(pem(make_x509("nwen.sit-a.journey.test", days=20)))
    log_in("supplier@demo.test")
    page.get_by_role("link", name="Certificates", exact=True).click()
    page.get_by_role("button", name="Upload certificate").click()
    page.get_by_label("Certificate file").set_input_files(str(certificate_file))
    page.get_by_label("Environment").select_option("SIT-A")
    page.get_by_label("Kind").select_option("DIP TLS")
    page.get_by_label("MPID").fill("nwen")
    page.get_by_label("Technical contact").fill("tech@northwold.test")
    page.get_by_role("button", name="Upload certificate").click()

    parsed = page.get_by_role("region", name="Read from the certificate")
    expect(parsed).to_contain_text("CN=nwen.sit-a.journey.test")
    expect(parsed).to_contain_text("Valid to")
    expect(page.get_by_label("MPID")).to_have_value("NWEN")
    page.get_by_role("button", name="Save certificate").click()

    expect(page.get_by_text("Certificate saved.")).to_be_visible()
    expect(page.locator("dl.details")).to_contain_text("CN=nwen.sit-a.journey.test")
    page.get_by_role("link", name="Certificates", exact=True).click()
    row = page.locator("#certificate-rows tbody tr").filter(has_text="nwen.sit-a.journey.test")
    expect(row).to_contain_text("expiring within 30 days")
    expect(row).to_contain_text("SIT-A")

    page.get_by_label("Status").select_option("valid")  # htmx filter: the row goes away
    expect(page.locator("#certificate-rows")).to_contain_text("No certificates match.")
    expect(page).to_have_url(re.compile(r"status=valid"))

    # Deleting asks first (hx-confirm, no inline handler), then goes back to the dashboard.
    page.goto("/certificates")
    row = page.locator("#certificate-rows tbody tr").filter(has_text="nwen.sit-a.journey.test")
    row.get_by_role("link").first.click()
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Certificate deleted.")).to_be_visible()
    assert dialogs == ["Delete this certificate?"]
    expect(page).to_have_url(re.compile(r"/certificates$"))
    expect(page.locator("#certificate-rows")).not_to_contain_text("nwen.sit-a.journey.test")


def test_private_key_upload_is_refused_in_the_browser(page, log_in, tmp_path):
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(key("ec").private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
    log_in("dip@demo.test")
    page.goto("/certificates/upload")
    page.get_by_label("Certificate file").set_input_files(str(key_file))
    page.get_by_label("MPID").fill("")
    page.get_by_role("button", name="Upload certificate").click()
    expect(page.locator("#certificate_file-error")).to_contain_text("Never upload private keys")
