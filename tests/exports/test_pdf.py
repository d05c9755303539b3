"""PDFs read back as text: content, page x of y on every page, repeated table headers, hostile text."""
from pathlib import Path

import pytest

from mhhs.core.time import format_london
from mhhs.exports.printing import StaticOnlyFetcher
from mhhs.extensions import db
from mhhs.rfcs.models import Rfc
from mhhs.rfcs.states import RfcStatus
from tests.helpers import pdf_pages
from tests.rfcs.factory import approve, approved_earlier, deploy, env_ids, make_rfc


def defects(count, summary="Acknowledgement lost on retry"):
    found_in = env_ids("SIT-A")[0]
    return [{"defect_id": f"DEF-{i:04d}", "severity": "High", "summary": f"{summary} {i}", "found_in_id": found_in}
            for i in range(count)]


def approved_rfc(app, **overrides):
    with app.app_context():
        rfc_id = make_rfc(**overrides)
        approve(rfc_id, "rm.sit@demo.test")
    return rfc_id


def test_rfc_pdf_has_everything_and_its_header_on_every_page(app, as_user):
    rfc_id = approved_rfc(app, change_requests=[{"cr_id": "CR-31", "title": "New ack code", "summary": "Adds 207"}])
    reader, pages = pdf_pages(as_user("rm.sit@demo.test").get(f"/rfcs/{rfc_id}/pdf"))
    text = "\n".join(pages)
    number = f"RFC-{rfc_id:06d}"
    assert reader.metadata.title == f"{number} DIP 1.1.0.0"
    for expected in ("DEF-101", "CR-31", "Blue/green switch", "Switch back", "Control points", "RFC approval",
                     "Dana Ingram submitted revision 1", "Audit trail", "Build / package", "Not given"):
        assert expected in text, expected
    for i, page in enumerate(pages, 1):
        assert f"{number} · DIP · version 1.1.0.0" in page and f"Page {i} of {len(pages)}" in page


def test_pdfs_tell_each_environments_outcome_the_build_and_the_deviation(app, as_user):
    checksum = "ab" * 32
    with app.app_context():
        rfc_id = make_rfc(environments=("SIT-A", "SIT-B"), build_reference="dip-1.1.0.0.tar.gz", build_sha256=checksum)
        approved_earlier(rfc_id)
    rm = as_user("rm.sit@demo.test")
    _, pages = pdf_pages(rm.get(f"/rfcs/{rfc_id}/release-note.pdf"))
    assert "Planned release date" in pages[0] and "dip-1.1.0.0.tar.gz" in pages[0] \
        and checksum in "".join("".join(pages).split())
    with app.app_context():
        deploy(rfc_id, "SIT-A", RfcStatus.DEPLOYED)
        day = format_london(db.session.get(Rfc, rfc_id).deployments[0].actual_end, "%d %b %Y")
    _, pages = pdf_pages(rm.get(f"/rfcs/{rfc_id}/release-note.pdf"))
    text = " ".join(" ".join(pages).split())
    assert f"Deployed SIT-A: deployed, {day}; SIT-B: not yet deployed" in text and "Planned release date" not in text
    with app.app_context():
        deploy(rfc_id, "SIT-B", RfcStatus.ROLLED_BACK)
    _, pages = pdf_pages(rm.get(f"/rfcs/{rfc_id}/pdf"))
    text = " ".join(" ".join(pages).split())
    assert "SIT-B: rolled back" in text or "SIT-B rolled back" in text
    assert "Deviation: SIT-B rolled back. Lessons learnt are required to close (RCM 5.1)." in text
    assert "Met: Sam Ashdown" in text and "Not applicable (not a Major release)" in text


def test_a_long_release_note_runs_to_three_pages_with_headers_repeated(app, as_user):
    rfc_id = approved_rfc(app)
    with app.app_context():
        from mhhs.extensions import db
        from mhhs.rfcs.models import Defect, Rfc
        rfc = db.session.get(Rfc, rfc_id)
        rfc.defects = [Defect(position=i, **d) for i, d in enumerate(defects(75))]
        db.session.commit()
    reader, pages = pdf_pages(as_user("supplier@demo.test").get(f"/rfcs/{rfc_id}/release-note.pdf"))
    assert len(pages) == 3
    for i, page in enumerate(pages, 1):
        assert f"Page {i} of 3" in page and "Release note" in page
    defect_pages = [p for p in pages if "DEF-0" in p]
    assert len(defect_pages) >= 2 and all("Defect ID" in p and "Found in" in p for p in defect_pages)
    text = "\n".join(pages)
    assert all(f"DEF-{i:04d}" in text for i in range(75))
    assert reader.metadata.title.startswith(f"Release note RFC-{rfc_id:06d}")


def test_hostile_text_is_shown_literally_and_nothing_is_fetched(app, as_user):
    long_word = "X" * 400
    hostile = ('<img src="file:///etc/passwd"> <link rel="stylesheet" href="http://192.0.2.1/x.css"> '
               f'<script>alert(1)</script> {long_word}')
    rfc_id = approved_rfc(app, known_issues=hostile, title="Title <b>bold</b>")
    with app.app_context():
        from mhhs.extensions import db
        from mhhs.rfcs.models import Defect, Rfc
        db.session.get(Rfc, rfc_id).defects = [Defect(position=i, **d) for i, d in enumerate(defects(500))]
        db.session.commit()
    _reader, pages = pdf_pages(as_user("rm.uit@demo.test").get(f"/rfcs/{rfc_id}/release-note.pdf"))
    text = "\n".join(pages)
    flat = "".join(text.split())
    assert '<imgsrc="file:///etc/passwd">' in flat and "<script>alert(1)</script>" in flat
    assert "root:x:0:0" not in text  # the file was not read
    assert long_word in flat  # wrapped, not cut off
    assert "Title <b>bold</b>" in text
    assert "DEF-0499" in text


def test_the_fetcher_allows_only_static_files(app):
    static = Path(app.static_folder).resolve()
    fetcher = StaticOnlyFetcher(static)
    for url in ("file:///etc/passwd", "http://192.0.2.1/x.css", "https://example.org/font.woff",
                (static / ".." / "mhhs" / "config.py").as_uri(), "data:text/plain,hello", "file://host/etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    response = fetcher.fetch((static / "css" / "print.css").as_uri())
    assert b"@page" in response.read()
    response.close()


def test_who_may_download(app, as_user):
    with app.app_context():
        draft = make_rfc(submit=False)
    approved = approved_rfc(app, version="1.2.0.0")
    supplier = as_user("supplier@demo.test")
    assert supplier.get(f"/rfcs/{approved}/release-note.pdf").status_code == 200
    assert supplier.get(f"/rfcs/{approved}/pdf").status_code == 200
    for url in (f"/rfcs/{draft}/release-note.pdf", f"/rfcs/{draft}/pdf"):
        assert supplier.get(url).status_code == 404
        assert as_user("rm.sit@demo.test").get(url).status_code == 404
        assert as_user("mprs@demo.test").get(url).status_code == 404
    assert as_user("dip@demo.test").get(f"/rfcs/{draft}/release-note.pdf").status_code == 200


def test_a_release_note_is_bounded_at_the_form_and_nothing_typed_is_lost(app, as_user):
    from mhhs.rfcs.rules import MAX_ROWS, SUMMARY_LENGTH, TEXT_LENGTH
    from tests.rfcs.factory import form_data
    dip = as_user("dip@demo.test")
    with app.app_context():
        rows = defects(MAX_ROWS + 1)
    data = form_data(app, defects=rows, known_issues="k" * (TEXT_LENGTH + 1))
    data["defects-0-summary"] = "s" * (SUMMARY_LENGTH + 1)
    response = dip.post("/rfcs/new", {**data, "action": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"A release note lists at most {MAX_ROWS} defects; this one has {MAX_ROWS + 1}." in page
    assert f"DEF-{MAX_ROWS:04d}" in page  # the rows typed are shown again, none dropped
    with app.app_context():
        assert db.session.query(Rfc).filter(Rfc.title == data["title"]).count() == 0
    with app.app_context():
        rows = defects(MAX_ROWS)
    assert dip.post("/rfcs/new", {**form_data(app, defects=rows), "action": "save"}).status_code == 303


def test_pdfs_per_person_are_limited_so_they_never_take_every_worker(app, as_user):
    rfc_id = approved_rfc(app)
    supplier, manager = as_user("supplier@demo.test"), as_user("rm.sit@demo.test")
    app.config["PDF_RATE_LIMIT"] = "2 per minute"  # counted in the database, emptied after every test
    try:
        assert supplier.get(f"/rfcs/{rfc_id}/release-note.pdf").status_code == 200
        assert supplier.get(f"/rfcs/{rfc_id}/pdf").status_code == 200
        refused = supplier.get(f"/rfcs/{rfc_id}/release-note.pdf")
        assert refused.status_code == 429 and "wait a minute" in refused.get_data(as_text=True)
        assert manager.get(f"/rfcs/{rfc_id}/release-note.pdf").status_code == 200  # another person's count
    finally:
        app.config["PDF_RATE_LIMIT"] = "1000 per minute"
