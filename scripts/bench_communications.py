"""Times the home pages (each role's work list) and the weekly testing and readiness report (page and PDF) with
50,000 RFCs, 100,000 outages and 10,000 certificates in the database; prints the median time, the SQL queries and
the size of each, also as a multiple of a bare Flask hello-world timed in the same run.

Usage: .venv/bin/python scripts/bench_communications.py [--rfcs 50000] [--outages 100000] [--certificates 10000]
"""
from bench_scale import at_scale, fill_at_scale
from benchkit import bench_app, logged_in, report

from mhhs.core.time import to_london, utcnow
from mhhs.reports.weekly import last_complete_week, week_name


def main(arguments):
    with bench_app() as app:
        with app.app_context():
            sizes = fill_at_scale(arguments)
        week = week_name(last_complete_week(to_london(utcnow()).date()))
        print(f"{sizes}; report of {week}")
        for email in ("rm.sit@demo.test", "dip@demo.test", "supplier@demo.test"):
            print(f"\n{email}")
            pages = [("home page", "/"), ("weekly report", f"/reports/weekly?week={week}")]
            if email == "rm.sit@demo.test":
                pages.append(("weekly report PDF", f"/reports/weekly.pdf?week={week}"))
            report(app, logged_in(app, email), pages, arguments.rfcs, "RFCs", arguments.rounds)


if __name__ == "__main__":
    main(at_scale())
