"""After the review of the merged app: "Place in tranche" lists only who may be placed, and the timeline shows a Test
Participant another organisation's held slots as "Held" (no name, no purpose) and not its requests."""
import re
from datetime import date, timedelta

from sqlalchemy import select

from mhhs.allocation.models import SlotStatus
from mhhs.core.permissions import Role
from mhhs.directory.models import User
from mhhs.extensions import db
from mhhs.participants.models import Route, Tranche
from tests.allocation.factory import at, book, environment, make_participant, next_monday


def text(response):
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_place_in_tranche_lists_only_participants_that_may_be_placed(app, as_user):
    with app.app_context():
        make_participant("Northwold Energy", route=Route.SIT)
        fenland = make_participant("Fenland Networks", route=Route.QUALIFICATION)
        make_participant("Brightmeter Services", route=Route.QUALIFICATION)
        tranche = Tranche(route=Route.QUALIFICATION, name="Qualification tranche 1",
                          environment_id=environment("UIT").id, first_day=date(2030, 1, 1), last_day=date(2030, 2, 1))
        db.session.add(tranche)
        db.session.flush()
        fenland.qualification_tranche_id = tranche.id
        db.session.commit()
    page = text(as_user("rm.sit@demo.test").get("/allocation/tranches"))
    select_html = re.search(r'<select[^>]*name="t\d+-participant_id".*?</select>', page).group(0)
    assert "Brightmeter Services" in select_html
    assert "Fenland Networks" not in select_html and "Northwold Energy" not in select_html
    assert "<h2>Qualification tranche 1</h2>" in page


def test_the_timeline_shows_a_test_participant_others_held_slots_without_names_and_not_their_requests(app, as_user):
    monday = next_monday()
    with app.app_context():
        northwold, brightmeter = make_participant(), make_participant("Brightmeter Services")
        book([northwold], at(monday, 9), at(monday, 10))
        held = book([brightmeter], at(monday, 13), at(monday, 14))[0]
        asker = User(email="pat@brightmeter.test", name="Pat Tester", role=Role.TEST_PARTICIPANT,
                     organisation_id=brightmeter.organisation_id, password_hash="x")
        db.session.add(asker)
        db.session.commit()
        asked = book([brightmeter], at(monday + timedelta(days=1), 15),
                     at(monday + timedelta(days=1), 16), by=asker)[0]
        assert held.status == SlotStatus.ALLOCATED and asked.status == SlotStatus.REQUESTED
        assert db.session.scalar(select(User).where(User.email == "supplier@demo.test")) is not None
    url = f"/allocation/timeline?view=week&day={monday.isoformat()}"
    mine = text(as_user("supplier@demo.test").get(url))
    assert "Northwold Energy: connectivity proving" in mine
    assert "Brightmeter" not in mine
    assert mine.count("<li>Held, ") == 1  # the allocated one; the request not at all
    assert "Brightmeter Services: " in text(as_user("rm.sit@demo.test").get(url))
