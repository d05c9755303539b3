"""Environment proving tests (EAP §12.2): a Central Party records its own systems' (404 for another's), a Release
Manager any system's; bad input is refused by the field; the grid shows environment × system × test."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mhhs.extensions import db
from mhhs.readiness.models import ProvingKind, ProvingTest
from mhhs.readiness.owned import today
from tests.readiness.decisions_factory import environment, prove, system


def _ids(app, system_name="DIP", environment_name="SIT-A"):
    with app.app_context():
        return environment(environment_name).id, system(system_name).id


def _form(**changes):
    return {"result": "passed", "evidence": "Ping and DNS from the jump host answered",
            "tested_on": (today() - timedelta(days=1)).isoformat(), **changes}


def test_a_central_party_records_its_own_system_and_the_grid_shows_it(app, as_user):
    env_id, dip_id = _ids(app)
    dip = as_user("dip@demo.test")
    response = dip.post(f"/readiness/proving/{env_id}/{dip_id}/network", _form())
    assert response.status_code == 303
    grid = dip.get(f"/readiness/proving?environment={env_id}").get_data(as_text=True)
    assert "DIP" in grid and "Passed" in grid and "MPRS" not in grid  # its own systems only
    manager_grid = as_user("rm.sit@demo.test").get(f"/readiness/proving?environment={env_id}").get_data(as_text=True)
    assert "MPRS" in manager_grid and "Passed" in manager_grid


def test_another_organisations_system_answers_404_and_a_test_participant_403(app, as_user):
    env_id, mprs_id = _ids(app, "MPRS")
    dip = as_user("dip@demo.test")
    assert dip.get(f"/readiness/proving/{env_id}/{mprs_id}/network").status_code == 404
    assert dip.post(f"/readiness/proving/{env_id}/{mprs_id}/network", _form()).status_code == 404
    assert as_user("supplier@demo.test").post(f"/readiness/proving/{env_id}/{mprs_id}/network",
                                              _form()).status_code == 403
    assert as_user("supplier@demo.test").get("/readiness/proving").status_code == 403
    assert as_user("rm.sit@demo.test").post(f"/readiness/proving/{env_id}/{mprs_id}/network",
                                            _form()).status_code == 303
    assert dip.get(f"/readiness/proving/{env_id}/{_ids(app)[1]}/nonsense").status_code == 404


@pytest.mark.parametrize("changes, field, words", [
    ({"result": ""}, "result", "Choose the result"),
    ({"evidence": ""}, "evidence", "Say what was run"),
    ({"result": "failed", "evidence": " "}, "evidence", "Say what was run"),
    ({"tested_on": ""}, "tested_on", "Enter the day the test was run."),
    ({"tested_on": "2026-13-45"}, "tested_on", "Enter a day like"),
    ({"tested_on": (today() + timedelta(days=1)).isoformat()}, "tested_on", "cannot have run on a day still to come"),
], ids=["no result", "passed without evidence", "failed without evidence", "no day", "odd day", "future day"])
def test_bad_input_is_refused_by_the_field_keeping_what_was_typed(app, as_user, changes, field, words):
    env_id, dip_id = _ids(app)
    response = as_user("dip@demo.test").post(f"/readiness/proving/{env_id}/{dip_id}/monitoring", _form(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and words in page and f'id="{field}-error"' in page
    if field != "evidence":
        assert "Ping and DNS from the jump host answered" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProvingTest)) == 0


def test_not_run_needs_no_evidence_and_recording_again_replaces_the_result(app, ctx):
    prove(ProvingKind.TEST_DATA, "not_run", evidence="")
    prove(ProvingKind.TEST_DATA, "passed")
    tests = db.session.scalars(select(ProvingTest)).all()
    assert [(t.kind, t.result.value) for t in tests] == [(ProvingKind.TEST_DATA, "passed")]


def test_the_grid_costs_the_same_queries_at_two_sizes(app, as_user, count_queries):
    manager = as_user("rm.sit@demo.test")
    with app.app_context():
        prove(ProvingKind.NETWORK)
    manager.get("/readiness/proving")
    with count_queries() as few:
        assert manager.get("/readiness/proving").status_code == 200
    with app.app_context():
        for kind in ProvingKind:
            for name in ("DIP", "MPRS"):
                prove(kind, system_name=name)
    with count_queries() as many:
        assert manager.get("/readiness/proving").status_code == 200
    assert many.count == few.count
