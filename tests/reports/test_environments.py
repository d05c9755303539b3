"""The environments page, rendered once per process for those who manage the directory and for the others
(reports/environments.py): what a user changes shows on the very next page, and a reader who may not edit is never
shown a Release Manager's copy."""
from datetime import timedelta

from sqlalchemy import select

from mhhs.baseline.services import record_baseline
from mhhs.core.time import utcnow
from mhhs.directory.models import Environment, System, User
from mhhs.extensions import db


def test_a_change_shows_on_the_very_next_page_and_edit_links_only_to_release_managers(app, as_user):
    rm, supplier = as_user("rm.sit@demo.test"), as_user("supplier@demo.test")
    for page in (rm.get("/environments"), supplier.get("/environments")):  # both copies kept from here on
        assert "IR9-test" not in page.get_data(as_text=True)
    response = rm.post("/roadmap/new", {"name": "IR9-test", "planned_date": "2027-03-01", "purpose": "Go-live"})
    assert response.status_code == 303
    page = supplier.get("/environments").get_data(as_text=True)
    assert "IR9-test" in page and "Edit" not in page and "New environment" not in page
    page = rm.get("/environments").get_data(as_text=True)
    assert "IR9-test" in page and "Edit" in page and "New environment" in page
    with app.app_context():  # a Release Manager records the version SIT-A runs
        system, environment = (db.session.scalar(select(model.id).where(model.name == name))
                               for model, name in ((System, "DIP"), (Environment, "SIT-A")))
        record_baseline(db.session.scalar(select(User).where(User.email == "rm.sit@demo.test")), system, environment,
                        "1.7.0.0", utcnow() - timedelta(days=1), "Adopting the tool")
    for client in (supplier, rm):
        sit_a = client.get("/environments").get_data(as_text=True).split('<strong>SIT-A</strong>')[1].split("</tr>")[0]
        assert 'DIP <strong class="version">1.7.0.0</strong>' in sit_a
