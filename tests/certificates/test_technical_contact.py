"""Technical Contact before a certificate (EAP §10.3.1): an upload for an environment where the organisation has no
Technical Contact of the certificate's scheme is warned on the confirm step (not refused), and shown as a gap on the
certificates page, the PKI officers page and the home page's certificates card."""
import io
import re

import pytest
from sqlalchemy import func, select

from mhhs.certificates.models import Certificate, Kind, OfficerRole, PkiOfficer, Scheme
from mhhs.directory.models import Environment, MarketRole, Organisation
from mhhs.extensions import db
from tests.certificates.factory import make_certificate, make_x509, pem

WARNING = "Northwold Energy has no {scheme} Technical Contact for {environment} (EAP §10.3.1"


def contact(app, environment, scheme=Scheme.DIP):
    with app.app_context():
        organisation = db.session.scalar(select(Organisation.id).where(Organisation.name == "Northwold Energy"))
        db.session.add(PkiOfficer(organisation_id=organisation, role=OfficerRole.TECHNICAL_CONTACT, scheme=scheme,
                                  name="Tom Contact", email="tom@northwold.test", mpid="NWEN",
                                  environment_id=db.session.scalar(select(Environment.id).where(
                                      Environment.name == environment))))
        db.session.commit()


def upload_fields(app, environment, kind):
    with app.app_context():
        return {"environment_id": db.session.scalar(select(Environment.id).where(Environment.name == environment)),
                "kind": kind, "mpid": "NWEN", "technical_contact": "tech@northwold.test",
                "market_role_id": db.session.scalar(select(MarketRole.id).where(MarketRole.code == "SUP-D"))}


@pytest.mark.parametrize("contact_in, contact_scheme, environment, kind, warned", [
    (None, None, "SIT-A", "DIP TLS", "DIP"),  # no Technical Contact at all
    ("SIT-B", Scheme.DIP, "SIT-A", "DIP JWS", "DIP"),  # one for another environment only
    ("SIT-A", Scheme.DCC_CSS, "SIT-A", "DIP TLS", "DIP"),  # one of another scheme only
    ("SIT-A", Scheme.DIP, "SIT-A", "DIP TLS", None),  # the DIP's contact for SIT-A
    ("SIT-A", Scheme.DIP, "SIT-A", "DCC CSS", "DCC CSS"),  # a DCC CSS certificate needs the DCC CSS scheme's
])
def test_eap_10_3_1_the_confirm_step_warns_of_a_missing_technical_contact_without_refusing(
        app, as_user, contact_in, contact_scheme, environment, kind, warned):
    if contact_in:
        contact(app, contact_in, contact_scheme)
    supplier = as_user("supplier@demo.test")
    data = upload_fields(app, environment, kind)
    first = supplier.http.post("/certificates/upload", data={
        **data, "csrf_token": supplier.token, "certificate_file": (io.BytesIO(pem(make_x509())), "cert.pem")},
        content_type="multipart/form-data", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Save certificate" in first
    if warned:
        assert WARNING.format(scheme=warned, environment=environment) in first
        assert "You can save the certificate; then appoint one on the PKI officers page." in first
    else:
        assert 'id="contact-warning"' not in first
    encoded = re.search(r'name="certificate_data" type="hidden" value="([^"]*)"', first).group(1)
    saved = supplier.post("/certificates/upload", {**data, "certificate_data": encoded, "confirm": "yes"})
    assert saved.status_code == 303  # a warning, never a refusal
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_eap_10_3_1_a_certificate_without_its_technical_contact_is_a_gap_on_the_pages(app, as_user):
    with app.app_context():
        make_certificate("Northwold Energy", "SIT-A", kind=Kind.DIP_TLS)
        make_certificate("Northwold Energy", "SIT-B", kind=Kind.DIP_TLS, common_name="nwen.sit-b.test")
    contact(app, "SIT-B")
    gap = "SIT-A: Northwold Energy holds DIP certificates there and has no DIP Technical Contact for it (EAP §10.3.1)."
    for email in ("supplier@demo.test", "rm.sit@demo.test"):
        page = as_user(email).get("/certificates").get_data(as_text=True)
        assert "No Technical Contact (1)" in page and gap in page and "SIT-B: Northwold Energy holds" not in page
    home = as_user("supplier@demo.test").get("/").get_data(as_text=True)
    card = home.split('id="missing-contacts"')[1].split("</div>")[0]
    assert '<small class="count">1</small>' in card
    assert "SIT-A: Northwold Energy has no DIP Technical Contact, and holds DIP certificates there." in card
    officers = as_user("supplier@demo.test").get("/certificates/officers").get_data(as_text=True)
    assert "No DIP Technical Contact for SIT-A, where Northwold Energy holds DIP certificates." in officers
    assert "Brightmeter" not in as_user("dip@demo.test").get("/certificates").get_data(as_text=True)
    contact(app, "SIT-A")
    home = as_user("supplier@demo.test").get("/").get_data(as_text=True)
    assert "None: each environment's certificates have their Technical Contact" in home
    assert "No Technical Contact (" not in as_user("supplier@demo.test").get("/certificates").get_data(as_text=True)
