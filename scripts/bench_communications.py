"""Times the home pages (each role's work list) and the weekly testing and readiness report (page and PDF) with
50,000 RFCs, 100,000 outages and 10,000 certificates in the database; prints the median time, the SQL queries and
the size of each, also as a multiple of a bare Flask hello-world timed in the same run.

Usage: .venv/bin/python scripts/bench_communications.py [--rfcs 50000] [--outages 100000] [--certificates 10000]
"""
import argparse

import bench_certificates
import bench_outages
import bench_rfcs
from benchkit import bench_app, logged_in, report

from mhhs.core.time import to_london, utcnow
from mhhs.reports.weekly import last_complete_week, week_name


def main(rfcs, outages, certificates, rounds):
    with bench_app() as app:
        with app.app_context():
            bench_rfcs.fill(rfcs)
            bench_outages.fill(outages)
            bench_certificates.fill(certificates)
        week = week_name(last_complete_week(to_london(utcnow()).date()))
        print(f"{rfcs:,} RFCs, {outages:,} outages, {certificates:,} certificates; report of {week}")
        for email in ("rm.sit@demo.test", "dip@demo.test", "supplier@demo.test"):
            print(f"\n{email}")
            pages = [("home page", "/"), ("weekly report", f"/reports/weekly?week={week}")]
            if email == "rm.sit@demo.test":
                pages.append(("weekly report PDF", f"/reports/weekly.pdf?week={week}"))
            report(app, logged_in(app, email), pages, rfcs, "RFCs", rounds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rfcs", type=int, default=50_000)
    parser.add_argument("--outages", type=int, default=100_000)
    parser.add_argument("--certificates", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    main(arguments.rfcs, arguments.outages, arguments.certificates, arguments.rounds)
