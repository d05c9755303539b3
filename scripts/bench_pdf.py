"""Time to render a release-note PDF with 10 and with 500 defects; prints figures.

Usage: .venv/bin/python scripts/bench_pdf.py [defect counts ...] [--rounds N]
"""
import argparse
import io
import statistics
import time

from benchkit import bench_app
from pypdf import PdfReader
from sqlalchemy import select

from mhhs.directory.models import Environment
from mhhs.extensions import db
from mhhs.rfcs.demo import seed_demo_rfcs
from mhhs.rfcs.models import Defect, Rfc
from mhhs.release_notes.views import release_note


def main(counts, rounds):
    with bench_app() as app, app.test_request_context():
        seed_demo_rfcs()
        rfc = db.session.get(Rfc, 1)
        sit_a = db.session.scalar(select(Environment.id).where(Environment.name == "SIT-A"))
        release_note(rfc)  # warm-up: fonts and templates load once per process
        for count in counts:
            rfc.defects = [Defect(position=i, defect_id=f"DEF-{i:05d}", severity="High", found_in_id=sit_a,
                                  summary="Acknowledgement lost when a message is retried after a timeout")
                           for i in range(count)]
            db.session.commit()
            timings = []
            for _ in range(rounds):
                start = time.perf_counter()
                data = release_note(rfc)
                timings.append((time.perf_counter() - start) * 1000)
            pages = len(PdfReader(io.BytesIO(data)).pages)
            print(f"release note, {count:>4} defects: median {statistics.median(timings):7.0f} ms, "
                  f"min {min(timings):7.0f} ms, {pages} pages, {len(data) // 1024} KiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("counts", nargs="*", type=int, default=[10, 500])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    main(args.counts, args.rounds)
