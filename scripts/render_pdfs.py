"""Writes an RFC's two PDFs (RFC and release note) from the app's database, for a person to look at.

Usage: .venv/bin/python scripts/render_pdfs.py [RFC id, default 1] [folder, default test-artifacts/pdf]
Then:  pdftoppm -png -r 60 test-artifacts/pdf/RFC-000001.pdf test-artifacts/pdf/rfc
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "render-pdfs-signs-no-cookie")  # the app needs one; this script serves no one

from mhhs import create_app  # noqa: E402
from mhhs.extensions import db  # noqa: E402
from mhhs.release_notes.views import release_note
from mhhs.rfcs.models import Rfc
from mhhs.rfcs.views import rfc_pdf_bytes


def main(rfc_id, folder):
    app = create_app()
    folder.mkdir(parents=True, exist_ok=True)
    with app.test_request_context():
        rfc = db.session.get(Rfc, rfc_id)
        if rfc is None:
            raise SystemExit(f"No RFC {rfc_id}: run `make run` (or flask seed --demo) first.")
        for name, data in ((f"{rfc.number}.pdf", rfc_pdf_bytes(rfc)), (f"{rfc.number}-release-note.pdf",
                                                                       release_note(rfc))):
            (folder / name).write_bytes(data)
            print(folder / name)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1, Path(sys.argv[2] if len(sys.argv) > 2 else "test-artifacts/pdf"))
