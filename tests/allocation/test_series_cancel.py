"""Cancelling the rest of a weekday series at once: only the occurrences not yet started, in one transaction, each
participant's users told once (not once per occurrence), and each freed time offered to the waitlist as a single
cancellation's is."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from mhhs.allocation import services
from mhhs.allocation.models import Slot, SlotStatus
from mhhs.core.services import Refused
from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from tests.allocation.factory import at, book, make_participant, next_monday, user
from tests.participants.factory import OTHER_PARTICIPANT, make_other_participant_user


def _told(email):
    return db.session.scalars(select(OutboxMessage.subject).where(
        OutboxMessage.kind == "notify:slot", OutboxMessage.recipients == email).order_by(OutboxMessage.id)).all()


def _statuses(series_id):
    return [s.status for s in db.session.scalars(select(Slot).where(Slot.series_id == series_id).order_by(Slot.start))]


@pytest.fixture
def monday(ctx):
    return next_monday()


def test_the_rest_of_a_series_is_cancelled_the_past_stands_and_each_participant_is_told_once(monday):
    northwold = make_participant()
    make_other_participant_user()
    brightmeter = make_participant("Brightmeter Services")
    series = book([northwold], at(monday, 10), at(monday, 12), repeat_until=monday + timedelta(days=4))
    thursday = monday + timedelta(days=3)
    waiting = book([brightmeter], at(thursday, 10), at(thursday, 11), by=OTHER_PARTICIPANT)[0]
    assert waiting.status == SlotStatus.WAITING
    told_before = len(_told("supplier@demo.test"))
    # Wednesday 11:00: Monday and Tuesday are past, Wednesday's is under way; Thursday and Friday are to come.
    cancelled, offered = services.cancel_rest_of_series(user(), series[0], "Stage moved",
                                                        now=at(monday + timedelta(days=2), 11))
    assert [s.start for s in cancelled] == [at(thursday, 10), at(monday + timedelta(days=4), 10)]
    assert _statuses(series[0].series_id) == [SlotStatus.ALLOCATED] * 3 + [SlotStatus.CANCELLED] * 2
    # One message for the lot, naming how many and until when; not one per occurrence.
    told = _told("supplier@demo.test")[told_before:]
    assert len(told) == 1 and told[0].startswith("2 slots cancelled: SIT-A") and "Fri" in told[0]
    # Thursday's freed time goes to the waiting request, which is told.
    assert offered == [waiting] and db.session.get(Slot, waiting.id).status == SlotStatus.OFFERED
    assert any("offered from the waitlist" in subject for subject in _told(OTHER_PARTICIPANT))


def test_a_participant_cannot_cancel_an_allocated_series_and_nothing_changes(monday):
    northwold = make_participant()
    series = book([northwold], at(monday, 10), at(monday, 12), repeat_until=monday + timedelta(days=4))
    with pytest.raises(Refused):
        services.cancel_rest_of_series(user("supplier@demo.test"), series[0], now=at(monday, 8))
    assert _statuses(series[0].series_id) == [SlotStatus.ALLOCATED] * 5


def test_a_slot_outside_a_series_is_refused(monday):
    single = book([make_participant()], at(monday, 10), at(monday, 12))[0]
    with pytest.raises(Refused, match="not part of a series"):
        services.cancel_rest_of_series(user(), single)


def test_the_slots_page_offers_the_series_cancel_once_and_it_cancels_the_rest(app, as_user):
    with app.app_context():
        monday = next_monday()
        series = book([make_participant()], at(monday, 10), at(monday, 12), repeat_until=monday + timedelta(days=4))
        first, series_id = series[0].id, series[0].series_id
    manager = as_user("rm.sit@demo.test")
    page = manager.get("/allocation/slots").get_data(as_text=True)
    assert page.count(">Cancel the rest of the series<") == 1
    response = manager.post(f"/allocation/slots/{first}/cancel-series", {"reason": ""})
    assert response.status_code == 303
    assert "5 slots of the series cancelled" in manager.get("/allocation/slots").get_data(as_text=True)
    with app.app_context():
        assert _statuses(series_id) == [SlotStatus.CANCELLED] * 5
