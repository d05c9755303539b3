"""Slots on the calendar, in the ICS feeds (a participant's feed has its own slots only) and on a participant's home
page ("my slots")."""
from sqlalchemy import select

from mhhs.directory.models import User
from mhhs.extensions import db
from mhhs.schedule.services import add_freeze, feed_token
from tests.allocation.factory import at, book, environment, make_participant, next_monday, user
from tests.helpers import feed_events


def _two_slots(app):
    with app.app_context():
        monday = next_monday()
        own = book([make_participant()], at(monday, 10), at(monday, 11))[0].id
        other = book([make_participant("Brightmeter Services")], at(monday, 14), at(monday, 15))[0].id
        return monday, own, other


def test_a_participants_feed_has_its_own_slots_only_and_a_managers_every_one(app, client):
    monday, own, other = _two_slots(app)
    with app.app_context():
        secrets = {email: feed_token(db.session.scalar(select(User).where(User.email == email)))
                   for email in ("supplier@demo.test", "rm.sit@demo.test")}
    mine = feed_events(client.get(f"/calendar/feed/{secrets['supplier@demo.test']}.ics"))
    assert f"slot-{own}@release-desk.mhhs" in mine and f"slot-{other}@release-desk.mhhs" not in mine
    summary = str(mine[f"slot-{own}@release-desk.mhhs"]["SUMMARY"])
    assert summary == "Slot on SIT-A: Northwold Energy (connectivity proving, allocated)"
    everyone = feed_events(client.get(f"/calendar/feed/{secrets['rm.sit@demo.test']}.ics"))
    assert {f"slot-{own}@release-desk.mhhs", f"slot-{other}@release-desk.mhhs"} <= set(everyone)


def test_slots_show_on_the_calendar_for_whom_they_concern(app, as_user):
    monday, _own, _other = _two_slots(app)
    url = f"/calendar?view=week&date={monday}"
    week = as_user("supplier@demo.test").get(url).get_data(as_text=True)
    assert "SIT-A: Northwold Energy, connectivity proving" in week and "SIT-A: Brightmeter Services" not in week
    week = as_user("rm.sit@demo.test").get(url).get_data(as_text=True)
    assert "SIT-A: Northwold Energy, connectivity proving" in week and "SIT-A: Brightmeter Services" in week


def test_my_slots_on_a_participants_home_page(app, as_user):
    """The card is kept rendered per organisation (home._kept): a slot booked since shows on the very next page,
    and only to the organisation it is booked for."""
    supplier = as_user("supplier@demo.test")
    assert "None to come" in supplier.get("/").get_data(as_text=True)  # kept from here
    _two_slots(app)
    home = supplier.get("/").get_data(as_text=True)
    assert "Your slots" in home and "1 to come" in home and "connectivity proving · allocated" in home
    assert "14:00" not in home.split('id="my-slots"')[1].split("</section>")[0]  # Brightmeter's slot


def test_a_slot_on_the_calendar_names_what_it_clashes_with_now(app, as_user):
    monday, _own, _other = _two_slots(app)
    with app.app_context():
        add_freeze(user(), environment().id, monday, monday, "Performance runs declared later")
    week = as_user("supplier@demo.test").get(f"/calendar?view=week&date={monday}").get_data(as_text=True)
    assert "Slot allocated · clash:" in week and "Performance runs declared later" in week
