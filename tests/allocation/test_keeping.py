"""Keeping tranches and the records that two exclusive stages may overlap: change and remove them, refused by the field
(end before start, a name taken), a tranche with participants refused removal naming them, audited, 403 for others."""
import re
from datetime import date

from sqlalchemy import select

from mhhs.allocation import services
from mhhs.allocation.models import StageOverlap, TestPhase
from mhhs.audit.models import AuditEvent
from mhhs.extensions import db
from mhhs.participants.models import Route, Tranche
from tests.allocation.factory import at, environment, make_participant, next_monday, user
from tests.allocation.test_rules import _clashes


def text(response):
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _tranche(name="Tranche 1"):
    return services.add_tranche(user(), Route.QUALIFICATION, name, environment("UIT").id, date(2030, 1, 1),
                                date(2030, 2, 1), "Code Bodies' panel")


def _actions():
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_a_tranche_is_changed_refused_by_the_field_keeping_what_was_typed(app, as_user):
    with app.app_context():
        first, second = _tranche().id, _tranche("Tranche 2").id
    rm = as_user("rm.sit@demo.test")
    page = text(rm.get(f"/allocation/tranches/{second}/edit"))
    assert 'value="Tranche 2"' in page and "Code Bodies&#39; panel" in page
    bad = {"name": "Tranche 1", "first_day": "2030-03-10", "last_day": "2030-03-01", "allocated_by": "Panel 7"}
    page = text(rm.post(f"/allocation/tranches/{second}/edit", bad))
    assert 'id="last_day-error" class="field-error">The last day must be on or after the first day.' in page
    assert 'id="name-error" class="field-error">There is already a Qualification tranche named Tranche 1.' in page
    assert 'value="Panel 7"' in page and 'value="2030-03-10"' in page  # nothing typed is lost
    with app.app_context():
        assert db.session.get(Tranche, second).first_day == date(2030, 1, 1)  # nothing stored
    good = dict(bad, name="Tranche 2b", last_day="2030-04-01")
    assert rm.post(f"/allocation/tranches/{second}/edit", good).status_code == 303
    with app.app_context():
        changed = db.session.get(Tranche, second)
        assert (changed.name, changed.first_day, changed.last_day, changed.allocated_by) == (
            "Tranche 2b", date(2030, 3, 10), date(2030, 4, 1), "Panel 7")
        assert "tranche.changed" in _actions()
        assert db.session.get(Tranche, first).name == "Tranche 1"


def test_a_tranche_with_participants_is_not_removed_and_names_them_an_empty_one_is(app, as_user):
    with app.app_context():
        tranche = _tranche()
        northwold = make_participant(route=Route.QUALIFICATION)
        services.place_in_tranche(user(), tranche, northwold.id)
        tranche_id, northwold_id = tranche.id, northwold.id
    rm = as_user("rm.sit@demo.test")
    listing = text(rm.get("/allocation/tranches"))
    assert "To remove Tranche 1, take its participants out first." in listing
    rm.post(f"/allocation/tranches/{tranche_id}/remove")
    page = text(rm.get("/allocation/tranches"))
    assert "Qualification tranche Tranche 1 still has 1 participant: Northwold Energy. Take it out first" in page
    with app.app_context():
        assert db.session.get(Tranche, tranche_id) is not None
    rm.post(f"/allocation/tranches/{tranche_id}/participants/{northwold_id}/remove")
    assert rm.post(f"/allocation/tranches/{tranche_id}/remove").status_code == 303
    assert "Tranche removed: Qualification tranche Tranche 1." in text(rm.get("/allocation/tranches"))
    with app.app_context():
        assert db.session.get(Tranche, tranche_id) is None and "tranche.removed" in _actions()


def test_only_a_release_manager_changes_or_removes_tranches_and_overlaps(app, as_user):
    with app.app_context():
        tranche_id = _tranche().id
        sit_a = environment().id
        services.add_stage(user(), "SIT Functional", sit_a, date(2030, 3, 1), date(2030, 3, 20), exclusive=True)
        services.add_stage(user(), "SIT Migration", sit_a, date(2030, 3, 1), date(2030, 3, 20), exclusive=True,
                           may_overlap=True, overlap_reason="Night runs only")
        overlap_id = db.session.scalar(select(StageOverlap.id))
    for email in ("supplier@demo.test", "dip@demo.test"):
        http = as_user(email)
        assert "/edit" not in text(http.get("/allocation/tranches")).split("<main", 1)[1]
        assert "Change the reason" not in text(http.get("/plan"))
        for url in (f"/allocation/tranches/{tranche_id}/edit", f"/allocation/overlaps/{overlap_id}/edit"):
            assert http.get(url).status_code == 403
            assert http.post(url, {"name": "Mine", "reason": "Mine"}).status_code == 403
        for url in (f"/allocation/tranches/{tranche_id}/remove", f"/allocation/overlaps/{overlap_id}/remove"):
            assert http.post(url).status_code == 403
    with app.app_context():
        assert db.session.get(Tranche, tranche_id).name == "Tranche 1"
        assert db.session.get(StageOverlap, overlap_id).reason == "Night runs only"


def test_an_overlap_record_is_changed_and_removed_and_then_the_stages_clash(app, as_user):
    monday = next_monday()
    with app.app_context():
        sit_a = environment().id
        first = services.add_stage(user(), "SIT Functional", sit_a, monday, monday, exclusive=True)
        second = services.add_stage(user(), "SIT Migration", sit_a, monday, monday, exclusive=True,
                                    may_overlap=True, overlap_reason="Night runs only")
        overlap_id, second_id = db.session.scalar(select(StageOverlap.id)), second.id
        assert _clashes(at(monday, 10), at(monday, 12), phase_id=second_id) == []
        assert first.id
    rm = as_user("rm.sit@demo.test")
    plan = text(rm.get("/plan"))
    assert f'href="/allocation/overlaps/{overlap_id}/edit"' in plan
    page = text(rm.post(f"/allocation/overlaps/{overlap_id}/edit", {"reason": "  "}))
    assert 'id="reason-error" class="field-error">Say why these stages may overlap.' in page
    assert rm.post(f"/allocation/overlaps/{overlap_id}/edit", {"reason": "Separate data sets"}).status_code == 303
    assert "SIT Functional and SIT Migration (SIT-A): Separate data sets" in text(rm.get("/plan"))
    assert rm.post(f"/allocation/overlaps/{overlap_id}/remove").status_code == 303
    plan = text(rm.get("/plan"))
    assert "SIT Functional and SIT Migration may no longer overlap" in plan
    assert "Stages allowed to overlap" not in plan
    # The plan no longer contradicts itself quietly: it says the two overlap with no record, and what follows.
    assert "Stages that overlap with no record that they may:" in plan
    assert f"SIT Functional ({monday:%d %b}–{monday:%d %b %Y}) and SIT Migration" in plan
    with app.app_context():
        # Both stages stay; a slot of one on the other's days now clashes with it.
        assert db.session.get(TestPhase, second_id) is not None
        found = _clashes(at(monday, 10), at(monday, 12), phase_id=second_id)
        assert [c.kind for c in found] == ["stage"] and "SIT Functional runs alone" in found[0].text
        assert {"stage.overlap_changed", "stage.overlap_removed"} <= set(_actions())
