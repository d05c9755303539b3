"""Both PDFs download in a real browser for the users who may read them."""
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.nav import account_link
from tests.rfcs.factory import approve, make_rfc


def test_participant_and_manager_download_the_pdfs(app, page, log_in, tmp_path):
    with app.app_context():
        rfc_id = make_rfc()
        approve(rfc_id, "rm.sit@demo.test")
    number = f"RFC-{rfc_id:06d}"
    for email, link, filename in (("supplier@demo.test", "Download release note", f"{number}-release-note.pdf"),
                                  ("rm.uit@demo.test", "Download PDF", f"{number}.pdf")):
        log_in(email)
        page.get_by_role("link", name="RFCs", exact=True).click()
        page.get_by_role("link", name=number).click()
        with page.expect_download() as download:
            page.get_by_role("button", name=link).click()
        assert download.value.suggested_filename == filename
        path = tmp_path / filename
        download.value.save_as(path)
        text = "\n".join(p.extract_text() for p in PdfReader(path).pages)
        assert number in text and "DEF-101" in text and "1.1.0.0" in text
        account_link(page, "Log out").click()
        expect(page.get_by_role("button", name="Log in")).to_be_visible()
