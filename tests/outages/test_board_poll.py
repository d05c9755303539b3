"""The board's poll answered from the stored change counters: an unchanged board costs no outage read, and a change
made elsewhere (another worker), or an outage starting or ending, is seen at the next poll."""
from datetime import timedelta

from sqlalchemy import insert, select

from mhhs.core import changes
from mhhs.core.time import utcnow
from mhhs.directory.models import Environment, User
from mhhs.extensions import db
from mhhs.outages import views
from mhhs.outages.models import Category, Outage
from tests.outages.factory import make_outage

HTMX = {"HX-Request": "true"}


def poll(client, etag=None):
    headers = {**HTMX, **({"If-None-Match": etag} if etag else {})}
    return client.http.get("/outages/board", headers=headers, buffered=True)


def test_an_unchanged_poll_reads_no_outage(app, as_user, count_queries):
    with app.app_context():
        make_outage("dip@demo.test")
    tp = as_user("supplier@demo.test")
    etag = poll(tp).headers["ETag"].strip('"')
    with count_queries() as counted:
        again = poll(tp, etag)
    assert again.status_code == 304
    assert counted.count <= 3  # the session's user and the stored counters (SQLite adds its BEGIN)


def test_a_change_made_by_another_worker_is_seen_at_the_next_poll(app, as_user):
    tp = as_user("supplier@demo.test")
    etag = poll(tp).headers["ETag"].strip('"')
    assert poll(tp, etag).status_code == 304
    with app.app_context():  # as another process would: its rows and its counter, nothing this process's ORM saw
        reporter = db.session.scalar(select(User).where(User.email == "dip@demo.test"))
        sit_a = db.session.scalar(select(Environment.id).where(Environment.name == "SIT-A"))
        now = utcnow()
        db.session.execute(insert(Outage).values(
            environment_id=sit_a, organisation_id=reporter.organisation_id, planned=False,
            category=Category.SOFTWARE_FAILURE, start=now - timedelta(hours=1), end=None, description="Elsewhere",
            impact="", defect_reference="", root_cause="", reported_by_id=reporter.id,
            reporter_organisation_id=reporter.organisation_id, created_at=now, row_version=1))
        changes.bump(changes.OUTAGES)  # what another worker's flush of an outage does
        db.session.commit()
    changed = poll(tp, etag)
    assert changed.status_code == 200 and 'class="ongoing"' in changed.get_data(as_text=True)
    assert changed.headers["ETag"].strip('"') != etag


def test_a_planned_outage_starting_changes_the_board_without_any_write(app, as_user, monkeypatch):
    start = utcnow() + timedelta(hours=1)
    with app.app_context():
        make_outage("rm.sit@demo.test", planned=True, category=Category.DATA_LOAD, start=start,
                    end=start + timedelta(hours=4))
    tp = as_user("supplier@demo.test")
    first = poll(tp)
    etag = first.headers["ETag"].strip('"')
    assert "Next planned" in first.get_data(as_text=True) and 'class="ongoing"' not in first.get_data(as_text=True)
    assert poll(tp, etag).status_code == 304
    monkeypatch.setattr(views, "utcnow", lambda: start + timedelta(minutes=1))
    after = poll(tp, etag)
    assert after.status_code == 200 and 'class="ongoing"' in after.get_data(as_text=True)


def test_an_unchanged_poll_of_an_ended_session_gets_no_304(app, as_user):
    """The 304 is answered before the user is loaded, yet only to a live session: once the user has logged out
    elsewhere (a new session token), or been deactivated, the same poll is sent to log in."""
    for end in ("logout", "deactivate"):
        tp = as_user("supplier@demo.test")
        etag = poll(tp).headers["ETag"].strip('"')
        assert poll(tp, etag).status_code == 304
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == "supplier@demo.test"))
            if end == "logout":
                user.end_sessions()
            else:
                user.active = False
            db.session.commit()
        refused = poll(tp, etag)
        assert refused.status_code != 304 and "ETag" not in refused.headers
        assert "login" in refused.headers.get("HX-Redirect", refused.headers.get("Location", ""))
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == "supplier@demo.test"))
            user.active = True
            db.session.commit()


def test_an_unchanged_poll_from_another_browser_gets_no_304(as_user):
    """Session protection holds for the early answer too: the cookie replayed from another browser is cleared."""
    tp = as_user("supplier@demo.test")
    etag = poll(tp).headers["ETag"].strip('"')
    stolen = tp.http.get("/outages/board", headers={**HTMX, "If-None-Match": etag, "User-Agent": "Elsewhere/1.0"})
    assert stolen.status_code != 304 and "ETag" not in stolen.headers
    assert poll(tp, etag).status_code != 304  # the session itself has ended
