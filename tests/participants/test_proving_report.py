"""The weekly report's connectivity proving: progress per environment and interval, the week's regressions, for
Release Managers only."""
import re
from datetime import timedelta

from mhhs.core.time import to_london, utcnow
from mhhs.extensions import db
from mhhs.participants import proving
from tests.participants.proving_factory import certificates_for, make_participant, officers_for


def test_the_weekly_report_shows_proving_progress_and_regressions_to_managers(app, as_user):
    with app.app_context():
        regressing = make_participant("Done Energy", interval=2)
        officers_for(regressing)
        certificates = certificates_for(regressing)
        make_participant("Open Energy", interval=2)
        proving.sweep(utcnow())
        certificates[0].valid_to = utcnow() - timedelta(minutes=1)  # the TLS certificate has just expired
        db.session.commit()
        proving.sweep(utcnow())
    year, week, _ = to_london(utcnow()).date().isocalendar()
    url = f"/reports/weekly?week={year}-W{week:02d}"
    body = re.sub(r"\s+", " ", as_user("rm.sit@demo.test").get(url).get_data(as_text=True))
    assert re.search(r'<caption>SIT-A</caption>.*?<th scope="row">2</th><td>2</td><td>0</td><td>0</td>', body)
    assert "Regressions in the week <small>1</small>" in body
    assert re.search(r"Done Energy, SIT-A: step 2 regressed .*? — No valid DIP TLS certificate for SIT-A.", body)
    supplier = as_user("supplier@demo.test").get(url).get_data(as_text=True)
    assert "Connectivity proving" not in supplier and "Done Energy" not in supplier
