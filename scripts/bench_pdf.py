"""The largest release note the forms allow (issue 23: MAX_ROWS defects and change requests of SUMMARY_LENGTH
characters, every long field at TEXT_LENGTH): how long its two PDFs take to render here, on a throwaway database.

Usage: .venv/bin/python scripts/bench_pdf.py
"""
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "bench-pdf-signs-no-cookie")

from flask_migrate import upgrade  # noqa: E402

from mhhs import create_app  # noqa: E402
from mhhs.config import Config  # noqa: E402
from mhhs.directory.seed import seed_demo, seed_reference  # noqa: E402
from mhhs.extensions import db  # noqa: E402
from mhhs.release_notes.views import release_note  # noqa: E402
from mhhs.rfcs.models import Rfc  # noqa: E402
from mhhs.rfcs.rules import MAX_ROWS, SUMMARY_LENGTH, TEXT_LENGTH  # noqa: E402
from mhhs.rfcs.views import rfc_pdf_bytes  # noqa: E402


def words(length, seed):
    text = " ".join(f"{seed}-word{i}" for i in range(length // 6))
    return (text + " " + "x" * length)[:length]


def main():
    folder = tempfile.mkdtemp(prefix="bench-pdf-")
    config = type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite"})
    app = create_app(config)
    with app.app_context():
        upgrade()
        seed_reference()
        seed_demo()
    from mhhs.rfcs import services
    from tests.rfcs.factory import content, env_ids, user  # noqa: E402  (RFCs made through the services)
    with app.test_request_context():
        found_in = env_ids("SIT-A")[0]
        long = {name: words(TEXT_LENGTH, name) for name in ("implementation_plan", "rollback_plan", "known_issues",
                                                             "installation_instructions")}
        rfc = Rfc(revision=0)
        services.save_draft(user("dip@demo.test"), rfc, content(
            title="The largest release note", **long,
            defects=[{"defect_id": f"DEF-{i}", "severity": "High", "summary": words(SUMMARY_LENGTH, f"d{i}"),
                      "found_in_id": found_in} for i in range(MAX_ROWS)],
            change_requests=[{"cr_id": f"CR-{i}", "title": f"Change request {i}", "summary": words(SUMMARY_LENGTH,
                                                                                                   f"c{i}")}
                             for i in range(MAX_ROWS)]))
        rfc = db.session.get(Rfc, rfc.id)
        print(f"{MAX_ROWS} defects and {MAX_ROWS} change requests of {SUMMARY_LENGTH} characters, "
              f"4 long fields of {TEXT_LENGTH:,} characters")
        for name, render in (("release note PDF", release_note), ("RFC PDF", rfc_pdf_bytes)):
            started, cpu = time.perf_counter(), time.process_time()
            data = render(rfc)
            # CPU time too: on a machine others share, the wall-clock time includes waiting for a core.
            print(f"{name}: {time.perf_counter() - started:.2f} s ({time.process_time() - cpu:.2f} s of CPU), "
                  f"{len(data) / 1000:.0f} kB")


if __name__ == "__main__":
    main()
