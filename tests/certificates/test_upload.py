"""Uploading, confirming, renewing and deleting certificates; who may see and do what."""
import io
import re
from datetime import UTC

from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, select

from mhhs.audit.models import AuditEvent
from mhhs.certificates import services
from mhhs.certificates.models import Certificate, Status
from mhhs.core.time import utcnow
from mhhs.directory.models import Environment, MarketRole, User
from mhhs.extensions import db
from tests.certificates.factory import der, key, make_certificate, make_x509, pem


def env_id(app, name):
    with app.app_context():
        return db.session.scalar(select(Environment.id).where(Environment.name == name))


def fields(app, **overrides):
    with app.app_context():
        role = db.session.scalar(select(MarketRole.id).where(MarketRole.code == "SUP-D"))
    data = {"environment_id": env_id(app, "SIT-A"), "kind": "DIP TLS", "mpid": "nwen", "market_role_id": role,
            "technical_contact": "tech@northwold.test"}
    data.update(overrides)
    return data


def upload(client, data_bytes, filename="cert.pem", **data):
    return client.http.post("/certificates/upload", data={
        **data, "csrf_token": client.token, "certificate_file": (io.BytesIO(data_bytes), filename)},
        content_type="multipart/form-data", headers={"HX-Request": "true"})


def confirm(client, first_page, **data):
    certificate_data = re.search(r'name="certificate_data" type="hidden" value="([^"]*)"', first_page).group(1)
    return client.post("/certificates/upload", {**data, "certificate_data": certificate_data, "confirm": "yes"})


def stored(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Certificate))


def test_upload_shows_what_was_read_then_saves_on_confirm(app, as_user):
    tp = as_user("supplier@demo.test")
    page = upload(tp, pem(make_x509("nwen.sit-a.test", days=200)), **fields(app)).get_data(as_text=True)
    assert "Read from the certificate" in page and "CN=nwen.sit-a.test" in page and "Save certificate" in page
    assert stored(app) == 0  # nothing stored until confirmed
    response = confirm(tp, page, **fields(app))
    assert response.status_code == 303
    detail = tp.get(response.location).get_data(as_text=True)
    assert "CN=nwen.sit-a.test" in detail and "NWEN" in detail and "valid" in detail
    assert "uploaded the certificate" in detail and "certificate.uploaded" not in detail  # its history in words
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        assert (certificate.mpid, certificate.technical_contact) == ("NWEN", "tech@northwold.test")
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "certificates")) == \
            "certificate.uploaded"


def test_private_key_is_refused_nothing_stored_input_kept(app, as_user):
    private = key("rsa").private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
    page = upload(as_user("supplier@demo.test"), private, "key.pem", **fields(app, mpid="NWEN")).get_data(as_text=True)
    assert "Never upload private keys" in page and 'id="certificate_file-error"' in page
    assert 'value="NWEN"' in page and 'value="tech@northwold.test"' in page
    assert stored(app) == 0


def test_huge_file_is_refused_by_size(app, as_user):
    page = upload(as_user("supplier@demo.test"), b"A" * (20 * 1024 * 1024), "big.pem", **fields(app))
    assert page.status_code == 200 and "too large for a certificate" in page.get_data(as_text=True)
    assert stored(app) == 0


def test_text_and_empty_files_are_refused(app, as_user):
    tp = as_user("supplier@demo.test")
    assert "not a certificate" in upload(tp, b"hello", "notes.txt", **fields(app)).get_data(as_text=True)
    assert "The file is empty" in upload(tp, b"", "empty.pem", **fields(app)).get_data(as_text=True)
    assert "Choose the certificate file" in tp.post("/certificates/upload", fields(app)).get_data(as_text=True)


def test_expired_certificate_is_stored_and_flagged(app, as_user):
    tp = as_user("supplier@demo.test")
    from datetime import datetime
    old = make_x509("old.nwen.test", days=30, valid_from=datetime(2025, 1, 1, tzinfo=UTC))
    page = upload(tp, der(old), "old.der", **fields(app)).get_data(as_text=True)
    assert confirm(tp, page, **fields(app)).status_code == 303
    assert "expired" in tp.get("/certificates").get_data(as_text=True)


def test_another_organisations_mpid_is_refused(app, as_user):
    page = upload(as_user("supplier@demo.test"), pem(make_x509()), **fields(app, mpid="FENN")).get_data(as_text=True)
    assert "MPID FENN belongs to another organisation." in page
    page = upload(as_user("supplier@demo.test"), pem(make_x509()), **fields(app, mpid="ZZZZ")).get_data(as_text=True)
    assert "Northwold Energy holds the MPIDs NWEN." in page


def test_the_same_certificate_is_not_stored_twice(app, as_user):
    tp = as_user("supplier@demo.test")
    data = pem(make_x509())
    confirm(tp, upload(tp, data, **fields(app)).get_data(as_text=True), **fields(app))
    page = upload(tp, data, **fields(app)).get_data(as_text=True)
    assert "This certificate is stored already" in page and "not stored twice" in page
    assert stored(app) == 1


def test_renewal_links_and_replaces(app, as_user):
    tp = as_user("supplier@demo.test")
    with app.app_context():
        old_id = make_certificate("Northwold Energy", "SIT-A", days=20).id
    form = tp.get(f"/certificates/upload?renews={old_id}").get_data(as_text=True)
    assert "Renew certificate" in form and 'value="NWEN"' in form
    page = upload(tp, pem(make_x509("new.nwen.test", days=400)), **fields(app), renews=old_id).get_data(as_text=True)
    assert confirm(tp, page, **fields(app), renews=old_id).status_code == 303
    with app.app_context():
        new = db.session.scalar(select(Certificate).where(Certificate.replaces_id == old_id))
        assert new is not None and "new.nwen.test" in new.subject
    assert "replaced" in tp.get(f"/certificates/{old_id}").get_data(as_text=True)
    page = tp.get(f"/certificates/{old_id}").get_data(as_text=True)
    assert "Renew" not in page.split("History")[0].split("Download")[1]
    assert "replaced" in tp.get("/certificates?status=replaced").get_data(as_text=True).split("certificate-rows")[1]
    # Deleting the renewal makes the old certificate current again: expiring, renewable, counted so.
    assert tp.post(f"/certificates/{new.id}/delete").status_code == 303
    detail = tp.get(f"/certificates/{old_id}").get_data(as_text=True)
    assert "expiring within 30 days" in detail and "Renew" in detail.split("History")[0].split("Download")[1]
    with app.app_context():
        supplier = db.session.scalar(select(User).where(User.email == "supplier@demo.test"))
        counts = services.status_counts(supplier, utcnow())
    assert counts[Status.REPLACED] == 0 and counts[Status.WITHIN_30] == 1


def test_renewal_must_keep_environment_and_kind(app, as_user):
    tp = as_user("supplier@demo.test")
    with app.app_context():
        old_id = make_certificate("Northwold Energy", "SIT-A").id
    page = upload(tp, pem(make_x509()), **fields(app, environment_id=env_id(app, "UIT")), renews=old_id)
    assert "same environment and kind" in page.get_data(as_text=True)


def test_release_managers_see_all_but_upload_nothing(app, as_user):
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A")
        make_certificate("Avanade", "UIT", mpid="")
    rm = as_user("rm.uit@demo.test")
    page = rm.get("/certificates").get_data(as_text=True)
    assert "Northwold Energy" in page and "Avanade" in page
    assert rm.get("/certificates/upload").status_code == 403


def test_other_organisations_certificates_are_hidden(app, as_user):
    with app.app_context():
        theirs = make_certificate("Northwold Energy", "SIT-A").id
        make_certificate("Avanade", "UIT", mpid="")
    dip = as_user("dip@demo.test")
    # Positive controls: the page and the CSV answer and show Avanade's own certificate, just not Northwold's.
    page, csv_text = dip.get("/certificates"), dip.get("/certificates/export.csv")
    assert page.status_code == 200 and "Avanade" in page.get_data(as_text=True)
    assert csv_text.status_code == 200 and "Avanade,UIT" in csv_text.get_data(as_text=True)
    assert f'href="/certificates/{theirs}"' not in page.get_data(as_text=True)
    assert "Northwold Energy,SIT-A" not in csv_text.get_data(as_text=True)
    for url in (f"/certificates/{theirs}", f"/certificates/{theirs}/download"):
        assert dip.get(url).status_code == 404
    assert dip.post(f"/certificates/{theirs}/delete").status_code == 404
    assert dip.get(f"/certificates/upload?renews={theirs}").status_code == 404
    assert stored(app) == 2  # theirs and Avanade's own: nothing was deleted


def test_delete_is_audited(app, as_user):
    with app.app_context():
        mine = make_certificate("Northwold Energy", "SIT-A").id
    assert as_user("supplier@demo.test").post(f"/certificates/{mine}/delete").status_code == 303
    with app.app_context():
        assert stored(app) == 0
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_id == mine,
                                                                 AuditEvent.object_type == "certificates")) == \
            "certificate.deleted"


def test_a_certificate_naming_another_organisation_is_refused_without_naming_it(app, api, make_token):  # noqa: F811
    supplier = make_token("supplier@demo.test", scopes=["read", "certificates"])
    avanade = make_token("dip@demo.test", scopes=["read", "certificates"], name="Avanade PKI")
    theirs = pem(make_x509("dip-prod-gateway.avanade.test", organisation="Avanade",
                           sans=("dip-prod-gateway.avanade.test",))).decode()
    body = {"certificate": theirs, "environment": "SIT-A", "kind": "DIP TLS", "mpid": "NWEN"}
    refused = api("POST", "/certificates", supplier, body)
    assert refused.status_code == 422
    detail = refused.get_data(as_text=True)
    assert "names another organisation" in detail and "Avanade" not in detail.replace("dip-prod-gateway.avanade", "")
    assert api("POST", "/certificates", avanade, {**body, "mpid": "AVAN"}).status_code == 201
    # One that names nobody registered may be held by two organisations, each once.
    shared = pem(make_x509("shared.test", organisation="Unregistered Ltd")).decode()
    assert api("POST", "/certificates", supplier, {**body, "certificate": shared}).status_code == 201
    assert api("POST", "/certificates", avanade, {**body, "certificate": shared, "mpid": "AVAN"}).status_code == 201
    again = api("POST", "/certificates", avanade, {**body, "certificate": shared, "mpid": "AVAN"})
    assert again.status_code == 422 and "stored already (for SIT-A" in again.get_data(as_text=True)
