"""The allocation's rules, table by table: the clash rule (each source, and a series' occurrences), the notice, the
quality gate, the waitlist offer, stage exclusivity, tranches, and what bad input is refused with (by the field,
nothing stored half)."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mhhs.allocation import rules, services
from mhhs.allocation.models import Purpose, Slot, SlotSeries, SlotStatus, TestPhase
from mhhs.core.services import Invalid, Refused
from mhhs.core.time import utcnow
from mhhs.extensions import db
from mhhs.mail.models import OutboxMessage
from mhhs.participants.models import Route
from mhhs.rfcs.numbers import rfc_number
from mhhs.schedule.services import add_freeze
from tests.allocation.factory import at, book, environment, make_participant, next_monday, sign_off, unavailable, user
from tests.outages.factory import make_outage
from tests.rfcs.factory import approve, make_rfc


def _clashes(start, end, participants=(), phase_id=None, name="SIT-A"):
    return rules.clashes([rules.Want(0, environment(name), start, end, phase_id, tuple(p.id for p in participants))])[0]


def _kinds(found):
    return sorted(c.kind for c in found)


@pytest.fixture
def monday(ctx):
    return next_monday()


def test_a_free_time_clashes_with_nothing(monday):
    assert _clashes(at(monday, 10), at(monday, 12)) == []


def test_an_exclusive_stage_clashes_unless_the_slot_is_part_of_it(monday):
    stage = services.add_stage(user(), "SIT Migration", environment().id, monday, monday + timedelta(days=4),
                               exclusive=True)
    found = _clashes(at(monday, 10), at(monday, 12))
    assert _kinds(found) == ["stage"] and "SIT Migration runs alone on SIT-A" in found[0].text
    assert found[0].endpoint == "schedule.test_plan"
    assert _clashes(at(monday, 10), at(monday, 12), phase_id=stage.id) == []
    # Another environment is not held by it.
    assert [c for c in _clashes(at(monday, 10), at(monday, 12), name="SIT-B") if c.kind == "stage"] == []


def test_a_stage_allowed_to_overlap_lets_the_other_stages_slots_through(monday):
    first = services.add_stage(user(), "SIT Functional", environment().id, monday, monday + timedelta(days=4),
                               exclusive=True)
    second = services.add_stage(user(), "SIT Migration", environment().id, monday, monday + timedelta(days=4),
                                exclusive=True, may_overlap=True, overlap_reason="Migration runs on its own data")
    assert _clashes(at(monday, 10), at(monday, 12), phase_id=second.id) == []
    assert _clashes(at(monday, 10), at(monday, 12), phase_id=first.id) == []


def test_a_slot_holding_the_environment_clashes(monday):
    northwold = make_participant()
    book([northwold], at(monday, 10), at(monday, 12))
    found = _clashes(at(monday, 11), at(monday, 13))
    assert _kinds(found) == ["slot"] and "SIT-A is held by Northwold Energy for connectivity proving" in found[0].text
    assert found[0].endpoint == "allocation.timeline"
    assert _clashes(at(monday, 12), at(monday, 13)) == []  # back to back is no clash


def test_a_deployment_window_approved_or_pending_clashes(monday):
    pending = make_rfc(window_start=at(monday, 10), window_end=at(monday, 11))
    found = _clashes(at(monday, 9), at(monday, 12))
    # It clashes, but unnamed and unlinked: a slot's clashes reach Test Participants and the API, and a pending RFC
    # is its organisation's and the Release Managers' to know of (SPEC §2).
    assert _kinds(found) == ["window"] and found[0].endpoint is None and found[0].args == {}
    assert found[0].text == f"a deployment window not yet approved, {monday:%d %b %Y} 10:00–11:00"
    assert rfc_number(pending) not in found[0].text
    approve(pending, "rm.sit@demo.test")
    found = _clashes(at(monday, 9), at(monday, 12))
    assert _kinds(found) == ["window"] and rfc_number(pending) in found[0].text and found[0].args == {"rfc_id": pending}


def test_a_planned_outage_of_the_environment_clashes(monday):
    make_outage("dip@demo.test", planned=True, start=at(monday, 10), end=at(monday, 11))
    found = _clashes(at(monday, 9), at(monday, 12))
    assert _kinds(found) == ["outage"] and found[0].endpoint == "outages.detail"


def test_a_freeze_clashes(monday):
    add_freeze(user(), environment().id, monday, monday, "Performance runs")
    found = _clashes(at(monday, 10), at(monday, 12))
    assert _kinds(found) == ["freeze"] and "Performance runs" in found[0].text


def test_the_central_systems_support_hours_bound_a_slot(monday):
    found = _clashes(at(monday, 7), at(monday, 8))
    assert "support hours" in _kinds(found) and "outside" in found[0].text
    saturday = monday + timedelta(days=5)
    assert "support hours" in _kinds(_clashes(at(saturday, 10), at(saturday, 12)))


def test_the_participants_own_environment_unavailable_clashes(monday):
    northwold = make_participant()
    unavailable(northwold, at(monday, 9), at(monday, 11))
    found = _clashes(at(monday, 10), at(monday, 12), [northwold])
    assert _kinds(found) == ["unavailable"] and "Northwold Energy's NWE test 1 is unavailable" in found[0].text
    # Linked, as every clash is, to where its outage is shown: the participant's page, at its unavailability.
    assert (found[0].endpoint, found[0].args) == ("participants.participant",
                                                  {"participant_id": northwold.id, "_anchor": "outages-title"})
    assert _clashes(at(monday, 11), at(monday, 12), [northwold]) == []


def test_every_occurrence_of_a_series_is_checked_and_named(monday):
    add_freeze(user(), environment().id, monday + timedelta(days=2), monday + timedelta(days=2), "Wednesday runs")
    northwold = make_participant()
    with pytest.raises(Refused) as refused:
        book([northwold], at(monday, 10), at(monday, 12), repeat_until=monday + timedelta(days=4))
    assert refused.value.field == "start" and "Wed" in str(refused.value) and "Wednesday runs" in str(refused.value)
    # Nothing of the series is stored.
    assert db.session.scalar(select(func.count()).select_from(Slot)) == 0
    assert db.session.scalar(select(func.count()).select_from(SlotSeries)) == 0


def test_a_series_is_stored_whole_on_weekdays_and_an_occurrence_moves_or_cancels_alone(monday):
    northwold = make_participant()
    slots = book([northwold], at(monday, 10), at(monday, 12), repeat_until=monday + timedelta(days=8))
    assert [s.start for s in slots] == [at(monday + timedelta(days=d), 10) for d in (0, 1, 2, 3, 4, 7, 8)]
    assert len({s.series_id for s in slots}) == 1
    services.move(user(), slots[1], at(monday + timedelta(days=1), 13), at(monday + timedelta(days=1), 14))
    services.cancel(user(), slots[2])
    statuses = [(s.start, s.status) for s in db.session.scalars(select(Slot).order_by(Slot.id))]
    assert statuses[1] == (at(monday + timedelta(days=1), 13), SlotStatus.ALLOCATED)
    assert statuses[2][1] == SlotStatus.CANCELLED and statuses[3][1] == SlotStatus.ALLOCATED


def test_a_series_of_more_than_a_year_is_refused_by_its_field(monday):
    with pytest.raises(Invalid) as refused:
        book([make_participant()], at(monday, 10), at(monday, 12), repeat_until=monday + timedelta(days=366))
    assert "at most a year" in refused.value.problems["repeat_until"]
    assert db.session.scalar(select(func.count()).select_from(Slot)) == 0


@pytest.mark.parametrize("days_ahead, refused", [(0, True), (1, True), (5, False)])
def test_notice_in_business_days(ctx, days_ahead, refused):
    now = at(date(2030, 1, 7), 9)  # a Monday
    start = at(date(2030, 1, 7) + timedelta(days=days_ahead), 10)
    assert (rules.notice_problem(start, now) is not None) == refused


def test_notice_is_data(ctx):
    now = at(date(2030, 1, 7), 9)
    services.set_notice(user(), 5)
    assert "5 business days' notice" in rules.notice_problem(at(date(2030, 1, 11), 10), now)
    assert rules.notice_problem(at(date(2030, 1, 14), 10), now) is None


def test_short_notice_is_refused_by_the_start_field(ctx):
    with pytest.raises(Invalid) as refused:
        book([make_participant()], utcnow() + timedelta(hours=2), utcnow() + timedelta(hours=3))
    assert "business days' notice" in refused.value.problems["start"]


@pytest.mark.parametrize("purpose, refused", [(Purpose.TESTING, True), (Purpose.RETEST, True),
                                              (Purpose.CONNECTIVITY, False), (Purpose.DATA_LOAD, False)])
def test_the_quality_gate_refuses_testing_without_sign_off_naming_the_open_step(monday, purpose, refused):
    northwold = make_participant()
    if refused:
        with pytest.raises(Invalid) as problem:
            book([northwold], at(monday, 10), at(monday, 12), purpose=purpose)
        assert "SIT-A: Step 1, PKI officers determined, is not done" in problem.value.problems["purpose"]
    else:
        assert book([northwold], at(monday, 10), at(monday, 12), purpose=purpose)


def test_signed_off_connectivity_opens_the_gate(monday):
    northwold = make_participant()
    sign_off(northwold)
    assert book([northwold], at(monday, 10), at(monday, 12), purpose=Purpose.TESTING)[0].status == SlotStatus.ALLOCATED


def test_end_before_start_is_refused_by_the_end_field(monday):
    with pytest.raises(Invalid) as refused:
        book([make_participant()], at(monday, 12), at(monday, 10))
    assert refused.value.problems["end"] == "The end must be after the start."


def test_a_request_for_held_time_waits_and_is_offered_when_the_slot_is_cancelled(monday):
    northwold, brightmeter = make_participant(), make_participant("Brightmeter Services")
    held = book([northwold], at(monday, 10), at(monday, 12))[0]
    waiting = book([brightmeter], at(monday, 10), at(monday, 11), by=_participant_user(brightmeter))[0]
    assert waiting.status == SlotStatus.WAITING
    later = book([brightmeter], at(monday, 11), at(monday, 12), by=_participant_user(brightmeter))[0]
    assert later.status == SlotStatus.WAITING
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    offered = services.cancel(user(), held, "Not needed")
    assert offered.id == waiting.id and waiting.status == SlotStatus.OFFERED
    assert later.status == SlotStatus.WAITING  # the first waiting request is offered, the next still waits
    told = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()[before:]
    subjects = [m.subject for m in told if m.recipients == _participant_user(brightmeter).email]
    assert any(s.startswith("Slot offered from the waitlist: SIT-A") for s in subjects), [m.subject for m in told]
    services.accept_offer(_participant_user(brightmeter), waiting)
    assert waiting.status == SlotStatus.ALLOCATED


def test_a_request_refused_by_a_standing_rule_does_not_wait(monday):
    brightmeter = make_participant("Brightmeter Services")
    add_freeze(user(), environment().id, monday, monday, "Performance runs")
    with pytest.raises(Refused) as refused:
        book([brightmeter], at(monday, 10), at(monday, 11), by=_participant_user(brightmeter))
    assert "Performance runs" in str(refused.value)


def _participant_user(participant):
    from mhhs.directory.models import User
    found = db.session.scalar(select(User).where(User.organisation_id == participant.organisation_id))
    if found is None:
        from mhhs.core.permissions import Role
        found = User(email=f"{participant.id}@participant.test", name="Pat Tester", role=Role.TEST_PARTICIPANT,
                     organisation_id=participant.organisation_id, password_hash="x")
        db.session.add(found)
        db.session.commit()
    return found


def test_a_participant_requests_for_itself_only(monday):
    northwold, brightmeter = make_participant(), make_participant("Brightmeter Services")
    with pytest.raises(Refused):
        book([brightmeter], at(monday, 10), at(monday, 11), by="supplier@demo.test")
    assert book([northwold], at(monday, 10), at(monday, 11), by="supplier@demo.test")[0].status == SlotStatus.REQUESTED


def test_overlapping_exclusive_stages_are_refused_unless_recorded_with_a_reason(ctx):
    first = date(2030, 3, 4)
    services.add_stage(user(), "SIT Functional", environment().id, first, first + timedelta(days=30), exclusive=True)
    with pytest.raises(Refused) as refused:
        services.add_stage(user(), "SIT Migration", environment().id, first + timedelta(days=10),
                           first + timedelta(days=40), exclusive=True)
    assert refused.value.field == "first_day" and "SIT Functional" in str(refused.value)
    with pytest.raises(Refused) as refused:
        services.add_stage(user(), "SIT Migration", environment().id, first + timedelta(days=10),
                           first + timedelta(days=40), exclusive=True, may_overlap=True)
    assert refused.value.field == "overlap_reason"
    # A non-exclusive stage beside a non-exclusive one is no matter; beside an exclusive one it is.
    with pytest.raises(Refused):
        services.add_stage(user(), "Readiness", environment().id, first, first, exclusive=False)
    services.add_stage(user(), "SIT Migration", environment().id, first + timedelta(days=10),
                       first + timedelta(days=40), exclusive=True, may_overlap=True, overlap_reason="Night runs")
    assert db.session.scalar(select(func.count()).select_from(TestPhase).where(TestPhase.name == "SIT Migration")) == 1


def test_a_participant_is_in_at_most_one_tranche_of_a_kind_and_sandbox_needs_a_pass(ctx):
    first = date(2030, 3, 4)
    one = services.add_tranche(user(), Route.QUALIFICATION, "Tranche 1", environment("UIT").id, first,
                               first + timedelta(days=30), "Code Bodies' panel")
    two = services.add_tranche(user(), Route.QUALIFICATION, "Tranche 2", environment("UIT").id, first,
                               first + timedelta(days=30), "Code Bodies' panel")
    sandbox = services.add_tranche(user(), Route.SANDBOX, "Sandbox 1", environment("UIT").id, first,
                                   first + timedelta(days=30), "Code Bodies' panel")
    northwold = make_participant(route=Route.QUALIFICATION)
    services.place_in_tranche(user(), one, northwold.id)
    with pytest.raises(Refused) as refused:
        services.place_in_tranche(user(), two, northwold.id)
    assert refused.value.field == "participant_id" and "already in the Qualification tranche Tranche 1" in str(
        refused.value)
    with pytest.raises(Refused) as refused:
        services.place_in_tranche(user(), sandbox, northwold.id)
    assert "has not passed SIT or Qualification" in str(refused.value)
    northwold.passed_route = Route.QUALIFICATION
    services.place_in_tranche(user(), sandbox, northwold.id)
    assert (northwold.qualification_tranche_id, northwold.sandbox_tranche_id) == (one.id, sandbox.id)
    with pytest.raises(Invalid) as refused:
        services.add_tranche(user(), Route.QUALIFICATION, "Tranche 1", environment("UIT").id, first, first, "x")
    assert "name" in refused.value.problems


def test_the_clash_check_reads_the_same_number_of_times_however_many_slots_there_are(app, monday):
    from sqlalchemy import event
    northwold = make_participant()
    sign_off(northwold)

    def count_queries(wants):
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            rules.clashes(wants)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    def wants():
        return [rules.Want(i, environment(), at(monday + timedelta(days=i), 10), at(monday + timedelta(days=i), 11),
                           None, (northwold.id,)) for i in range(5)]

    book([northwold], at(monday, 13), at(monday, 14))
    few = count_queries(wants())
    db.session.add_all(Slot(environment_id=environment().id, start=at(monday, 10) + timedelta(minutes=i),
                            end=at(monday, 10) + timedelta(minutes=i + 30), purpose=Purpose.TESTING,
                            status=SlotStatus.ALLOCATED, exclusive=False, participants=[northwold],
                            requested_by_id=user().id, requested_at=utcnow()) for i in range(0, 200))
    db.session.commit()
    assert count_queries(wants()) == few


def test_suggest_a_slot_shares_the_window_search_and_steps_past_the_allocations_own_clashes(monday):
    northwold = make_participant()
    book([northwold], at(monday, 10), at(monday, 12))
    services.add_stage(user(), "SIT Migration", environment().id, monday, monday, exclusive=True)
    # Monday is held by an exclusive stage all day and by a slot: the first free hour is Tuesday's first in support.
    found = rules.next_free_slot(environment(), timedelta(hours=1), at(monday, 10))
    assert found == (at(monday + timedelta(days=1), 9), at(monday + timedelta(days=1), 10))
    assert _clashes(*found) == []


def test_suggest_a_slot_on_the_page_fills_the_times_and_stores_nothing(app, as_user):
    with app.app_context():
        monday = next_monday()
        northwold = make_participant()
        book([northwold], at(monday, 9), at(monday, 12))
        form = {"environment_id": str(environment().id), "purpose": "connectivity",
                "participant_ids": str(northwold.id), "start": f"{monday}T10:00", "end": f"{monday}T11:00",
                "action": "suggest"}
    page = as_user("supplier@demo.test").post("/allocation/slots", form).get_data(as_text=True)
    assert "Suggested the earliest free slot of 1 h" in page and f'value="{monday}T12:00"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Slot)) == 1


def test_participants_are_told_through_the_outbox_with_uk_times(monday):
    northwold = make_participant()
    slot = book([northwold], at(monday, 10), at(monday, 11))[0]
    services.move(user(), slot, at(monday, 13), at(monday, 14))
    services.cancel(user(), slot, "Environment needed for a fix")
    request = book([northwold], at(monday, 15), at(monday, 16), by="supplier@demo.test")[0]
    services.decline(user(), request, "Migration rehearsal")
    told = [m for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            if m.recipients == "supplier@demo.test"]
    day = f"{monday:%d %b %Y}"
    assert [m.subject for m in told] == [f"Slot allocated: SIT-A {day} 10:00–11:00",
                                         f"Slot moved: SIT-A {day} 13:00–14:00",
                                         f"Slot cancelled: SIT-A {day} 13:00–14:00",
                                         f"Slot declined: SIT-A {day} 15:00–16:00"]
    assert "Reason: Migration rehearsal" in told[-1].body and "(UK time)" in told[-1].body


def test_a_longer_slot_held_after_a_check_is_found_by_the_next(monday):
    # The rule reads the slots that may overlap through the longest slot's length, kept per process: a longer slot
    # booked since moves it, so the next check still finds a slot that began days before.
    northwold = make_participant()
    sign_off(northwold)
    book([northwold], at(monday, 9), at(monday, 10))
    wednesday = monday + timedelta(days=2)
    assert _clashes(at(wednesday, 10), at(wednesday, 11)) == []
    thursday = wednesday + timedelta(days=1)
    db.session.add(Slot(environment_id=environment().id, start=at(monday, 12), end=at(thursday, 12),
                        purpose=Purpose.TESTING, status=SlotStatus.ALLOCATED, participants=[northwold],
                        requested_by_id=user().id, requested_at=utcnow()))  # held over days (as an RM may record)
    db.session.commit()
    found = _clashes(at(wednesday, 10), at(wednesday, 11))
    assert [c.kind for c in found] == ["slot"] and "held by Northwold Energy" in found[0].text
    assert _clashes(at(wednesday + timedelta(days=1), 12), at(wednesday + timedelta(days=1), 13)) == []  # ends before
