"""The API's lists kept per process (outages, certificates, the baseline): a change shows on the very next request,
time alone moves a certificate's status, and one reader's copy never answers another's."""
from datetime import timedelta

from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from mhhs.api import certificates as certificate_api
from mhhs.baseline.services import set_cell
from mhhs.core.time import utcnow
from mhhs.directory.models import Environment, System
from mhhs.extensions import db
from tests.certificates.factory import make_x509
from tests.helpers import iso


def test_a_logged_ended_or_renamed_outage_shows_on_the_next_list(app, api, make_token):
    secret = make_token(scopes=["read", "outages"])
    before = api("GET", "/outages?environment=SIT-A", secret).json["items"]  # kept now
    logged = api("POST", "/outages", secret, {
        "environment": "SIT-A", "systems": ["DIP"], "category": "software failure",
        "start": iso(utcnow() - timedelta(hours=1)), "description": "Acks time out"}).json
    listed = api("GET", "/outages?environment=SIT-A", secret).json["items"]
    assert listed == [logged, *before]
    ended = api("POST", f"/outages/{logged['id']}/end", secret).json
    assert api("GET", "/outages?environment=SIT-A", secret).json["items"][0] == ended
    with app.app_context():  # a name it shows (the reference data's counter)
        db.session.scalar(select(Environment).where(Environment.name == "SIT-A")).name = "SIT-A2"
        db.session.commit()
    assert api("GET", "/outages?environment=SIT-A2", secret).json["items"][0]["environment"] == "SIT-A2"


def test_certificates_kept_per_reader_show_an_upload_and_a_status_time_moves(app, api, make_token, monkeypatch):
    supplier = make_token("supplier@demo.test", scopes=["read", "certificates"])
    manager, other = make_token("rm.sit@demo.test", name="rm"), make_token("mprs@demo.test", name="m")
    assert api("GET", "/certificates", supplier).json["items"] == []  # kept empty
    pem = make_x509(days=40).public_bytes(serialization.Encoding.PEM).decode()
    uploaded = api("POST", "/certificates", supplier, {"certificate": pem, "environment": "SIT-A",
                                                       "kind": "DIP TLS", "mpid": "NWEN"}).json
    assert uploaded["status"] == "expiring within 90 days"
    assert api("GET", "/certificates", supplier).json["items"] == [uploaded]
    assert api("GET", "/certificates", manager).json["items"] == [uploaded]  # a Release Manager sees every one
    assert api("GET", "/certificates", other).json["items"] == []  # not the manager's copy, nor the supplier's
    later = utcnow() + timedelta(days=15)  # nothing written: time alone brings it within 30 days of its expiry
    monkeypatch.setattr(certificate_api, "utcnow", lambda: later)
    assert [c["status"] for c in api("GET", "/certificates", supplier).json["items"]] == ["expiring within 30 days"]


def test_a_cell_set_shows_on_the_next_baseline(app, api, make_token):
    secret = make_token()
    assert api("GET", "/baseline?system=DIP&environment=SIT-A", secret).json == []  # kept empty
    with app.app_context():
        environment = db.session.scalar(select(Environment).where(Environment.name == "SIT-A"))
        system = db.session.scalar(select(System).where(System.name == "DIP"))
        set_cell(environment.id, system.id, "2.0.0.0", utcnow(), "recorded")
        db.session.commit()
    cells = api("GET", "/baseline?system=DIP&environment=SIT-A", secret).json
    assert [(c["system"], c["environment"], c["version"]) for c in cells] == [("DIP", "SIT-A", "2.0.0.0")]
