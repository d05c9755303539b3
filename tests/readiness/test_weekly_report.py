"""The weekly report's readiness section: participants ready per phase and the week's health-check compliance (reports
on time ÷ reports expected)."""
from datetime import date, datetime, time, timedelta

from mhhs.core.time import london_to_utc, utcnow
from mhhs.participants.models import Route
from mhhs.readiness import criteria, health
from mhhs.reports import weekly
from tests.readiness.factory import make_criterion, make_participant, report, user

MONDAY = date(2025, 3, 3)  # 2025-W10: no bank holiday, SIT-A and SIT-B available


def test_compliance_counts_the_weeks_reports_on_time_over_those_expected(ctx):
    report(day=MONDAY, now=london_to_utc(datetime.combine(MONDAY, time(9))))  # on time
    tuesday = MONDAY + timedelta(days=1)
    report(day=tuesday, now=london_to_utc(datetime.combine(tuesday, time(11))))  # late
    figures = weekly.build(None, MONDAY, utcnow()).readiness
    assert figures.on_time == 1
    assert figures.expected == 5 * len(health.expected(MONDAY))
    assert figures.compliance == 1 / figures.expected


def test_participants_ready_per_phase(ctx):
    ready = make_participant()
    make_participant("Brightmeter Services")  # not ready: the criterion is open
    criterion = make_criterion("Test plan approved")
    criteria.meet(user("supplier@demo.test"), ready, criterion, "Approved")
    figures = weekly.build(None, MONDAY, utcnow()).readiness
    assert figures.ready[0] == (Route.SIT, 1, 2)


def test_the_report_page_shows_the_readiness_section(app, as_user):
    with app.app_context():
        report(day=MONDAY, now=london_to_utc(datetime.combine(MONDAY, time(9))))
    page = as_user("rm.sit@demo.test").get("/reports/weekly?week=2025-W10").text
    assert "<h2>Readiness</h2>" in page and "Morning health checks on time: 1 of" in page
    assert "SIT: 0 of 0 participants ready" in page
