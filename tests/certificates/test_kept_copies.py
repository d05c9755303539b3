"""What the certificates page keeps per process (the counts per status, the gaps, the list's count) never hides a
change, a certificate stored or one moving to another status as time passes, and is each reader's own: a Test
Participant never sees what a Release Manager's copy holds."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from mhhs.certificates import views
from mhhs.certificates.models import Kind
from mhhs.core.time import utcnow
from mhhs.directory.models import Organisation
from mhhs.extensions import db
from tests.certificates.factory import make_certificate


def in_all(page):
    """The pager's count (None when the list is one page)."""
    found = re.search(r"<span>(\S+) in all</span>", page)
    return found and found.group(1)


@pytest.fixture(autouse=True)
def one_a_page(app, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 1)  # the pager, with its count, shows from two certificates


def test_a_certificate_stored_is_counted_on_the_very_next_page(app, as_user):
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A")
        make_certificate("Northwold Energy", "SIT-B")
    supplier = as_user("supplier@demo.test")
    before = supplier.get("/certificates").get_data(as_text=True)
    assert "valid: 2" in before and in_all(before) == "2"
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A", days=10, kind=Kind.DIP_JWS)
    after = supplier.get("/certificates").get_data(as_text=True)
    assert "valid: 2" in after and "expiring within 30 days: 1" in after and in_all(after) == "3"


def test_time_alone_moves_a_certificate_to_its_next_status(app, as_user, monkeypatch):
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A", days=32)
        make_certificate("Northwold Energy", "SIT-B", days=400)
    supplier = as_user("supplier@demo.test")
    assert "expiring within 90 days: 1" in supplier.get("/certificates").get_data(as_text=True)
    monkeypatch.setattr(views, "utcnow", lambda: utcnow() + timedelta(days=3))  # no write: only time has passed
    page = supplier.get("/certificates").get_data(as_text=True)
    assert "expiring within 30 days: 1" in page and "expiring within 90 days: 0" in page
    monkeypatch.setattr(views, "utcnow", lambda: utcnow() + timedelta(days=33))
    page = supplier.get("/certificates").get_data(as_text=True)
    assert "expired: 1" in page and "expiring within 30 days: 0" in page


def test_a_participant_never_sees_what_a_release_managers_copy_holds(app, as_user):
    with app.app_context():
        for environment in ("SIT-A", "SIT-B"):
            make_certificate("Northwold Energy", environment)
        for environment in ("SIT-A", "SIT-B", "UIT"):
            make_certificate("Avanade", environment, days=10, mpid="AVAN", organisation="Avanade",
                             common_name=f"avanade.{environment.lower()}.test", sans=())
    manager = as_user("rm.sit@demo.test").get("/certificates").get_data(as_text=True)
    assert "valid: 2" in manager and "expiring within 30 days: 3" in manager and in_all(manager) == "5"
    supplier = as_user("supplier@demo.test").get("/certificates").get_data(as_text=True)
    assert "valid: 2" in supplier and "expiring within 30 days: 0" in supplier and in_all(supplier) == "2"
    assert "Avanade" not in supplier
    central = as_user("dip@demo.test").get("/certificates").get_data(as_text=True)
    assert "valid: 0" in central and "expiring within 30 days: 3" in central and in_all(central) == "3"
    assert "Northwold" not in central


def test_the_organisation_filter_offers_every_organisation_and_keeps_the_chosen_one(app, as_user):
    with app.app_context():
        avanade = db.session.scalar(select(Organisation).where(Organisation.name == "Avanade"))
        avanade_id, chosen = avanade.id, f'<option value="{avanade.id}" selected>Avanade</option>'
    manager = as_user("rm.sit@demo.test")
    assert chosen in manager.get(f"/certificates?organisation={avanade_id}").get_data(as_text=True)
    page = manager.get("/certificates").get_data(as_text=True)
    assert chosen not in page and f'<option value="{avanade_id}">Avanade</option>' in page
    with app.app_context():
        db.session.get(Organisation, avanade_id).name = "Avanade & Co"
        db.session.commit()
    assert f'<option value="{avanade_id}">Avanade &amp; Co</option>' in manager.get("/certificates").get_data(
        as_text=True)  # renamed: on the very next page, escaped
    assert "<select name=\"organisation\">" not in as_user("supplier@demo.test").get("/certificates").get_data(
        as_text=True)  # a Release Manager's filter only


def test_the_rows_kept_per_reader_show_time_passing_a_rename_and_a_new_certificate(app, as_user, monkeypatch):
    """A page of rows is kept per reader and query string (views._rows, services.kept_listing): a row's status moves
    with time alone, a renamed organisation and a new certificate are on the very next page, and another reader's
    copy never holds it."""
    def row(person):
        return person.get("/certificates").text.split("<tbody>")[1].split("</tbody>")[0]
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A", days=32)
    supplier, central = as_user("supplier@demo.test"), as_user("dip@demo.test")
    assert ">expiring within 90 days<" in row(supplier) and "Northwold Energy" in row(supplier)
    assert "No certificates match." in row(central)
    with app.app_context():
        db.session.scalar(select(Organisation).where(Organisation.name == "Northwold Energy")).name = "Northwold Ltd"
        db.session.commit()
    assert "Northwold Ltd" in row(supplier)
    later = utcnow() + timedelta(days=3)
    monkeypatch.setattr(views, "utcnow", lambda: later)  # no write: only time has passed
    assert ">expiring within 30 days<" in row(supplier)
    with app.app_context():
        make_certificate("Northwold Ltd", "SIT-B", days=400)
    assert in_all(supplier.get("/certificates").text) == "2"
    assert "No certificates match." in row(central)


def test_a_boosted_request_aimed_at_the_rows_gets_the_whole_dashboard(as_user):
    """htmx asks the whole page for a boosted link or a history restore, even aimed at the rows (core/htmx.py)."""
    headers = {"HX-Request": "true", "HX-Target": "certificate-rows", "HX-Boosted": "true"}
    response = as_user("supplier@demo.test").http.get("/certificates", headers=headers)
    assert response.status_code == 200 and "<h1>" in response.text and 'id="certificate-rows"' in response.text
    rows = as_user("supplier@demo.test").http.get("/certificates", headers={"HX-Request": "true",
                                                                           "HX-Target": "certificate-rows"}).text
    assert "<h1>" not in rows and "<table>" in rows
