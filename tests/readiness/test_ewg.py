"""The EWG's monthly review (EAP §4.3, §6.1, §12.1.1): the first-Tuesday rule, the agenda built from the open items
and frozen when sent, actions refused without owner or due day, minutes, and conditions and actions on their
owners' home pages until done."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mhhs.core.services import Invalid, Refused
from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from mhhs.readiness import ewg
from mhhs.readiness.models import EwgAction, EwgMeeting
from mhhs.readiness.owned import today
from tests.helpers import pdf_pages
from tests.readiness.decisions_factory import condition, ewg_list, make_decision, make_meeting, user


@pytest.mark.parametrize("year, month, expected", [
    (2026, 12, date(2026, 12, 1)),  # the 1st is a Tuesday: that day
    (2026, 11, date(2026, 11, 3)),  # the 1st is a Sunday
    (2027, 1, date(2027, 1, 5)),  # the 1st is a Friday (New Year's Day)
    (2026, 9, date(2026, 9, 1)),  # the 1st is a Tuesday again
    (2027, 6, date(2027, 6, 1)),
    (2027, 2, date(2027, 2, 2)),  # the 1st is a Monday
    (2026, 7, date(2026, 7, 7)),  # the 1st is a Wednesday: the latest a first Tuesday can be
    # New Year's Day on a Tuesday is a bank holiday: the meeting moves to the next business day, the Wednesday.
    (2030, 1, date(2030, 1, 2)),
    (2019, 1, date(2019, 1, 2)),
])
def test_the_meeting_is_on_the_first_tuesday_or_the_next_business_day(year, month, expected):
    assert ewg.meeting_day(year, month) == expected
    assert ewg.first_tuesday(year, month).weekday() == 1 and ewg.first_tuesday(year, month).day <= 7


def test_generating_makes_this_and_next_months_meetings_once_with_the_chair_carried_over(app, ctx):
    first = ewg.generate(date(2026, 11, 20))
    assert [(m.month, m.held_on) for m in first] == [(date(2026, 11, 1), date(2026, 11, 3)),
                                                     (date(2026, 12, 1), date(2026, 12, 1))]
    first[1].chair_id = user().id
    db.session.commit()
    assert ewg.generate(date(2026, 11, 25)) == []
    again = ewg.generate(date(2026, 12, 2))
    assert [(m.held_on, m.chair_id) for m in again] == [(date(2027, 1, 5), user().id)]


def test_the_cli_generates_the_meetings(app):
    result = app.test_cli_runner().invoke(args=["readiness", "ewg-generate"])
    assert result.exit_code == 0 and result.output.count("Added the EWG") == 2
    assert "already there" in app.test_cli_runner().invoke(args=["readiness", "ewg-generate"]).output


def _items(meeting):
    return [i["text"] for s in ewg.agenda(meeting) for i in s["items"]]


def test_the_agenda_lists_open_conditions_and_overdue_actions_and_is_frozen_when_sent(app, ctx):
    decision = make_decision()
    meeting = make_meeting(today() + timedelta(days=40))  # next month's and the one after
    assert any("Prove the DIP alert — Avanade" in text for text in _items(meeting))
    # An overdue action of an earlier meeting comes up too.
    earlier = EwgMeeting(month=date(2026, 1, 1), held_on=date(2026, 1, 6), dropped_items=[], extra_items="")
    db.session.add(earlier)
    db.session.flush()
    db.session.add(EwgAction(meeting_id=earlier.id, text="Renew the SIT-B certificates", due_on=date(2026, 2, 1),
                             owner_user_id=user().id, created_by_id=user().id))
    db.session.commit()
    assert any(t.startswith("Renew the SIT-B certificates") for t in _items(meeting))
    # The chair leaves an item off and adds one.
    key = next(i["key"] for s in ewg.agenda(meeting) for i in s["items"] if i["text"].startswith("Renew"))
    ewg.save_meeting(user(), meeting, {"held_on": meeting.held_on, "moved_reason": "", "chair_id": user().id,
                                       "extra_items": "Lessons from the DIP drill"}, [key])
    assert not any(t.startswith("Renew") for t in _items(meeting)) and "Lessons from the DIP drill" in _items(meeting)
    ewg_list()
    ewg.send_agenda(user(), meeting)
    sent = _items(meeting)
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "ewg_agenda")).all()
    assert len(messages) == 2 and messages[0].attachment_name.startswith("ewg-agenda-")
    # Later items do not change the agenda sent.
    make_decision(conditions=[condition(text="A later condition")])
    assert _items(meeting) == sent
    with pytest.raises(Refused):
        ewg.save_meeting(user(), meeting, {"held_on": meeting.held_on, "moved_reason": "", "chair_id": None,
                                           "extra_items": "Another item"}, [key])
    assert decision.id


@pytest.mark.parametrize("values, field, words", [
    ({"owner": ""}, "owner", "Choose who owns it"),
    ({"due_on": None}, "due_on", "Enter the day it is due."),
    ({"due_on": date(2020, 1, 1)}, "due_on", "The due day has passed"),
    ({"text": " "}, "text", "Say what is to be done."),
], ids=["no owner", "no due day", "past due day", "no text"])
def test_an_action_is_refused_without_owner_or_due_day_and_nothing_is_stored(app, ctx, values, field, words):
    meeting = make_meeting()
    with pytest.raises(Invalid) as refused:
        ewg.add_action(user(), meeting, {**condition(text="Load test data"), **values})
    assert words in refused.value.problems[field]
    assert db.session.scalar(select(func.count()).select_from(EwgAction)) == 0


def test_moving_a_meeting_needs_a_reason(app, ctx):
    meeting = make_meeting(today() + timedelta(days=40))
    moved = {"held_on": meeting.held_on + timedelta(days=1), "moved_reason": "", "chair_id": None, "extra_items": ""}
    with pytest.raises(Invalid) as refused:
        ewg.save_meeting(user(), meeting, moved, [])
    assert "Say why the meeting is not on the month's first Tuesday." == refused.value.problems["moved_reason"]
    ewg.save_meeting(user(), meeting, {**moved, "moved_reason": "Clashes with the SIT-B cut-over"}, [])
    assert meeting.held_on.weekday() == 2


def test_minutes_follow_the_meeting_and_are_kept_as_sent(app, as_user):
    with app.app_context():
        ahead, past = make_meeting(today() + timedelta(days=40)), make_meeting(today() - timedelta(days=70))
        ahead_id, past_id = ahead.id, past.id
        with pytest.raises(Refused, match="The minutes follow the meeting"):
            ewg.save_minutes(user(), ahead, "Too early")
        ewg.save_minutes(user(), past, "SIT-A proving reviewed; DIP monitoring to prove again.")
        ewg.add_action(user(), past, condition(text="Prove the DIP alert again"))
        ewg_list()
        ewg.send_minutes(user(), past)
        with pytest.raises(Refused, match="they stay as sent"):
            ewg.save_minutes(user(), past, "Changed afterwards")
    manager = as_user("rm.sit@demo.test")
    _, pages = pdf_pages(manager.get(f"/readiness/ewg/{past_id}/minutes.pdf"))
    text = " ".join(" ".join(pages).split())
    assert "DIP monitoring to prove again" in text and "Prove the DIP alert again" in text and "Page 1 of" in text
    assert manager.get(f"/readiness/ewg/{ahead_id}/minutes.pdf").status_code == 404


def test_conditions_and_actions_show_on_their_owners_home_pages_until_done(app, as_user):
    with app.app_context():
        make_decision(conditions=[condition(text="Prove the DIP alert", owner="organisation:Avanade")])
        meeting = make_meeting()
        action = ewg.add_action(user(), meeting, condition(text="Load the MPRS test data",
                                                           owner="user:mprs@demo.test"))
        action_id = action.id
    dip, mprs, supplier = as_user("dip@demo.test"), as_user("mprs@demo.test"), as_user("supplier@demo.test")
    assert "Prove the DIP alert" in dip.get("/").get_data(as_text=True)  # Avanade's, so its users'
    assert "Load the MPRS test data" not in dip.get("/").get_data(as_text=True)
    home = mprs.get("/").get_data(as_text=True)
    assert "Your conditions and EWG actions" in home and "Load the MPRS test data" in home
    assert "Prove the DIP alert" not in home
    assert "Your conditions and EWG actions" not in supplier.get("/").get_data(as_text=True)
    # Someone else may not mark it done (as if it were not there); its owner does, from the home page.
    assert dip.post(f"/readiness/actions/{action_id}/done").status_code == 404
    response = mprs.post(f"/readiness/actions/{action_id}/done", {"back": "home", "done_note": "Loaded"})
    assert response.status_code == 303 and response.location.endswith("/")
    assert "Load the MPRS test data" not in mprs.get("/").get_data(as_text=True)
    assert mprs.post(f"/readiness/actions/{action_id}/done").status_code == 404  # done once


def test_the_meeting_list_costs_the_same_queries_at_two_sizes(app, as_user, count_queries):
    viewer = as_user("dip@demo.test")
    with app.app_context():
        make_meeting(date(2026, 1, 10))
    viewer.get("/readiness/ewg")
    with count_queries() as few:
        assert viewer.get("/readiness/ewg").status_code == 200
    with app.app_context():
        for month in range(3, 12, 2):
            meeting = make_meeting(date(2026, month, 10))
            ewg.add_action(user(), meeting, condition())
    with count_queries() as many:
        assert viewer.get("/readiness/ewg").status_code == 200
    assert many.count == few.count


def test_an_agenda_the_ewg_list_cannot_receive_is_not_frozen(app, as_user):
    with app.app_context():
        meeting_id = make_meeting(today() + timedelta(days=40)).id
        ewg_list("supplier@demo.test")  # a Test Participant only: not sent to
        db.session.commit()
    manager = as_user("rm.sit@demo.test")
    response = manager.post(f"/readiness/ewg/{meeting_id}/agenda/send")
    assert response.status_code == 303
    with app.app_context():
        meeting = db.session.get(EwgMeeting, meeting_id)
        assert meeting.agenda_sent is None and meeting.agenda_sent_at is None
    page = manager.get(f"/readiness/ewg/{meeting_id}").get_data(as_text=True)
    assert "The EWG distribution list has no active Release Manager or Central Party" in page
    assert "Send the agenda to the EWG list" in page


def test_the_chair_leaves_items_off_through_the_page_and_the_meeting_is_on_the_calendar(app, as_user):
    with app.app_context():
        make_decision(conditions=[condition(text="Prove the DIP alert"), condition(text="Load the MPRS data")])
        meeting = make_meeting(today() + timedelta(days=40))
        meeting_id, held_on = meeting.id, meeting.held_on
        keys = {i["text"].split(": ", 1)[1].split(" —")[0]: i["key"] for s in ewg.agenda(meeting) for i in s["items"]
                if i["key"].startswith("condition:")}
    manager = as_user("rm.sit@demo.test")
    response = manager.post(f"/readiness/ewg/{meeting_id}/edit", {
        "held_on": held_on.isoformat(), "moved_reason": "", "chair_id": "", "extra_items": "Any other business\r\n",
        "offered": list(keys.values()), "kept": [keys["Prove the DIP alert"]]})
    assert response.status_code == 303
    page = manager.get(f"/readiness/ewg/{meeting_id}").get_data(as_text=True)
    agenda = page.split("<h2>Agenda</h2>")[1].split("<h2>")[0]
    assert "Prove the DIP alert" in agenda and "Load the MPRS data" not in agenda and "Any other business" in agenda
    calendar = manager.get(f"/calendar?view=month&date={held_on:%Y-%m}").get_data(as_text=True)
    assert "Environment Working Group monthly review" in calendar


def test_a_meeting_s_agenda_holds_nothing_of_the_days_after_it(ctx):
    from tests.readiness.factory import report
    meeting = make_meeting(today() - timedelta(days=40))  # held last month or the month before
    make_decision()  # today: after the meeting
    report(level="red", note="Queue stuck")  # today's red check: after the meeting
    texts = " ".join(i["text"] for s in ewg.agenda(meeting) for i in s["items"])
    assert "Prove the DIP alert" not in texts and "Queue stuck" not in texts
    upcoming = make_meeting(today() + timedelta(days=40))
    texts = " ".join(i["text"] for s in ewg.agenda(upcoming) for i in s["items"])
    assert "Prove the DIP alert" in texts and "Queue stuck" in texts  # the next one's, since the last one's day
