"""The allocation's pages: bad input refused by the field with what was typed kept, a participant's request for
another participant (404), a Test Participant approving (403), the queue deciding in place, the tranche form, the
plan's stage form, and the timeline's and queue's query counts at two sizes."""
from datetime import timedelta

from sqlalchemy import func, select

from mhhs.allocation import services
from mhhs.allocation.models import Slot, SlotStatus, TestPhase
from mhhs.extensions import db
from mhhs.participants.models import Route
from tests.allocation.factory import (
    at,
    book,
    environment,
    make_participant,
    next_monday,
    sign_off,
    unavailable,
    user,
)


def _slot_form(participant_id, day, start="10:00", end="11:00", **extra):
    return {"environment_id": extra.pop("environment_id", None) or str(environment().id), "purpose": "connectivity",
            "participant_ids": str(participant_id), "start": f"{day:%Y-%m-%d}T{start}", "end": f"{day:%Y-%m-%d}T{end}",
            **extra}


def test_a_participant_requests_a_slot_and_sees_it_listed(app, as_user):
    with app.app_context():
        northwold, monday = make_participant().id, next_monday()
        form = _slot_form(northwold, monday)
    supplier = as_user("supplier@demo.test")
    response = supplier.post("/allocation/slots", form)
    assert response.status_code == 303
    page = supplier.get("/allocation/slots").get_data(as_text=True)
    assert "Northwold Energy" in page and "Requested" in page and "Connectivity proving" in page


def test_end_before_start_is_refused_by_the_field_keeping_what_was_typed(app, as_user):
    with app.app_context():
        form = _slot_form(make_participant().id, next_monday(), start="12:00", end="10:00", note="Flows 1 to 9")
    page = as_user("supplier@demo.test").post("/allocation/slots", form).get_data(as_text=True)
    assert 'id="end-error" class="field-error">The end must be after the start.' in page
    assert "Flows 1 to 9" in page and form["start"] in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Slot)) == 0


def test_testing_without_sign_off_is_refused_by_the_purpose_naming_the_open_step(app, as_user):
    with app.app_context():
        form = _slot_form(make_participant().id, next_monday(), purpose="testing")
    page = as_user("supplier@demo.test").post("/allocation/slots", form).get_data(as_text=True)
    assert ('id="purpose-error" class="field-error">Northwold Energy: SIT-A: Step 1, PKI officers determined, '
            'is not done') in page


def test_a_series_beyond_a_year_is_refused_by_its_field(app, as_user):
    with app.app_context():
        monday = next_monday()
        form = _slot_form(make_participant().id, monday, repeat_until=f"{monday + timedelta(days=400):%Y-%m-%d}")
    page = as_user("rm.sit@demo.test").post("/allocation/slots", form).get_data(as_text=True)
    assert 'id="repeat_until-error" class="field-error">A series runs for at most a year' in page


def test_a_participant_requesting_for_another_gets_404(app, as_user):
    with app.app_context():
        brightmeter = make_participant("Brightmeter Services").id
        form = _slot_form(brightmeter, next_monday())
    assert as_user("supplier@demo.test").post("/allocation/slots", form).status_code == 404


def test_a_test_participant_approving_gets_403(app, as_user):
    with app.app_context():
        monday = next_monday()
        slot = book([make_participant()], at(monday, 10), at(monday, 11), by="supplier@demo.test")[0].id
    assert as_user("supplier@demo.test").post(f"/allocation/slots/{slot}/approve").status_code == 403
    with app.app_context():
        assert db.session.get(Slot, slot).status == SlotStatus.REQUESTED


def test_the_release_manager_approves_and_declines_in_place(app, as_user):
    with app.app_context():
        monday = next_monday()
        northwold = make_participant()
        first = book([northwold], at(monday, 10), at(monday, 11), by="supplier@demo.test")[0].id
        second = book([northwold], at(monday, 14), at(monday, 15), by="supplier@demo.test")[0].id
    rm = as_user("rm.sit@demo.test")
    queue = rm.get("/allocation/requests").get_data(as_text=True)
    assert "2 requests to decide" in queue and "Clashes with" not in queue
    # Each row's buttons and reason box say which request they are about, for a screen reader's list of controls.
    for hour in ("10:00", "14:00"):
        which = f" the request of Northwold Energy for SIT-A, {monday:%d %b %Y} {hour}"
        assert queue.count(f'<span class="visually-hidden">{which}</span>') == 3, which
    row = rm.post(f"/allocation/slots/{first}/approve", htmx=True).get_data(as_text=True)
    assert row.startswith(f'\n<tr id="request-{first}">') or f'<tr id="request-{first}">' in row
    assert "Allocated" in row
    row = rm.post(f"/allocation/slots/{second}/decline", {"reason": ""}, htmx=True).get_data(as_text=True)
    assert "Say why the request is declined." in row
    row = rm.post(f"/allocation/slots/{second}/decline", {"reason": "Migration rehearsal"},
                  htmx=True).get_data(as_text=True)
    assert "Declined" in row and "Migration rehearsal" in row


def test_the_plan_refuses_overlapping_exclusive_stages_by_the_field(app, as_user):
    with app.app_context():
        sit_a = environment().id
    rm = as_user("rm.sit@demo.test")
    form = {"name": "SIT Migration", "environment_id": str(sit_a), "first_day": "2030-03-01",
            "last_day": "2030-03-20", "exclusive": "y"}
    assert rm.post("/plan/phases", form).status_code == 303
    page = rm.post("/plan/phases", dict(form, name="SIT Functional")).get_data(as_text=True)
    assert 'id="first_day-error" class="field-error">Overlaps SIT Migration' in page
    assert rm.post("/plan/phases", dict(form, name="SIT Functional", may_overlap="y",
                                        overlap_reason="Night runs only")).status_code == 303
    plan = rm.get("/plan").get_data(as_text=True)
    assert "<li>SIT Migration and SIT Functional (SIT-A): Night runs only <small>(recorded by" in plan
    with app.app_context():
        phases = db.session.scalars(select(TestPhase).where(TestPhase.name.in_(["SIT Migration", "SIT Functional"])))
        assert sorted((p.name, p.exclusive) for p in phases) == [("SIT Functional", True), ("SIT Migration", True)]


def test_tranche_pages_refuse_a_second_tranche_of_a_kind_by_the_field(app, as_user):
    with app.app_context():
        northwold = make_participant(route=Route.QUALIFICATION).id
        uit = environment("UIT").id
    rm = as_user("rm.sit@demo.test")
    for name in ("Tranche 1", "Tranche 2"):
        assert rm.post("/allocation/tranches", {"route": "qualification", "name": name, "environment_id": str(uit),
                                                "first_day": "2030-01-01", "last_day": "2030-02-01",
                                                "allocated_by": "Code Bodies"}).status_code == 303
    assert rm.post("/allocation/tranches/1/participants", {"t1-participant_id": str(northwold)}).status_code == 303
    page = rm.post("/allocation/tranches/2/participants", {"t2-participant_id": str(northwold)}).get_data(as_text=True)
    assert 'id="t2-participant_id-error" class="field-error">Northwold Energy is already in the Qualification ' \
           'tranche Tranche 1' in page
    listing = as_user("supplier@demo.test").get("/allocation/tranches").get_data(as_text=True)
    assert "1 participant:" in listing and "0 participants." in listing


def test_the_timeline_and_queue_read_as_often_with_many_slots(app, as_user, count_queries):
    with app.app_context():
        monday = next_monday()
        northwold = make_participant()
        sign_off(northwold)
        book([northwold], at(monday + timedelta(days=2), 10), at(monday + timedelta(days=2), 11))
        for day in (0, 4):  # the week's first and last days: the clash check reads the whole week
            book([northwold], at(monday + timedelta(days=day), 14), at(monday + timedelta(days=day), 15),
                 by="supplier@demo.test")
    rm = as_user("rm.sit@demo.test")
    urls = [f"/allocation/timeline?view=month&day={monday}", f"/allocation/timeline?view=week&day={monday}",
            "/allocation/requests", "/allocation/slots"]
    counts = []
    for url in urls:
        rm.get(url)  # what a first request does once (the reference data read into the process)
        with count_queries() as few:
            assert rm.get(url).status_code == 200
        counts.append(few.count)
    with app.app_context():
        northwold = make_participant()
        for day in (1, 3):
            book([northwold], at(monday + timedelta(days=day), 9), at(monday + timedelta(days=day), 10))
            book([northwold], at(monday + timedelta(days=day), 14), at(monday + timedelta(days=day), 15),
                 by="supplier@demo.test")
    for url, count in zip(urls, counts):
        rm.get(url)  # what a first request after a slot changed does once (the longest slot read into the process)
        with count_queries() as many:
            page = rm.get(url).get_data(as_text=True)
        assert many.count == count and "Northwold Energy" in page, url
    assert "Today" in rm.get("/allocation/timeline?view=week").get_data(as_text=True)


def test_a_slot_outside_its_stage_or_the_environments_dates_is_warned_not_refused(app, as_user):
    with app.app_context():
        monday = next_monday()
        env = environment()
        env.available_to = monday
        db.session.commit()
        stage = services.add_stage(user(), "SIT Functional", env.id, monday, monday)
        slot = book([make_participant()], at(monday + timedelta(days=1), 10), at(monday + timedelta(days=1), 11),
                    by="supplier@demo.test", phase_id=stage.id)[0].id
    row = as_user("rm.sit@demo.test").get("/allocation/requests").get_data(as_text=True)
    assert f'id="request-{slot}"' in row
    assert "SIT-A is not available on every day of this slot." in row
    assert "The slot lies outside SIT Functional" in row


def test_moving_a_slot_refuses_by_the_field_and_moves_only_that_one(app, as_user):
    with app.app_context():
        monday = next_monday()
        slots = book([make_participant()], at(monday, 10), at(monday, 11), repeat_until=monday + timedelta(days=1))
        first, second = slots[0].id, slots[1].id
    rm = as_user("rm.sit@demo.test")
    assert rm.get(f"/allocation/slots/{first}/move").status_code == 200
    page = rm.post(f"/allocation/slots/{first}/move", {"start": f"{monday}T13:00", "end": f"{monday}T12:00"})
    assert 'id="end-error" class="field-error">The end must be after the start.' in page.get_data(as_text=True)
    assert rm.post(f"/allocation/slots/{first}/move", {"start": f"{monday}T13:00",
                                                       "end": f"{monday}T14:00"}).status_code == 303
    with app.app_context():
        assert db.session.get(Slot, first).start == at(monday, 13)
        assert db.session.get(Slot, second).start == at(monday + timedelta(days=1), 10)


def test_the_queue_links_a_participants_unavailable_environment_to_its_page(app, as_user):
    with app.app_context():
        northwold, monday = make_participant(), next_monday()
        book([northwold], at(monday, 10), at(monday, 11), by="supplier@demo.test")
        unavailable(northwold, at(monday, 9), at(monday, 12))  # logged after the request
        northwold_id = northwold.id
    rm = as_user("rm.sit@demo.test")
    queue = rm.get("/allocation/requests").get_data(as_text=True)
    link = f'<a href="/participants/{northwold_id}#outages-title">Northwold Energy&#39;s NWE test 1 is unavailable'
    assert link in queue
    # The link leads where the Release Manager sees that unavailability.
    page = rm.get(f"/participants/{northwold_id}").get_data(as_text=True)
    assert 'id="outages-title"' in page and "NWE test 1: " in page
