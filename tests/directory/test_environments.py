"""Everyone reads the environments page; Release Managers keep environments and reference data current."""
from sqlalchemy import select

from mhhs.audit.models import AuditEvent
from mhhs.directory.models import Environment, System
from mhhs.extensions import db
from tests.rfcs.factory import make_rfc


def env(app, name):
    with app.app_context():
        return db.session.scalar(select(Environment).where(Environment.name == name))


def test_everyone_sees_environments_with_phase_dates_and_systems(as_user):
    page = as_user("supplier@demo.test").get("/environments").get_data(as_text=True)
    for text in ("SIT Staging", "SIT-A", "SIT-B", "UIT", "04 Sep 2023", "19 Jan 2026", "MPRS", "IR7 (SIT B)"):
        assert text in page
    assert "Edit</a>" not in page


def test_manager_updates_dates_and_it_is_audited(app, as_user):
    sit_b = env(app, "SIT-B")
    response = as_user("rm.sit@demo.test").post(f"/environments/{sit_b.id}/edit", {
        "name": "SIT-B", "phase": "SIT", "purpose": sit_b.purpose,
        "available_from": "2024-04-01", "available_to": "2026-03-31"})
    assert response.status_code == 303
    assert env(app, "SIT-B").available_to.isoformat() == "2026-03-31"
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "environment.updated"))
        assert event.summary == "available_to"


def test_end_before_start_and_bad_dates_are_explained_with_input_kept(app, as_user):
    sit_a = env(app, "SIT-A")
    rm = as_user("rm.sit@demo.test")
    page = rm.post(f"/environments/{sit_a.id}/edit", {"name": "SIT-A", "phase": "SIT", "purpose": "Changed purpose",
                                                      "available_from": "2025-01-01", "available_to": "2024-01-01"}
                   ).get_data(as_text=True)
    assert "The last day must be on or after the first day." in page and "Changed purpose" in page
    page = rm.post(f"/environments/{sit_a.id}/edit", {"name": "SIT-A", "phase": "SIT",
                                                      "available_from": "04/09/2023"}).get_data(as_text=True)
    assert "Not a valid date value." in page
    assert env(app, "SIT-A").purpose != "Changed purpose"


def test_manager_moves_a_system_between_environments(app, as_user):
    with app.app_context():
        dtn = db.session.scalar(select(System).where(System.name == "DTN"))
        all_envs = db.session.scalars(select(Environment.id)).all()
        dtn_id, org_id = dtn.id, dtn.organisation_id
    as_user("rm.uit@demo.test").post(f"/systems/{dtn_id}/edit", {
        "name": "DTN", "organisation_id": org_id, "support_hours": "Weekdays", "environment_ids": all_envs})
    with app.app_context():
        staging = db.session.scalar(select(Environment).where(Environment.name == "SIT Staging"))
        assert "DTN" in {s.name for s in staging.systems}
        assert len(db.session.get(System, dtn_id).environments) == len(all_envs)


def test_duplicate_names_are_refused(app, as_user):
    page = as_user("rm.sit@demo.test").post("/organisations/new", {"name": "dcc", "kind": "central_party"}
                                            ).get_data(as_text=True)
    assert "An organisation with this name exists already." in page


def test_market_role_and_roadmap_are_editable(app, as_user):
    rm = as_user("rm.sit@demo.test")
    assert rm.post("/market-roles/new", {"code": "TEST", "name": "Test role"}).status_code == 303
    assert rm.post("/roadmap/new", {"name": "IR9", "planned_date": "2025-02-03", "purpose": "Next"}).status_code == 303
    page = rm.get("/environments").get_data(as_text=True)
    assert "Test role" in page and "IR9" in page and "03 Feb 2025" in page


def test_system_form_shows_its_current_environments(app, as_user):
    with app.app_context():
        dtn = db.session.scalar(select(System).where(System.name == "DTN"))
        dtn_id, in_envs = dtn.id, {e.id for e in dtn.environments}
        staging = db.session.scalar(select(Environment.id).where(Environment.name == "SIT Staging"))
    page = as_user("rm.sit@demo.test").get(f"/systems/{dtn_id}/edit").get_data(as_text=True)
    for env_id in in_envs:
        assert f'<option selected value="{env_id}">' in page
    assert f'<option value="{staging}">' in page


def test_set_hours_need_a_start_and_an_end_and_a_row_without_them_breaks_no_page(app, as_user):
    with app.app_context():
        dip = db.session.scalar(select(System).where(System.name == "DIP"))
        dip_id, org_id = dip.id, dip.organisation_id
        envs = [e.id for e in dip.environments]
    rm = as_user("rm.sit@demo.test")
    response = rm.post(f"/systems/{dip_id}/edit", {
        "name": "DIP", "organisation_id": org_id, "support_kind": "hours", "support_days": ["0", "1"],
        "support_start": "", "support_end": "", "environment_ids": envs})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter when support starts, e.g. 09:00." in page and "Enter when support ends, e.g. 17:00." in page
    with app.app_context():
        assert db.session.get(System, dip_id).support_start is not None or \
            db.session.get(System, dip_id).support_kind != "hours"
        # What an old row or a migration may hold: hours, with no start.
        system = db.session.get(System, dip_id)
        system.support_kind, system.support_days, system.support_start = "hours", "01234", None
        db.session.commit()
        rfc_id = make_rfc()
    for email in ("rm.sit@demo.test", "dip@demo.test", "supplier@demo.test"):
        http = as_user(email)
        for url in ("/", "/calendar", "/support-hours", "/reports/weekly", f"/rfcs/{rfc_id}", "/approvals"):
            response = http.get(url)
            assert response.status_code in (200, 403, 404), (email, url, response.status_code)
    assert "to be confirmed" in rm.get("/support-hours").get_data(as_text=True)
