"""Times the calendar (month and week views, as a Release Manager, a Central Party and a Test Participant) and the
calendar feed with 50,000 RFCs, 100,000 outages and 10,000 certificates in the database; prints the median time,
the SQL queries and the size of each, also as a multiple of a bare Flask hello-world timed in the same run.

Usage: .venv/bin/python scripts/bench_schedule.py [--rfcs 50000] [--outages 100000] [--certificates 10000]
"""
from bench_scale import at_scale, fill_at_scale
from benchkit import bench_app, logged_in, report
from sqlalchemy import select

from mhhs.core.time import to_london, utcnow
from mhhs.directory.models import User
from mhhs.extensions import db
from mhhs.schedule.services import feed_token


def main(arguments):
    rfcs, rounds = arguments.rfcs, arguments.rounds
    with bench_app() as app:
        with app.app_context():
            sizes = fill_at_scale(arguments)
            tokens = {email: feed_token(db.session.scalar(select(User).where(User.email == email)))
                      for email in ("rm.sit@demo.test", "supplier@demo.test")}
        today = to_london(utcnow()).date()
        print(sizes)
        for email in ("rm.sit@demo.test", "dip@demo.test", "supplier@demo.test"):
            print(f"\n{email}")
            pages = [("calendar, month", f"/calendar?date={today:%Y-%m}"),
                     ("calendar, week", f"/calendar?view=week&date={today}"),
                     ("calendar, month, SIT-A", f"/calendar?date={today:%Y-%m}&environment=2")]
            client = logged_in(app, email)
            if email in tokens:
                feed = f"/calendar/feed/{tokens[email]}.ics"
                etag = client.get(feed).headers["ETag"]
                pages += [("feed, everything", feed), ("feed, SIT-A", f"/calendar/feed/{tokens[email]}/2.ics"),
                          ("feed, unchanged poll (304)", feed, {"If-None-Match": etag})]
            report(app, client, pages, rfcs, "RFCs", rounds)


if __name__ == "__main__":
    main(at_scale())
