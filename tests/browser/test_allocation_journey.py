"""Environment allocation in a real browser (issue 27): a participant requests a SIT-A testing slot and is refused
for want of a connectivity sign-off, then requests a connectivity-proving slot instead; the Release Manager approves
it in place; a second participant's request for the same time is waitlisted; the first slot is cancelled and the
waiting participant is offered it; both participants find their slot on their calendar and in their feed."""
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from mhhs.core.passwords import hash_password
from mhhs.core.permissions import Role
from mhhs.directory.models import User
from mhhs.extensions import db
from mhhs.schedule.services import feed_token
from tests.allocation.factory import make_participant, next_monday
from tests.helpers import log_out


def _request(page, day, purpose):
    page.goto("/allocation/slots")
    page.get_by_label("Environment").select_option("SIT-A")
    page.get_by_label("Purpose").select_option(purpose)
    page.get_by_label("Participants").select_option(index=0)
    page.get_by_label("Start (UK time)").fill(f"{day}T10:00")
    page.get_by_label("End (UK time)").fill(f"{day}T11:00")
    page.get_by_role("button", name="Request").click()


def _feed_summaries(app, live_server, page, email):
    with app.app_context():
        secret = feed_token(db.session.scalar(select(User).where(User.email == email)))
    body = page.request.get(f"{live_server}/calendar/feed/{secret}.ics").body()
    return [str(e["SUMMARY"]) for e in Calendar.from_ical(body).walk("VEVENT")]


def test_request_refused_then_proving_approved_waitlisted_and_offered(app, page, log_in, live_server):
    with app.app_context():
        make_participant()
        brightmeter = make_participant("Brightmeter Services")
        db.session.add(User(email="brightmeter@demo.test", name="Bea Marsh", role=Role.TEST_PARTICIPANT,
                            organisation_id=brightmeter.organisation_id, password_hash=hash_password("demo-pass")))
        db.session.commit()
        day = next_monday().isoformat()

    log_in("supplier@demo.test")
    _request(page, day, "Testing")
    expect(page.locator("#purpose-error")).to_contain_text("SIT-A: Step 1, PKI officers determined, is not done")
    expect(page.get_by_label("Start (UK time)")).to_have_value(f"{day}T10:00")  # nothing typed is lost
    page.get_by_label("Purpose").select_option("Connectivity proving")
    page.get_by_role("button", name="Request").click()
    expect(page.get_by_text("Slot requested: a Release Manager decides.")).to_be_visible()
    log_out(page)

    log_in("rm.sit@demo.test")
    page.goto("/allocation/requests")
    row = page.locator("tr", has_text="Northwold Energy")
    row.get_by_role("button", name="Approve").click()
    expect(page.locator("tr", has_text="Northwold Energy")).to_contain_text("Allocated")  # in place
    log_out(page)

    log_in("brightmeter@demo.test")
    _request(page, day, "Connectivity proving")
    expect(page.get_by_text("Slot on the waitlist")).to_be_visible()
    log_out(page)

    log_in("rm.sit@demo.test")
    page.goto("/allocation/slots")
    page.locator("tr", has_text="Northwold Energy").get_by_role("button", name="Cancel").click()
    page.locator("dialog[open]").get_by_role("button", name="Cancel the slot").click()
    expect(page.get_by_text("Offered to Brightmeter Services from the waitlist.")).to_be_visible()
    log_out(page)

    log_in("brightmeter@demo.test")
    page.goto("/allocation/slots")
    row = page.locator("tr", has_text="Brightmeter Services")
    expect(row).to_contain_text("Offered")
    row.get_by_role("button", name="Take it").click()
    expect(page.get_by_text("Slot taken: it is yours.")).to_be_visible()
    page.goto(f"/calendar?view=week&date={day}")
    expect(page.locator("#calendar")).to_contain_text("SIT-A: Brightmeter Services, connectivity proving")
    assert "Slot on SIT-A: Brightmeter Services (connectivity proving, allocated)" in _feed_summaries(
        app, live_server, page, "brightmeter@demo.test")
    feed = _feed_summaries(app, live_server, page, "supplier@demo.test")
    assert "Cancelled: Slot on SIT-A: Northwold Energy (connectivity proving, cancelled)" in feed
    assert not any("Brightmeter" in summary for summary in feed)  # a participant's feed: its own slots only
