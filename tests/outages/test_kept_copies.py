"""What the outages page keeps per process (the board rendered, the log's count) never hides a change: an outage
logged, ended or written by another worker is on the very next page; and what is kept is the same for everyone, while
what differs by viewer (who may end an outage) is still worked out for each."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from mhhs.core import changes
from mhhs.core.time import utcnow
from mhhs.directory.models import Environment, User
from mhhs.extensions import db
from mhhs.outages import downtime, views
from mhhs.outages.models import Category, Outage
from tests.outages.factory import make_outage


def in_all(page):
    """The pager's count (None when the list is one page)."""
    found = re.search(r"<span>(\S+) in all</span>", page)
    return found and found.group(1)


def past_outage(description="Old load", days=2):
    start = utcnow() - timedelta(days=days)
    make_outage("mprs@demo.test", systems=("MPRS",), planned=True, category=Category.DATA_LOAD, start=start,
                end=start + timedelta(hours=1), description=description)


@pytest.fixture(autouse=True)
def one_a_page(app, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 1)  # the pager, with its count, shows from two outages


def test_an_outage_logged_is_on_the_very_next_page(app, as_user):
    with app.app_context():
        past_outage()
    rm = as_user("rm.sit@demo.test")
    before = rm.get("/outages").get_data(as_text=True)
    assert "1 outage now" not in before and "Ack storm" not in before
    with app.app_context():
        make_outage("dip@demo.test", description="Ack storm")
    after = rm.get("/outages").get_data(as_text=True)
    assert "1 outage now" in after and "Ack storm" in after and in_all(after) == "2"
    assert 'class="down" title="down">DIP' in after


def test_an_outage_written_by_another_worker_is_on_the_next_page(app, as_user):
    with app.app_context():
        past_outage()
    rm = as_user("rm.sit@demo.test")
    rm.get("/outages")
    with app.app_context():  # another process's rows and its counter: nothing this process's ORM saw
        reporter = db.session.scalar(select(User).where(User.email == "dip@demo.test"))
        sit_a = db.session.scalar(select(Environment.id).where(Environment.name == "SIT-A"))
        now = utcnow()
        db.session.execute(insert(Outage).values(
            environment_id=sit_a, organisation_id=reporter.organisation_id, planned=False,
            category=Category.SOFTWARE_FAILURE, start=now - timedelta(hours=1), end=None, description="Elsewhere",
            impact="", defect_reference="", root_cause="", reported_by_id=reporter.id,
            reporter_organisation_id=reporter.organisation_id, created_at=now, row_version=1))
        changes.bump(changes.OUTAGES)
        db.session.commit()
    page = rm.get("/outages").get_data(as_text=True)
    assert "Elsewhere" in page and "1 outage now" in page and in_all(page) == "2"


def test_an_outage_ended_leaves_the_board_at_once(app, as_user):
    with app.app_context():
        outage_id = make_outage("dip@demo.test").id
    dip = as_user("dip@demo.test")
    assert "1 outage now" in dip.get("/outages").get_data(as_text=True)
    dip.post(f"/outages/{outage_id}/end", {})
    page = dip.get("/outages").get_data(as_text=True)
    assert "1 outage now" not in page and "all up" in page


def test_a_filtered_count_is_the_filters_own(app, as_user):
    with app.app_context():
        make_outage("dip@demo.test", description="Ack storm")
        past_outage()
        past_outage("Older load", days=3)
    rm = as_user("rm.sit@demo.test")
    assert in_all(rm.get("/outages").get_data(as_text=True)) == "3"
    assert in_all(rm.get("/outages?planned=planned").get_data(as_text=True)) == "2"
    assert in_all(rm.get("/outages?planned=planned&q=older").get_data(as_text=True)) is None  # one page
    assert in_all(rm.get("/outages").get_data(as_text=True)) == "3"


def test_who_may_end_an_outage_is_each_viewers_own(app, as_user):
    """The board and the count are kept for everyone; the End now button of a row is the viewer's."""
    with app.app_context():
        make_outage("dip@demo.test", description="Ack storm")
    assert ">End now</button>" in as_user("rm.sit@demo.test").get("/outages").get_data(as_text=True)
    participant = as_user("supplier@demo.test").get("/outages").get_data(as_text=True)
    assert "Ack storm" in participant and "1 outage now" in participant and ">End now</button>" not in participant
    assert ">End now</button>" in as_user("dip@demo.test").get("/outages").get_data(as_text=True)


def test_availability_shows_an_outage_logged_on_the_very_next_page(app, as_user):
    ten_days_ago = utcnow().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=10)  # a week ended
    with app.app_context():
        make_outage("rm.sit@demo.test", environment="SIT-A", start=ten_days_ago,
                    end=ten_days_ago + timedelta(hours=5))
        downtime.rebuild(utcnow())  # the days up to yesterday stored
    rm = as_user("rm.sit@demo.test")
    before = rm.get("/outages/availability").get_data(as_text=True)
    assert "5.00" in before and "2.28" not in before
    with app.app_context():
        make_outage("rm.sit@demo.test", environment="SIT-B", start=ten_days_ago,
                    end=ten_days_ago + timedelta(hours=2, minutes=17))
    assert "2.28" in rm.get("/outages/availability").get_data(as_text=True)  # 2 h 17 min


def test_availability_counts_an_ongoing_outage_up_to_each_requests_now(app, as_user, monkeypatch):
    with app.app_context():
        make_outage("rm.sit@demo.test", environment="UIT", start=utcnow() - timedelta(hours=1, minutes=6))
    rm = as_user("rm.sit@demo.test")
    assert "1.10" in rm.get("/outages/availability").get_data(as_text=True)
    later = utcnow() + timedelta(minutes=30)
    monkeypatch.setattr(views, "utcnow", lambda: later)  # no write: only time has passed
    assert "1.60" in rm.get("/outages/availability").get_data(as_text=True)


def test_the_participants_region_shows_an_outage_logged_and_one_ended_by_time_on_the_very_next_page(app, as_user,
                                                                                                  monkeypatch):
    """The region of participants' own environments is kept per viewer (participants/views.board_region): a new
    outage is on the next page, another organisation never sees it, and it leaves when it ends, with no write."""
    from mhhs.participants import views as participant_views
    from tests.participants.factory import (
        OTHER_PARTICIPANT,
        make_environment,
        make_other_participant_user,
        make_participant_outage,
    )
    nothing = "No participant environment you may see is unavailable now or in the next 14 days."
    with app.app_context():
        make_environment("Northwold Energy")
        make_other_participant_user()
    dip = as_user("dip@demo.test")
    assert nothing in dip.get("/outages").text
    with app.app_context():
        ends = make_participant_outage().ends  # the outage alone: its environment was there already
    region = dip.get("/outages").text.split('id="participant-board-title"')[1]
    assert "Northwold Energy</a> Northwold SIT-A" in region and "unavailable now" in region
    assert nothing in as_user(OTHER_PARTICIPANT).get("/outages").text
    later = ends + timedelta(minutes=1)
    monkeypatch.setattr(views, "utcnow", lambda: later)
    monkeypatch.setattr(participant_views, "utcnow", lambda: later)
    assert nothing in dip.get("/outages").text


def test_the_health_region_shows_a_check_reported_on_the_very_next_page_with_each_viewers_own_links(app, as_user):
    """Today's checks under the board are kept per viewer (readiness/views.board_region): a report is on the next
    page; the link to log an outage from it is for those who report on the system alone."""
    from tests.readiness.factory import report
    supplier, dip = as_user("supplier@demo.test"), as_user("dip@demo.test")
    assert "Queue stuck" not in supplier.get("/outages").text
    with app.app_context():
        report(level="red", note="Queue stuck")
    seen = supplier.get("/outages").text
    assert "Queue stuck" in seen and "Log an outage" not in seen
    assert "Queue stuck" in dip.get("/outages").text and "Log an outage" in dip.get("/outages").text


def test_a_page_of_the_log_kept_per_viewer_moves_its_end_now_with_time_and_carries_each_sessions_token(
        app, as_user, monkeypatch):
    """A page of the log is kept per viewer and query string (views._log): the End now button of a planned outage
    comes when it starts and goes when it ends, with no write; two managers share the copy, each with their own CSRF
    token in its forms."""
    start = utcnow() + timedelta(hours=1)
    with app.app_context():
        make_outage("dip@demo.test", planned=True, category=Category.DATA_LOAD, start=start,
                    end=start + timedelta(hours=2), description="Gate closure load")
    sit, uit = as_user("rm.sit@demo.test"), as_user("rm.uit@demo.test")
    assert "Gate closure load" in sit.get("/outages").text and ">End now</button>" not in sit.get("/outages").text
    monkeypatch.setattr(views, "utcnow", lambda: start + timedelta(minutes=1))
    for manager in (sit, uit):
        page = manager.get("/outages").text
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        form = page.split('id="outage-rows"')[1].split(">End now</button>")[0]
        assert f'name="csrf_token" value="{token}"' in form
    monkeypatch.setattr(views, "utcnow", lambda: start + timedelta(hours=2, minutes=1))
    assert ">End now</button>" not in sit.get("/outages").text
